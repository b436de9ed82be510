package org.padfree.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.padfree.InvalidInputException;
import org.padfree.routing.RoutingDistribution;
import org.padfree.routing.RoutingGenerator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a GemmBench cases file (YAML):
 * <pre>
 * description: free text                 # optional
 * defaults:                              # optional; any of seed, paths, runs, warmup
 *   runs: 30
 * cases:
 *   - name: ds-gate-up-8x4096            # unique
 *     n: 4096                            # a multiple of 8
 *     k: 7168                            # a multiple of 16
 *     groups: 8                          # with rows and distribution ...
 *     rows: 32768
 *     distribution: uniform30            # RoutingDistribution's text form
 *     seed: 1
 *   - name: explicit
 *     n: 256
 *     k: 256
 *     counts: [0, 1, 129]                # ... or explicit rows per group, any size including 0
 *     paths: [padding_free, padded, pad, masked, dense]
 * </pre>
 * Every error is an {@link InvalidInputException} naming the field and the case.
 */
public final class BenchCasesFile {
  private BenchCasesFile() {}

  static final int DEFAULT_RUNS = 30;
  static final int DEFAULT_WARMUP = 3;
  static final long DEFAULT_SEED = 1;
  private static final Set<String> TOP_KEYS = Set.of("description", "defaults", "cases");
  private static final Set<String> DEFAULT_KEYS = Set.of("seed", "paths", "runs", "warmup");
  private static final Set<String> CASE_KEYS =
      Set.of("name", "n", "k", "counts", "groups", "rows", "distribution", "seed", "paths", "runs", "warmup");

  /** A cases file's description and cases. */
  public record Cases(String description, List<BenchCase> cases) {}

  public static Cases read(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(reader, file.getFileName().toString());
    } catch (IOException e) {
      throw new InvalidInputException("cases file", file, "cannot be read: " + e.getMessage());
    }
  }

  public static Cases parse(Reader reader, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object root;
    try {
      root = new Yaml(new SafeConstructor(options)).load(reader);
    } catch (YAMLException e) {
      throw new InvalidInputException("cases file", source, "is not valid YAML: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> top)) {
      throw new InvalidInputException("cases file", source, "must be a map with a 'cases' list");
    }
    Map<String, Object> map = keys(top, TOP_KEYS, "in " + source);
    Object description = map.get("description");
    Map<String, Object> defaults = map.containsKey("defaults")
        ? keys(asMap(map.get("defaults"), "defaults", "in " + source), DEFAULT_KEYS, "(defaults in " + source + ")")
        : Map.of();
    Object list = map.get("cases");
    if (!(list instanceof List<?> items) || items.isEmpty()) {
      throw new InvalidInputException("cases", list, "must be a non-empty list of cases in " + source);
    }
    List<BenchCase> cases = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String where = "cases[" + i + "] of " + source;
      Map<String, Object> c = new LinkedHashMap<>(defaults);
      Map<?, ?> own = asMap(items.get(i), "cases[" + i + "]", "in " + source);
      Object name = own.get("name");
      if (name != null) {
        where = "case '" + name + "', " + where;
      }
      c.putAll(keys(own, CASE_KEYS, "(" + where + ")"));
      BenchCase parsed = parseCase(c, where);
      if (!names.add(parsed.name())) {
        throw new InvalidInputException("name", parsed.name(), "is used by two cases (" + where + ")");
      }
      cases.add(parsed);
    }
    return new Cases(description == null ? "" : description.toString(), List.copyOf(cases));
  }

  private static BenchCase parseCase(Map<String, Object> c, String where) {
    String ctx = " (" + where + ")";
    Object nameValue = require(c, "name", ctx);
    String name = nameValue.toString().trim();
    if (name.isEmpty() || !name.matches("[^\\s,\"]+( [^\\s,\"]+)*")) {
      throw new InvalidInputException("name", nameValue, "must be non-empty, without commas, quotes or line breaks" + ctx);
    }
    int n = integer(c, "n", ctx);
    int k = integer(c, "k", ctx);
    check(n > 0 && n % 8 == 0, "n", n, "must be a positive multiple of 8 (the GPU kernel stores BF16 pairs)" + ctx);
    check(k > 0 && k % 16 == 0, "k", k, "must be a positive multiple of 16 (TMA rows of FP8)" + ctx);
    long seed = c.containsKey("seed") ? longValue(c, "seed", ctx) : DEFAULT_SEED;
    int[] counts;
    String distribution;
    if (c.containsKey("counts")) {
      for (String other : List.of("groups", "rows", "distribution")) {
        check(!c.containsKey(other), other, c.get(other), "cannot be given with counts; give either counts or groups, "
            + "rows and distribution" + ctx);
      }
      counts = counts(c.get("counts"), ctx);
      distribution = "explicit";
    } else {
      int groups = integer(c, "groups", ctx);
      int rows = integer(c, "rows", ctx);
      check(groups >= 1, "groups", groups, "must be >= 1" + ctx);
      check(rows >= 1, "rows", rows, "must be >= 1" + ctx);
      Object text = require(c, "distribution", ctx);
      RoutingDistribution parsed;
      try {
        parsed = RoutingDistribution.parse(text.toString());
        // One row per "token": top_k 1, so any group may take every row.
        RoutingGenerator.requireFeasible(parsed, groups, 1, rows);
      } catch (InvalidInputException e) {
        throw e.withContext(ctx);
      }
      counts = RoutingGenerator.expertCounts(parsed, groups, 1, rows, seed);
      distribution = parsed.toString();
    }
    long rows = 0;
    long padded = 0;
    for (int count : counts) {
      rows += count;
      padded += (count + 127L) / 128 * 128;
    }
    check(rows >= 1, "counts", counts, "must add up to at least one row" + ctx);
    check(padded <= (1 << 26), "counts", "sum " + rows, "gives " + padded + " padded rows; at most 2^26 are supported" + ctx);
    List<BenchPath> paths = c.containsKey("paths") ? paths(c.get("paths"), ctx) : BenchPath.DEFAULT;
    int runs = c.containsKey("runs") ? integer(c, "runs", ctx) : DEFAULT_RUNS;
    check(runs >= 1, "runs", runs, "must be >= 1" + ctx);
    int warmup = c.containsKey("warmup") ? integer(c, "warmup", ctx) : DEFAULT_WARMUP;
    check(warmup >= 0, "warmup", warmup, "must be >= 0" + ctx);
    return new BenchCase(name, n, k, counts, distribution, seed, paths, runs, warmup);
  }

  private static int[] counts(Object value, String ctx) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw new InvalidInputException("counts", value, "must be a non-empty list of rows per group" + ctx);
    }
    int[] counts = new int[list.size()];
    for (int i = 0; i < counts.length; i++) {
      String field = "counts[" + i + "]";
      counts[i] = toInt(list.get(i), field, ctx);
      check(counts[i] >= 0, field, counts[i], "must be >= 0 (a group may be empty, never negative)" + ctx);
    }
    return counts;
  }

  private static List<BenchPath> paths(Object value, String ctx) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw new InvalidInputException("paths", value, "must be a non-empty list of " + BenchPath.keys() + ctx);
    }
    List<BenchPath> paths = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      BenchPath p = BenchPath.ofKey(String.valueOf(list.get(i)));
      check(p != null, "paths[" + i + "]", list.get(i), "is not one of " + BenchPath.keys() + ctx);
      check(!paths.contains(p), "paths[" + i + "]", list.get(i), "is listed twice" + ctx);
      paths.add(p);
    }
    return List.copyOf(paths);
  }

  private static Map<String, Object> keys(Map<?, ?> map, Set<String> allowed, String ctx) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      check(allowed.contains(key), key, e.getValue(), "is not a known key " + ctx + "; known: "
          + allowed.stream().sorted().toList());
      out.put(key, e.getValue());
    }
    return out;
  }

  private static Map<?, ?> asMap(Object value, String field, String ctx) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new InvalidInputException(field, value, "must be a map of keys " + ctx);
    }
    return map;
  }

  private static Object require(Map<String, Object> c, String key, String ctx) {
    Object value = c.get(key);
    if (value == null) {
      throw new InvalidInputException(key, "(missing)", "is required" + ctx);
    }
    return value;
  }

  private static int integer(Map<String, Object> c, String key, String ctx) {
    return toInt(require(c, key, ctx), key, ctx);
  }

  private static long longValue(Map<String, Object> c, String key, String ctx) {
    Object value = require(c, key, ctx);
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw new InvalidInputException(key, value, "must be an integer" + ctx);
  }

  private static int toInt(Object value, String field, String ctx) {
    if (value instanceof Integer i) {
      return i;
    }
    if (value instanceof Long || value instanceof java.math.BigInteger) {
      throw new InvalidInputException(field, value, "is too large for a 32-bit integer" + ctx);
    }
    throw new InvalidInputException(field, value, "must be an integer" + ctx);
  }

  private static void check(boolean ok, String field, Object value, String reason) {
    if (!ok) {
      throw new InvalidInputException(field, value, reason);
    }
  }
}
