package org.padfree.evaluate;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.padfree.Validate;
import org.padfree.commands.CommandLines;
import org.padfree.commands.Values;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@link EvaluateJob}, resolved against {@code spark.padfree.*} settings: an
 * option given on the command line wins over the conf key of the same meaning, which wins over the
 * default (see {@link PadfreeConf}).
 *
 * @param datasets routed-batch Parquet datasets (datasets/README.md)
 * @param traces users' traces as {@code MODEL=PATH} (CSV or Parquet, tokens or counts form)
 * @param models only evaluate batches of these models (empty: all)
 * @param out the reports folder; the run writes {@code out/<run-id>/}
 * @param partitions evaluation tasks, 0 = automatic
 * @param layers also evaluate each batch's whole MoE layer and the quantization study (layers.parquet)
 * @param inputsRead how datasets' per-batch columns reach their tasks (spark.padfree.inputs.read: auto,
 *     spark or files; see {@link InputReading})
 */
public record EvaluateOptions(
    List<String> datasets,
    List<String> traces,
    List<String> models,
    String out,
    int partitions,
    boolean layers,
    boolean overwrite,
    boolean help,
    EvaluateSettings settings,
    String inputsRead) {

  /** The command line as typed: picocli fills it; {@link #parse} resolves it into the options. */
  @Command(name = "EvaluateJob", sortOptions = false, usageHelpAutoWidth = false,
      description = {
          "Runs every routed batch through the padded (pad + padded grouped GEMM), padding-free and masked FP8",
          "grouped GEMMs, checks the paths agree bit for bit and against a double-precision reference, and",
          "writes OUT/RUN_ID/: results.parquet, summary.json, summary.csv, report.md, index.html (and, with",
          "--layers true, layers.parquet: each batch's whole MoE layer and the quantization study).",
          "Exit status: 0 when every batch passed, 1 when any check failed or any batch errored, 2 on bad usage.",
          "An option marked conf: KEY defaults to that spark.padfree.* key when it is set.", ""},
      customSynopsis = "EvaluateJob --dataset PATH [--dataset PATH ...] [--trace MODEL=PATH ...] [options]")
  static final class Line {
    @Option(names = "--dataset", paramLabel = "PATH", description = "routed-batch Parquet dataset (datasets/README.md); repeatable")
    List<String> datasets = new ArrayList<>();
    @Option(names = "--trace", paramLabel = "MODEL=PATH",
        description = "a routing trace (CSV or Parquet; tokens or counts form) of MODEL; repeatable")
    List<String> traces = new ArrayList<>();
    @Option(names = "--models", paramLabel = "NAME[,NAME]", description = "only batches of these models (default: all)")
    List<String> models = new ArrayList<>();
    @Option(names = "--gemms", paramLabel = "LIST", description = "gate_up, down or both (default: gate_up,down)")
    List<String> gemms = new ArrayList<>();
    @Option(names = "--conf-dir", paramLabel = "DIR", defaultValue = "",
        description = {"model .properties folder (default: conf/models as packaged)", "conf: spark.padfree.modelsDir"})
    String confDir;
    @Option(names = "--backend", paramLabel = "B", description = {"auto | cpu | cuda (default: ${DEFAULT-VALUE})", "conf: spark.padfree.backend"})
    String backend;
    @Option(names = "--repetitions", paramLabel = "N|auto",
        description = {"timed runs per batch and path, median reported (default: ${DEFAULT-VALUE};",
            "auto: 1 on the CPU, 10 after a warm-up on the GPU)", "conf: spark.padfree.repetitions"})
    String repetitions;
    @Option(names = "--reference-rows", paramLabel = "N",
        description = {"rows per batch and GEMM checked in double precision (default: ${DEFAULT-VALUE})", "conf: spark.padfree.referenceRows"})
    int referenceRows;
    @Option(names = "--fail-on-mismatch", paramLabel = "B", arity = "1",
        description = {"true | false: exit 1 on any failed check (default: ${DEFAULT-VALUE})", "conf: spark.padfree.failOnMismatch"})
    boolean failOnMismatch;
    @Option(names = "--weight-bank", paramLabel = "N|auto",
        description = {"distinct weight matrices per GEMM (default: ${DEFAULT-VALUE}: 4 CPU, 16 GPU)", "conf: spark.padfree.weightBank"})
    String weightBank;
    @Option(names = "--weight-seed", paramLabel = "N",
        description = {"seed of the synthetic weights (default: ${DEFAULT-VALUE})", "conf: spark.padfree.weightSeed"})
    long weightSeed;
    @Option(names = "--cpu-threads", paramLabel = "N",
        description = {"CPU backend threads per task (default: ${DEFAULT-VALUE}, 0 = spark.task.cpus)", "conf: spark.padfree.cpu.threads"})
    int cpuThreads;
    @Option(names = "--partitions", paramLabel = "N",
        description = {"evaluation tasks (default: ${DEFAULT-VALUE}, 0 = 2 x default parallelism)", "conf: spark.padfree.partitions"})
    int partitions;
    @Option(names = "--layers", paramLabel = "B", arity = "1",
        description = {"true | false: also run each batch's whole MoE layer, padded and padding-free, and the",
            "activation-quantization study, into layers.parquet (default: ${DEFAULT-VALUE})", "conf: spark.padfree.layers"})
    boolean layers;
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports", description = "reports folder (default: ${DEFAULT-VALUE})")
    String out;
    @Option(names = "--run-id", paramLabel = "ID", description = "run folder name (default: run-<yyyyMMdd-HHmmss>)")
    String runId;
    @Option(names = "--overwrite", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
        description = "replace OUT/RUN_ID if it exists (otherwise that is an error)")
    boolean overwrite;
    @Option(names = "--help", usageHelp = true, description = "print this text")
    boolean help;
  }

  /** The options that a spark.padfree.* key can default, by option name. */
  private static final Map<String, PadfreeConf.Key> CONF_KEYS = PadfreeConf.ALL.stream()
      .filter(k -> !k.option().isEmpty()).collect(Collectors.toMap(PadfreeConf.Key::option, k -> k));

  /** Defaults from {@code conf}: a key that is set, else the key's own default. */
  private static Function<String, String> defaults(SparkConf conf) {
    return option -> {
      PadfreeConf.Key key = CONF_KEYS.get(option);
      return key == null ? null : conf == null ? key.defaultValue() : conf.get(key.name(), key.defaultValue());
    };
  }

  /** --help's text, generated from {@link Line}, with the keys' own defaults. */
  public static final String USAGE = CommandLines.usage(new Line(), defaults(null));

  /** The usage text with the defaults {@code conf} gives. */
  public static String usage(SparkConf conf) {
    return CommandLines.usage(new Line(), defaults(conf));
  }

  public static EvaluateOptions parse(SparkConf conf, String... args) {
    Line line = CommandLines.parse(new Line(), defaults(conf), args);
    EvaluateSettings settings = settings(line, conf);
    // A bad value is refused here, naming the key, before any work.
    String inputsRead = InputReading.parse(confText(conf, PadfreeConf.INPUTS_READ)).name().toLowerCase(java.util.Locale.ROOT);
    for (String t : line.traces) {
      int eq = t.indexOf('=');
      Validate.require(eq > 0 && eq < t.length() - 1, "--trace", t, "expected MODEL=PATH, e.g. deepseek-v3=trace.csv");
    }
    Validate.require(line.help || !line.datasets.isEmpty() || !line.traces.isEmpty(), "--dataset", "<none>",
        "give at least one --dataset or --trace; see --help");
    Validate.nonNegative("--partitions", line.partitions);
    return new EvaluateOptions(List.copyOf(line.datasets), List.copyOf(line.traces), Values.items(line.models),
        line.out, line.partitions, line.layers, line.overwrite, line.help, settings, inputsRead);
  }

  /**
   * The settings the spark.padfree.* keys of {@code conf} give, without a command line: what an
   * executor knows before any task arrives (ExecutorPreparePlugin). A bad value names its key.
   */
  public static EvaluateSettings settingsFromConf(SparkConf conf) {
    return settings(CommandLines.parse(new Line(), defaults(conf)), conf);
  }

  private static EvaluateSettings settings(Line line, SparkConf conf) {
    return new EvaluateSettings(
        line.runId != null ? line.runId : "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")),
        EvaluateSettings.Backend.parse("--backend", line.backend),
        line.gemms.isEmpty() ? List.of("gate_up", "down") : Values.items(line.gemms),
        autoOrInt("--repetitions", line.repetitions),
        line.referenceRows,
        line.failOnMismatch,
        autoOrInt("--weight-bank", line.weightBank),
        line.weightSeed,
        line.cpuThreads,
        line.confDir,
        confFlag(conf, PadfreeConf.FAIL_FIRST_ATTEMPT),
        confFlag(conf, PadfreeConf.LAYERS_FUSED),
        EvaluateSettings.Routing.parse(PadfreeConf.ROUTING.name(), confText(conf, PadfreeConf.ROUTING)),
        ByteSizes.parse(PadfreeConf.CUDF_POOL_BYTES.name(), confText(conf, PadfreeConf.CUDF_POOL_BYTES)));
  }

  /** A conf key's text, or its default (also without a SparkConf, as in tests and --help). */
  private static String confText(SparkConf conf, PadfreeConf.Key key) {
    return conf == null ? key.defaultValue() : conf.get(key.name(), key.defaultValue());
  }

  /** A true/false conf key that has no option; a bad value is an error naming the key. */
  private static boolean confFlag(SparkConf conf, PadfreeConf.Key key) {
    String text = conf.get(key.name(), key.defaultValue());
    try {
      return Values.bool(text);
    } catch (picocli.CommandLine.TypeConversionException e) {
      throw new org.padfree.InvalidInputException(key.name(), text, e.getMessage());
    }
  }

  /** "auto" as -1, else an integer. */
  private static int autoOrInt(String field, String text) {
    try {
      return Values.autoOrInteger(text);
    } catch (picocli.CommandLine.TypeConversionException e) {
      throw new org.padfree.InvalidInputException(field, text, e.getMessage() + " or auto");
    }
  }
}
