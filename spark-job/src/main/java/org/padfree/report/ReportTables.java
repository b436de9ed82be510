package org.padfree.report;

import java.util.List;
import java.util.function.Function;
import org.padfree.render.HumanFormat;
import org.padfree.results.RunInfo;

/**
 * What the human-readable reports (report.md, index.html) show about the run and the groups, as
 * unescaped text; each writer only lays it out and escapes it, so both say the same thing.
 */
final class ReportTables {
  private ReportTables() {}

  record Fact(String label, String value) {}

  /** One column of the group table; numeric columns are right-aligned. */
  record Column(String label, boolean numeric, Function<GroupSummary, String> cell) {}

  static final List<Column> GROUP_COLUMNS = List.of(
      new Column("model", false, g -> key(g.model())),
      new Column("GEMM", false, g -> key(g.gemm())),
      new Column("distribution", false, g -> key(g.distribution())),
      new Column("rows", true, g -> HumanFormat.count(g.batches())),
      new Column("errors", true, g -> HumanFormat.count(g.errors())),
      new Column("mismatches", true, g -> HumanFormat.count(g.mismatches())),
      new Column("bit-identical", true, g -> HumanFormat.percent(g.bitIdenticalRate())),
      new Column("speedup p50", true, g -> HumanFormat.ratio(g.speedupP50())),
      new Column("speedup p90", true, g -> HumanFormat.ratio(g.speedupP90())),
      new Column("speedup min", true, g -> HumanFormat.ratio(g.speedupMin())),
      new Column("memory saved p50", true, g -> HumanFormat.percent(g.savingP50())),
      new Column("memory saved max", true, g -> HumanFormat.percent(g.savingMax())),
      new Column("bytes saved p50", true, g -> HumanFormat.bytes(g.savedBytesP50())),
      new Column("load imbalance", true, g -> HumanFormat.decimal(g.meanLoadImbalance(), 2)),
      new Column("TFLOP/s padded path", true, g -> HumanFormat.significant(g.paddedPathTflops(), 3)),
      new Column("TFLOP/s padding-free", true, g -> HumanFormat.significant(g.usefulTflops(), 3)));

  /** What the group table's columns mean, printed under it. */
  static final String GROUP_LEGEND = "Speedup = (pad + padded GEMM time) / padding-free GEMM time, per row; "
      + "memory saved is a fraction of the padded path's peak; load imbalance = largest group / mean group "
      + "size over experts (mean over rows); TFLOP/s count useful work only (2*M*N*K over valid rows), summed "
      + "over rows and divided by summed time. Everything but the counts leaves out error rows. "
      + "p50 and p90 interpolate linearly between closest ranks.";

  static List<Fact> runFacts(RunInfo run) {
    return List.of(
        new Fact("run id", run.runId()),
        new Fact("started", run.startedAt()),
        new Fact("wall time", HumanFormat.seconds(run.wallSeconds())),
        new Fact("backend", HumanFormat.list(run.backends()) + " (requested: " + run.requestedBackend() + ")"),
        new Fact("device(s)", HumanFormat.list(run.devices())),
        new Fact("Spark master", run.sparkMaster()),
        new Fact("Spark application", run.sparkApplicationId()),
        new Fact("event log", org.padfree.spark.SparkApplication.eventLogText(run.sparkEventLogDir())),
        new Fact("executors", run.executors().size() + ": " + HumanFormat.list(run.executors())),
        new Fact("datasets", HumanFormat.list(run.datasets())),
        new Fact("GEMMs", HumanFormat.list(run.gemms())),
        new Fact("input batches", HumanFormat.count(run.inputBatches())),
        new Fact("result rows", HumanFormat.count(run.resultRows())),
        new Fact("errors", HumanFormat.count(run.errors())),
        new Fact("mismatches", HumanFormat.count(run.mismatches())),
        new Fact("timed repetitions per path", run.repetitions() + " (rows report the median)"),
        new Fact("rows checked against the reference", run.referenceRows() + " per batch"),
        new Fact("weight bank", run.weightBank() + " weight sets"));
  }

  /** One sentence on whether every check passed. */
  static String verdict(RunInfo run) {
    long failures = run.errors() + run.mismatches();
    if (failures == 0) {
      return "No failures in " + HumanFormat.plural(run.resultRows(), "result row", "result rows") + ".";
    }
    return HumanFormat.count(failures) + " of " + HumanFormat.plural(run.resultRows(), "result row", "result rows")
        + " failed: " + HumanFormat.plural(run.errors(), "error", "errors") + ", "
        + HumanFormat.plural(run.mismatches(), "mismatch", "mismatches") + ".";
  }

  private static String key(String value) {
    return GroupSummary.ALL.equals(value) ? "all" : value;
  }
}
