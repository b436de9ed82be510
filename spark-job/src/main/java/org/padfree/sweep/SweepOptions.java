package org.padfree.sweep;

import org.padfree.Validate;
import org.padfree.commands.CommandLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of {@link SweepJob}. Options override the spec's fields of the same meaning, so a
 * scheduler can reuse one spec for several tables or baselines.
 */
public record SweepOptions(String spec, String runId, String history, String out, String baseline,
    Double threshold, Double cpuThreshold, String backend, Boolean layers, String gitRevision, String confDir,
    boolean help) {

  /** The command line as typed: picocli fills it; {@link #parse} checks it. */
  @Command(name = "SweepJob", sortOptions = false, customSynopsis = "SweepJob --spec conf/sweeps/NAME.yaml [options]",
      description = {
          "Expands the spec's grid (models x experts x top-k x tokens x distributions x repetitions x backends),",
          "generates each point's routed batches in memory and evaluates them as EvaluateJob does, appends one row",
          "per point and GEMM to the history table (Parquet, date=YYYY-MM-DD/run=ID/), compares the run with the",
          "previous run of the same sweep and with the pinned baseline, and writes OUT/RUN_ID/: index.html,",
          "report.md, trend.json, points.csv. Options override the spec's fields of the same meaning.",
          "",
          "Exit status: 0 no regression; 1 a check failed or a batch errored (always a regression); 2 bad usage or",
          "spec (the message names the field); 3 a metric fell beyond its threshold against the previous run or",
          "the baseline; 4 the sweep could not run (I/O, Spark).", ""})
  static final class Line {
    @Option(names = "--spec", paramLabel = "FILE", description = "sweep spec (YAML; README \"Benchmark sweeps\" lists its fields) (required)")
    String spec;
    @Option(names = "--run-id", paramLabel = "ID", description = "run id (default: NAME-yyyyMMdd-HHmmss); re-running an id replaces that run")
    String runId;
    @Option(names = "--history", paramLabel = "DIR", description = "history table (default: the spec's history, else reports/sweeps/history)")
    String history;
    @Option(names = "--out", paramLabel = "DIR", description = "reports folder (default: the spec's out, else reports/sweeps)")
    String out;
    @Option(names = "--baseline", paramLabel = "B", description = {"pinned baseline: run:ID (a run in the history) or a points.csv/.parquet",
        "file or folder (default: the spec's baseline; none)"})
    String baseline;
    @Option(names = "--threshold", paramLabel = "X", description = "relative drop of a timing metric that is a regression on GPUs (default 0.10)")
    Double threshold;
    @Option(names = "--cpu-threshold", paramLabel = "X", description = "the same on the CPU backend (default 0.50: CPU timings are noisy)")
    Double cpuThreshold;
    @Option(names = "--backend", paramLabel = "B", description = "run every point on this backend instead of the grid's (auto | cpu | cuda)")
    String backend;
    @Option(names = "--layers", paramLabel = "B", arity = "1", description = {"true or false: also run each batch's whole MoE",
        "layer and record a layer row per point (default: the spec's evaluation.layers, else false)"})
    Boolean layers;
    @Option(names = "--git-revision", paramLabel = "REV", description = "recorded revision (default: git describe --always --dirty)")
    String gitRevision;
    @Option(names = "--conf-dir", paramLabel = "DIR", description = "model .properties folder (default: the spec's, else the jar's copy)")
    String confDir;
    @Option(names = "--help", usageHelp = true, description = "print this text")
    boolean help;
  }

  /** --help's text, generated from {@link Line}. */
  public static final String USAGE = CommandLines.usage(new Line(), option -> null);

  public static SweepOptions parse(String... args) {
    Line line = CommandLines.parse(new Line(), option -> null, args);
    Validate.require(line.help || line.spec != null, "--spec", "<none>", "is required; e.g. --spec conf/sweeps/nightly-cpu.yaml");
    if (line.runId != null) {
      Validate.folderName("--run-id", line.runId);
    }
    return new SweepOptions(line.spec, line.runId, line.history, line.out, line.baseline,
        fraction("--threshold", line.threshold), fraction("--cpu-threshold", line.cpuThreshold), line.backend,
        line.layers, line.gitRevision, line.confDir, line.help);
  }

  private static Double fraction(String option, Double v) {
    if (v != null) {
      Validate.require(v > 0 && v < 1, option, v, "must be a fraction in (0, 1), e.g. 0.10 for 10%");
    }
    return v;
  }
}
