package org.padfree.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.padfree.InvalidInputException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A mapping read from a YAML spec (sweeps, capacity studies), with typed getters whose errors name
 * the field by its path in the file ({@code grid.tokens[2]}), the value and the file. Unknown keys are
 * errors too, so a misspelt field is reported instead of silently falling back to its default.
 *
 * <p>YAML is parsed by SnakeYAML's {@link SafeConstructor}: plain maps, lists and scalars only, never
 * arbitrary classes named by tags.
 */
public final class SpecNode {
  private final Map<String, Object> values;
  private final String path;
  private final String file;

  private SpecNode(Map<String, Object> values, String path, String file) {
    this.values = values;
    this.path = path;
    this.file = file;
  }

  /** Reads and parses a spec file; the top level must be a mapping. */
  public static SpecNode load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("spec", file, "cannot be read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses spec text; {@code file} names it in messages. */
  public static SpecNode parse(String text, String file) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new InvalidInputException("spec", file, "is not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new InvalidInputException("spec", file, "must be a YAML mapping of fields (got "
          + (root == null ? "an empty file" : typeName(root)) + ")");
    }
    return new SpecNode(stringKeys(map, "", file), "", file);
  }

  /** Throws for any key not in {@code allowed}, naming it and listing the allowed ones. */
  public SpecNode allowOnly(Set<String> allowed) {
    for (String key : values.keySet()) {
      if (!allowed.contains(key)) {
        throw error(key, key, "unknown field; allowed here: " + new TreeSet<>(allowed));
      }
    }
    return this;
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  /** A nested mapping; an absent key is an empty mapping. */
  public SpecNode child(String key) {
    Object v = values.get(key);
    if (v == null) {
      return new SpecNode(Map.of(), field(key), file);
    }
    if (!(v instanceof Map<?, ?> map)) {
      throw error(key, v, "must be a mapping of fields");
    }
    return new SpecNode(stringKeys(map, field(key), file), field(key), file);
  }

  public String string(String key) {
    Object v = required(key);
    if (v instanceof Map || v instanceof List) {
      throw error(key, v, "must be a single value");
    }
    String s = v.toString().trim();
    if (s.isEmpty()) {
      throw error(key, v, "must not be empty");
    }
    return s;
  }

  /** A string field that names a folder (see {@link org.padfree.Validate#folderName}). */
  public String folderName(String key) {
    String name = string(key);
    if (!org.padfree.Validate.isFolderName(name)) {
      throw error(key, name, "use letters, digits, '.', '_' and '-' only (it names a folder)");
    }
    return name;
  }

  public String string(String key, String fallback) {
    return has(key) ? string(key) : fallback;
  }

  public double number(String key) {
    Object v = required(key);
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw error(key, v, "not a number");
    }
  }

  public double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  public int integer(String key, int fallback) {
    return has(key) ? integerValue(key, values.get(key)) : fallback;
  }

  /**
   * A yes/no field: YAML's {@code true}/{@code false}, or that text in any case (a quoted "true");
   * anything else (YAML 1.1's yes/on included, which this parser reads as text) is an error naming it.
   */
  public boolean flag(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    Object v = values.get(key);
    if (v instanceof Boolean b) {
      return b;
    }
    String text = v == null ? "" : v.toString().trim();
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(text);
    }
    throw error(key, v, "expected true or false");
  }

  public long longInteger(String key, long fallback) {
    if (!has(key)) {
      return fallback;
    }
    Object v = values.get(key);
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw error(key, v, "not an integer");
  }

  /**
   * The items of a list as text; a single scalar counts as a one-item list, so {@code tokens: 256}
   * and {@code tokens: [256]} mean the same. An absent key gives {@code fallback}.
   */
  public List<String> strings(String key, List<String> fallback) {
    if (!has(key)) {
      return fallback;
    }
    Object v = values.get(key);
    List<?> items = v instanceof List<?> list ? list : List.of(v);
    if (items.isEmpty()) {
      throw error(key, "[]", "must list at least one value");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      Object item = items.get(i);
      if (item == null || item instanceof Map || item instanceof List || item.toString().isBlank()) {
        throw error(key + "[" + i + "]", item, "must be a single non-empty value");
      }
      out.add(item.toString().trim());
    }
    return out;
  }

  /** The items of a list of mappings, e.g. capacity scenarios. */
  public List<SpecNode> children(String key) {
    Object v = values.get(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      throw error(key, v, "must be a list of mappings");
    }
    List<SpecNode> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> map)) {
        throw error(key + "[" + i + "]", list.get(i), "must be a mapping of fields");
      }
      out.add(new SpecNode(stringKeys(map, field(key + "[" + i + "]"), file), field(key + "[" + i + "]"), file));
    }
    return out;
  }

  /** An error about {@code key} of this mapping (or {@code key[i]}), naming its full path and the file. */
  public InvalidInputException error(String key, Object value, String reason) {
    return new InvalidInputException(field(key), value, reason + " (in " + file + ")");
  }

  /** The full path of {@code key}, e.g. {@code grid.tokens}. */
  public String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public String file() {
    return file;
  }

  private Object required(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw error(key, "<missing>", "is required");
    }
    return v;
  }

  private int integerValue(String key, Object v) {
    if (v instanceof Integer i) {
      return i;
    }
    throw error(key, v, "not an integer");
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map, String path, String file) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new InvalidInputException(path.isEmpty() ? "key" : path, e.getKey(), "field names must be text (in " + file + ")");
      }
      out.put(key, e.getValue());
    }
    return out;
  }

  private static String typeName(Object value) {
    return value instanceof List ? "a list" : "a single value";
  }
}
