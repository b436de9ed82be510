package org.padfree.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.padfree.InvalidInputException;
import org.padfree.cli.SpecNode;
import org.padfree.evaluate.EvaluateSettings;
import org.padfree.routing.RoutingDistribution;

/**
 * A sweep spec (conf/sweeps/*.yaml, documented in the README): the axes of the grid, how each point
 * is evaluated, where history goes, and when a change is a regression. Every field has a default
 * except {@code name} and {@code grid.models}; every error names the field by its path in the file.
 *
 * @param experts per-axis values; {@link #MODEL_VALUE} (0) means the model's own count
 * @param topK likewise
 * @param repetitions timed runs per path; -1 = auto (per backend, as in the evaluation job)
 * @param batchesPerPoint routed batches generated per grid point (each with its own seed)
 * @param weightBank as {@code --weight-bank}; -1 = auto
 * @param baseline pinned baseline: {@code run:<id>} in the history, or a points.csv / .parquet file; null = none
 * @param layers {@code evaluation.layers}: also run each batch's whole MoE layer, as EvaluateJob's
 *     {@code --layers true}, and record a layer row per point ({@link PointResult#LAYER})
 */
public record SweepSpec(
    String name, String description,
    List<String> models, List<String> gemms, List<Integer> experts, List<Integer> topK, List<Integer> tokens,
    List<RoutingDistribution> distributions, List<Integer> repetitions, List<EvaluateSettings.Backend> backends,
    int batchesPerPoint, long seed, long weightSeed, int referenceRows, int weightBank, int cpuThreads,
    int partitions, boolean layers, String confDir, String history, String out, String baseline,
    RegressionPolicy regression) {

  public static final int MODEL_VALUE = 0;
  private static final String MODEL_WORD = "model";

  private static final Set<String> TOP = Set.of("name", "description", "grid", "batches_per_point", "seed",
      "evaluation", "history", "out", "baseline", "regression");
  private static final Set<String> GRID = Set.of("models", "gemms", "experts", "top_k", "tokens", "distributions",
      "repetitions", "backends");
  private static final Set<String> EVALUATION = Set.of("reference_rows", "weight_bank", "weight_seed", "cpu_threads",
      "partitions", "layers", "conf_dir");
  private static final Set<String> REGRESSION = Set.of("threshold", "cpu_threshold", "memory_threshold", "metrics",
      "cpu_metrics");

  public SweepSpec {
    models = List.copyOf(models);
    gemms = List.copyOf(gemms);
    experts = List.copyOf(experts);
    topK = List.copyOf(topK);
    tokens = List.copyOf(tokens);
    distributions = List.copyOf(distributions);
    repetitions = List.copyOf(repetitions);
    backends = List.copyOf(backends);
  }

  public static SweepSpec load(Path file) {
    return parse(SpecNode.load(file));
  }

  public static SweepSpec parse(String yaml, String file) {
    return parse(SpecNode.parse(yaml, file));
  }

  static SweepSpec parse(SpecNode root) {
    root.allowOnly(TOP);
    String name = root.folderName("name");
    SpecNode grid = root.child("grid").allowOnly(GRID);
    List<String> models = distinct(grid, "models", lower(grid.strings("models", null)));
    if (models == null) {
      throw grid.error("models", "<missing>", "is required: name at least one model of conf/models");
    }
    List<String> gemms = distinct(grid, "gemms", lower(grid.strings("gemms", List.of("gate_up", "down"))));
    for (int i = 0; i < gemms.size(); i++) {
      if (!gemms.get(i).equals("gate_up") && !gemms.get(i).equals("down")) {
        throw grid.error("gemms[" + i + "]", gemms.get(i), "expected gate_up or down");
      }
    }
    List<Integer> experts = distinct(grid, "experts", intsOrModel(grid, "experts"));
    List<Integer> topK = distinct(grid, "top_k", intsOrModel(grid, "top_k"));
    List<Integer> tokens = distinct(grid, "tokens", positiveInts(grid, "tokens", List.of("256")));
    List<RoutingDistribution> distributions = new ArrayList<>();
    List<String> distributionTexts = grid.strings("distributions",
        RoutingDistribution.standardSet().stream().map(RoutingDistribution::toString).toList());
    for (int i = 0; i < distributionTexts.size(); i++) {
      try {
        distributions.add(RoutingDistribution.parse(distributionTexts.get(i)));
      } catch (InvalidInputException e) {
        throw grid.error("distributions[" + i + "]", distributionTexts.get(i), e.reason());
      }
    }
    distinct(grid, "distributions", distributions);
    List<Integer> repetitions = new ArrayList<>();
    List<String> repetitionTexts = grid.strings("repetitions", List.of("auto"));
    for (int i = 0; i < repetitionTexts.size(); i++) {
      repetitions.add(repetitionTexts.get(i).equalsIgnoreCase("auto") ? -1
          : positive(grid, "repetitions[" + i + "]", repetitionTexts.get(i), "an integer >= 1 or auto"));
    }
    distinct(grid, "repetitions", repetitions);
    List<EvaluateSettings.Backend> backends = new ArrayList<>();
    List<String> backendTexts = grid.strings("backends", List.of("auto"));
    for (int i = 0; i < backendTexts.size(); i++) {
      try {
        backends.add(EvaluateSettings.Backend.parse("backend", backendTexts.get(i)));
      } catch (InvalidInputException e) {
        throw grid.error("backends[" + i + "]", backendTexts.get(i), e.reason());
      }
    }
    distinct(grid, "backends", backends);

    int batchesPerPoint = root.integer("batches_per_point", 1);
    if (batchesPerPoint < 1) {
      throw root.error("batches_per_point", batchesPerPoint, "must be >= 1");
    }
    SpecNode evaluation = root.child("evaluation").allowOnly(EVALUATION);
    int referenceRows = evaluation.integer("reference_rows", 4);
    if (referenceRows < 0) {
      throw evaluation.error("reference_rows", referenceRows, "must be >= 0");
    }
    String bankText = evaluation.string("weight_bank", "auto");
    int weightBank = bankText.equalsIgnoreCase("auto") ? -1
        : nonNegative(evaluation, "weight_bank", bankText, "an integer >= 0 or auto");
    int cpuThreads = evaluation.integer("cpu_threads", 0);
    if (cpuThreads < 0) {
      throw evaluation.error("cpu_threads", cpuThreads, "must be >= 0 (0 = spark.task.cpus)");
    }
    int partitions = evaluation.integer("partitions", 0);
    if (partitions < 0) {
      throw evaluation.error("partitions", partitions, "must be >= 0 (0 = automatic)");
    }
    RegressionPolicy regression = regression(root.child("regression").allowOnly(REGRESSION));
    return new SweepSpec(name, root.string("description", ""), models, gemms, experts, topK, tokens, distributions,
        repetitions, backends, batchesPerPoint, root.longInteger("seed", 2025), evaluation.longInteger("weight_seed", 2025),
        referenceRows, weightBank, cpuThreads, partitions, evaluation.flag("layers", false),
        evaluation.string("conf_dir", null),
        root.string("history", "reports/sweeps/history"), root.string("out", "reports/sweeps"),
        root.string("baseline", null), regression);
  }

  private static RegressionPolicy regression(SpecNode node) {
    RegressionPolicy d = RegressionPolicy.DEFAULT;
    List<String> metrics = lower(node.strings("metrics", d.metrics()));
    List<String> cpuMetrics = lower(node.strings("cpu_metrics", d.cpuMetrics()));
    try {
      return new RegressionPolicy(node.number("threshold", d.threshold()), node.number("cpu_threshold", d.cpuThreshold()),
          node.number("memory_threshold", d.memoryThreshold()), metrics, cpuMetrics);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(e.field(), e.value(), e.reason() + " (in " + node.file() + ")");
    }
  }

  /** Integers >= 1, or the word "model" for the model's own value. */
  private static List<Integer> intsOrModel(SpecNode grid, String key) {
    List<String> texts = grid.strings(key, List.of(MODEL_WORD));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      out.add(texts.get(i).equalsIgnoreCase(MODEL_WORD) ? MODEL_VALUE
          : positive(grid, key + "[" + i + "]", texts.get(i), "an integer >= 1 or 'model' (the model's own)"));
    }
    return out;
  }

  private static List<Integer> positiveInts(SpecNode grid, String key, List<String> fallback) {
    List<String> texts = grid.strings(key, fallback);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      out.add(positive(grid, key + "[" + i + "]", texts.get(i), "an integer >= 1"));
    }
    return out;
  }

  private static int positive(SpecNode node, String field, String text, String expected) {
    int v = nonNegative(node, field, text, expected);
    if (v < 1) {
      throw node.error(field, text, "expected " + expected);
    }
    return v;
  }

  private static int nonNegative(SpecNode node, String field, String text, String expected) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below with the field's name
    }
    throw node.error(field, text, "expected " + expected);
  }

  private static List<String> lower(List<String> values) {
    return values == null ? null : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList();
  }

  /** The list itself, or an error naming the first value given twice (a grid point would repeat). */
  private static <T> List<T> distinct(SpecNode node, String key, List<T> values) {
    if (values == null) {
      return null;
    }
    Set<T> seen = new LinkedHashSet<>();
    for (int i = 0; i < values.size(); i++) {
      if (!seen.add(values.get(i))) {
        throw node.error(key + "[" + i + "]", values.get(i), "is listed twice");
      }
    }
    return values;
  }
}
