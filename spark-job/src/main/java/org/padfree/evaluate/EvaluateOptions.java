package org.padfree.evaluate;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.padfree.Validate;
import org.padfree.cli.CommandLine;

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
 */
public record EvaluateOptions(
    List<String> datasets,
    List<String> traces,
    List<String> models,
    String out,
    int partitions,
    boolean overwrite,
    boolean help,
    EvaluateSettings settings) {

  public static final String USAGE = """
      Usage: EvaluateJob --dataset PATH [--dataset PATH ...] [--trace MODEL=PATH ...] [options]

      Runs every routed batch through the padded (pad + padded grouped GEMM), padding-free and masked
      FP8 grouped GEMMs, checks the paths agree bit for bit and against a double-precision reference,
      and writes OUT/RUN_ID/: results.parquet, summary.json, summary.csv, report.md, index.html.
      Exit status: 0 when every batch passed, 1 when any check failed or any batch errored, 2 on bad usage.

      Input
        --dataset PATH          routed-batch Parquet dataset (datasets/README.md); repeatable
        --trace MODEL=PATH      a routing trace (CSV or Parquet; tokens or counts form) of MODEL; repeatable
        --models NAME[,NAME]    only batches of these models (default: all)
        --gemms LIST            gate_up, down or both (default: gate_up,down)
        --conf-dir DIR          model .properties folder (default: conf/models as packaged)   [spark.padfree.modelsDir]
      Evaluation
        --backend B             auto | cpu | cuda (default auto)                               [spark.padfree.backend]
        --repetitions N|auto    timed runs per batch and path, median reported (default auto:
                                1 on the CPU, 10 after a warm-up on the GPU)                  [spark.padfree.repetitions]
        --reference-rows N      rows per batch and GEMM checked in double precision (default 4) [spark.padfree.referenceRows]
        --fail-on-mismatch B    true | false: exit 1 on any failed check (default true)       [spark.padfree.failOnMismatch]
        --weight-bank N|auto    distinct weight matrices per GEMM (default auto: 4 CPU, 16 GPU)  [spark.padfree.weightBank]
        --weight-seed N         seed of the synthetic weights (default 2025)                   [spark.padfree.weightSeed]
        --cpu-threads N         CPU backend threads per task (default: spark.task.cpus)        [spark.padfree.cpu.threads]
        --partitions N          evaluation tasks (default: 2 x default parallelism)            [spark.padfree.partitions]
      Output
        --out DIR               reports folder (default: reports)
        --run-id ID             run folder name (default: run-<yyyyMMdd-HHmmss>)
        --overwrite             replace OUT/RUN_ID if it exists (otherwise that is an error)
        --help                  print this text
      """;

  private static final Set<String> WITH_VALUE = Set.of("dataset", "trace", "models", "gemms", "conf-dir", "backend",
      "repetitions", "reference-rows", "fail-on-mismatch", "weight-bank", "weight-seed", "cpu-threads",
      "partitions", "out", "run-id");
  private static final Set<String> FLAGS = Set.of("overwrite", "help");

  public static EvaluateOptions parse(SparkConf conf, String... args) {
    CommandLine cl = CommandLine.parse(args, WITH_VALUE, FLAGS);
    boolean help = cl.has("help");
    Function<PadfreeConf.Key, String> setting = key -> {
      String option = key.option().isEmpty() ? null : cl.last(key.option().substring(2));
      return option != null ? option : conf.get(key.name(), key.defaultValue());
    };
    EvaluateSettings settings = new EvaluateSettings(
        cl.has("run-id") ? cl.last("run-id") : "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")),
        EvaluateSettings.Backend.parse("--backend", setting.apply(PadfreeConf.BACKEND)),
        cl.has("gemms") ? cl.list("gemms") : List.of("gate_up", "down"),
        autoOrInt("--repetitions", setting.apply(PadfreeConf.REPETITIONS)),
        CommandLine.parseInt("--reference-rows", setting.apply(PadfreeConf.REFERENCE_ROWS)),
        CommandLine.parseBoolean("--fail-on-mismatch", setting.apply(PadfreeConf.FAIL_ON_MISMATCH)),
        autoOrInt("--weight-bank", setting.apply(PadfreeConf.WEIGHT_BANK)),
        CommandLine.parseLong("--weight-seed", setting.apply(PadfreeConf.WEIGHT_SEED)),
        CommandLine.parseInt("--cpu-threads", setting.apply(PadfreeConf.CPU_THREADS)),
        setting.apply(PadfreeConf.MODELS_DIR),
        CommandLine.parseBoolean(PadfreeConf.FAIL_FIRST_ATTEMPT.name(), setting.apply(PadfreeConf.FAIL_FIRST_ATTEMPT)));
    List<String> traces = new ArrayList<>(cl.all("trace"));
    for (String t : traces) {
      int eq = t.indexOf('=');
      Validate.require(eq > 0 && eq < t.length() - 1, "--trace", t, "expected MODEL=PATH, e.g. deepseek-v3=trace.csv");
    }
    List<String> datasets = cl.all("dataset");
    Validate.require(help || !datasets.isEmpty() || !traces.isEmpty(), "--dataset", "<none>",
        "give at least one --dataset or --trace; see --help");
    int partitions = CommandLine.parseInt("--partitions", setting.apply(PadfreeConf.PARTITIONS));
    Validate.nonNegative("--partitions", partitions);
    return new EvaluateOptions(datasets, traces, cl.list("models"), cl.has("out") ? cl.last("out") : "reports",
        partitions, cl.has("overwrite"), help, settings);
  }

  /** "auto" as -1, else an integer. */
  private static int autoOrInt(String field, String text) {
    return text.trim().equalsIgnoreCase("auto") ? -1 : CommandLine.parseInt(field, text);
  }
}
