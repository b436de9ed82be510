package org.padfree.sweep;

import java.util.Set;
import org.padfree.Validate;
import org.padfree.cli.CommandLine;

/**
 * The command line of {@link SweepJob}. Options override the spec's fields of the same meaning, so a
 * scheduler can reuse one spec for several tables or baselines.
 */
public record SweepOptions(String spec, String runId, String history, String out, String baseline,
    Double threshold, Double cpuThreshold, String backend, String gitRevision, String confDir, boolean help) {

  public static final String USAGE = """
      Usage: SweepJob --spec conf/sweeps/NAME.yaml [options]

      Expands the spec's grid (models x experts x top-k x tokens x distributions x repetitions x
      backends), generates each point's routed batches in memory and evaluates them as EvaluateJob does,
      appends one row per point and GEMM to the history table (Parquet, date=YYYY-MM-DD/run=ID/), compares
      the run with the previous run of the same sweep and with the pinned baseline, and writes
      OUT/RUN_ID/: index.html, report.md, trend.json, points.csv.

      Exit status: 0 no regression; 1 a check failed or a batch errored (always a regression);
      2 bad usage or spec (the message names the field); 3 a metric fell beyond its threshold against
      the previous run or the baseline; 4 the sweep could not run (I/O, Spark).

        --spec FILE            sweep spec (YAML; README "Benchmark sweeps" lists its fields) (required)
        --run-id ID            run id (default: NAME-yyyyMMdd-HHmmss); re-running an id replaces that run
        --history DIR          history table (default: the spec's history, else reports/sweeps/history)
        --out DIR              reports folder (default: the spec's out, else reports/sweeps)
        --baseline B           pinned baseline: run:ID (a run in the history) or a points.csv/.parquet
                               file or folder (default: the spec's baseline; none)
        --threshold X          relative drop of a timing metric that is a regression on GPUs (default 0.10)
        --cpu-threshold X      the same on the CPU backend (default 0.50: CPU timings are noisy)
        --backend B            run every point on this backend instead of the grid's (auto | cpu | cuda)
        --git-revision REV     recorded revision (default: git describe --always --dirty)
        --conf-dir DIR         model .properties folder (default: the spec's, else the jar's copy)
        --help                 print this text
      """;

  private static final Set<String> WITH_VALUE = Set.of("spec", "run-id", "history", "out", "baseline", "threshold",
      "cpu-threshold", "backend", "git-revision", "conf-dir");

  public static SweepOptions parse(String... args) {
    CommandLine cl = CommandLine.parse(args, WITH_VALUE, Set.of("help"));
    boolean help = cl.has("help");
    Validate.require(help || cl.has("spec"), "--spec", "<none>", "is required; e.g. --spec conf/sweeps/nightly-cpu.yaml");
    String runId = cl.last("run-id");
    if (runId != null) {
      Validate.folderName("--run-id", runId);
    }
    return new SweepOptions(cl.last("spec"), runId, cl.last("history"), cl.last("out"), cl.last("baseline"),
        fraction(cl, "threshold"), fraction(cl, "cpu-threshold"), cl.last("backend"), cl.last("git-revision"),
        cl.last("conf-dir"), help);
  }

  private static Double fraction(CommandLine cl, String name) {
    String text = cl.last(name);
    if (text == null) {
      return null;
    }
    try {
      double v = Double.parseDouble(text.trim());
      Validate.require(v > 0 && v < 1, "--" + name, text, "must be a fraction in (0, 1), e.g. 0.10 for 10%");
      return v;
    } catch (NumberFormatException e) {
      throw new org.padfree.InvalidInputException("--" + name, text, "not a number");
    }
  }
}
