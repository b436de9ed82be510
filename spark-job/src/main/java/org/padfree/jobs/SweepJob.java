package org.padfree.jobs;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.padfree.InvalidInputException;
import org.padfree.backend.BackendKind;
import org.padfree.evaluate.EvaluationRun;
import org.padfree.results.BatchResult;
import org.padfree.evaluate.EvaluateSettings;
import org.padfree.model.ModelCatalog;
import org.padfree.output.LocalPaths;
import org.padfree.output.RunFolder;
import org.padfree.results.RunInfo;
import org.padfree.routing.RoutedBatch;
import org.padfree.spark.ActiveOrLocalSession;
import org.padfree.sweep.Baselines;
import org.padfree.sweep.Finding;
import org.padfree.sweep.GridPoint;
import org.padfree.sweep.HistoryTable;
import org.padfree.sweep.PointAggregator;
import org.padfree.sweep.PointResult;
import org.padfree.sweep.RegressionPolicy;
import org.padfree.sweep.RunMetadata;
import org.padfree.sweep.RunTrend;
import org.padfree.sweep.SweepGrid;
import org.padfree.sweep.SweepOptions;
import org.padfree.sweep.SweepReport;
import org.padfree.sweep.SweepReportWriter;
import org.padfree.sweep.SweepSpec;
import org.padfree.sweep.TrendCheck;

/**
 * The scheduled benchmark sweep: {@code spark-submit --class org.padfree.jobs.SweepJob padfree-job.jar
 * --spec conf/sweeps/nightly-cpu.yaml} (see {@link SweepOptions#USAGE}; locally scripts/sweep.sh).
 * Exit status: 0 no regression, 1 failed checks, 2 bad usage or spec, 3 metric regression, 4 could not run.
 */
public final class SweepJob {
  private SweepJob() {}

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED_CHECKS = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_REGRESSION = 3;
  public static final int EXIT_CANNOT_RUN = 4;

  /** How many runs of the sweep the trend charts show. */
  static final int TREND_RUNS = 30;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    SweepOptions options;
    try {
      options = SweepOptions.parse(args);
    } catch (InvalidInputException e) {
      System.err.println("SweepJob: " + e.getMessage());
      return EXIT_USAGE;
    }
    if (options.help()) {
      System.out.print(SweepOptions.USAGE);
      return EXIT_OK;
    }
    Plan plan;
    try {
      plan = Plan.of(options); // the spec, the grid and the run folder are checked before Spark starts
    } catch (InvalidInputException e) {
      System.err.println("SweepJob: " + e.getMessage());
      return EXIT_USAGE;
    }
    try (RunFolder folder = plan.folder();
         ActiveOrLocalSession session = ActiveOrLocalSession.open("padfree SweepJob")) {
      return run(session.session(), options, plan);
    } catch (InvalidInputException e) {
      System.err.println("SweepJob: " + e.getMessage());
      return EXIT_USAGE;
    } catch (RuntimeException e) {
      // A scheduler must tell "the sweep could not run" from "the code regressed".
      System.err.println("SweepJob: the sweep could not run: " + e);
      e.printStackTrace(System.err);
      return EXIT_CANNOT_RUN;
    }
  }

  /**
   * What a sweep needs before it may start, each part checked: the spec with the options applied, its
   * grid, the history table, the pinned baseline, and the claimed run folder (close it when done).
   */
  record Plan(SweepSpec spec, ModelCatalog catalog, List<GridPoint> points, Instant started, String runId,
      HistoryTable history, List<PointResult> baseline, RunFolder folder) {

    static Plan of(SweepOptions options) {
      SweepSpec spec = withOverrides(SweepSpec.load(Path.of(options.spec())), options);
      ModelCatalog catalog = ModelCatalog.load(spec.confDir());
      List<GridPoint> points = SweepGrid.expand(spec, catalog);
      Instant started = Instant.now();
      String runId = options.runId() != null ? options.runId()
          : spec.name() + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started);
      HistoryTable history = new HistoryTable(LocalPaths.of(options.history() != null ? "--history" : "history (spec)",
          options.history() != null ? options.history() : spec.history()));
      // Resolve the baseline before the work, so a typo fails in a second rather than after the sweep.
      List<PointResult> baseline = spec.baseline() == null ? null : Baselines.load(spec.baseline(), history);
      RunFolder folder = RunFolder.claim(options.out() != null ? "--out" : "out (spec)",
          options.out() != null ? options.out() : spec.out(), "--run-id", runId, true);
      return new Plan(spec, catalog, points, started, runId, history, baseline, folder);
    }
  }

  /** The sweep on a given session; returns the exit status. Bad specs throw InvalidInputException. */
  public static int run(SparkSession spark, SweepOptions options) {
    Plan plan = Plan.of(options);
    try (RunFolder folder = plan.folder()) {
      return run(spark, options, plan);
    }
  }

  private static int run(SparkSession spark, SweepOptions options, Plan plan) {
    SweepSpec spec = plan.spec();
    ModelCatalog catalog = plan.catalog();
    List<GridPoint> points = plan.points();
    Instant started = plan.started();
    String runId = plan.runId();
    HistoryTable history = plan.history();
    List<PointResult> baseline = plan.baseline();
    RunMetadata run = RunMetadata.detect(runId, spec.name(), started, options.gitRevision(),
        org.padfree.spark.SparkApplication.of(spark.sparkContext()), spark.version());
    System.out.printf("padfree sweep %s: %d grid points x %d GEMMs%s x %d batches (%s)%n", runId, points.size(),
        spec.gemms().size(), spec.layers() ? " and the MoE layer" : "", spec.batchesPerPoint(), options.spec());

    long t0 = System.nanoTime();
    List<PointResult> rows = new ArrayList<>();
    List<BatchResult> all = new ArrayList<>();
    int layerRows = 0;
    for (Map.Entry<String, List<GridPoint>> group : SweepGrid.byEvaluation(points).entrySet()) {
      List<GridPoint> groupPoints = group.getValue();
      GridPoint first = groupPoints.get(0);
      EvaluateSettings settings = new EvaluateSettings(runId, first.backend(), spec.gemms(), first.repetitions(),
          spec.referenceRows(), true, spec.weightBank(), spec.weightSeed(), spec.cpuThreads(), spec.confDir(), false);
      List<RoutedBatch> batches = new ArrayList<>();
      List<GridPoint> inputPoints = new ArrayList<>();
      for (GridPoint p : groupPoints) {
        for (RoutedBatch b : SweepGrid.batches(p, spec.batchesPerPoint(), spec.seed())) {
          batches.add(b);
          inputPoints.add(p);
        }
      }
      EvaluationRun.Outcome outcome = EvaluationRun.evaluateBatches(spark, settings, "sweep:" + spec.name(), batches,
          spec.partitions(), spec.layers());
      all.addAll(outcome.results());
      layerRows += outcome.layers().size();
      rows.addAll(PointAggregator.aggregate(run, groupPoints, inputPoints, spec.gemms(), spec.batchesPerPoint(),
          outcome.results(), spec.layers() ? outcome.layers() : null, catalog));
    }
    double wallSeconds = (System.nanoTime() - t0) / 1e9;

    Path partition = history.write(run.date().toString(), runId, rows);
    List<HistoryTable.Run> runs = history.runs();
    HistoryTable.Run previous = null;
    for (HistoryTable.Run r : runs) {
      if (r.sweep().equals(spec.name()) && !r.runId().equals(runId) && r.startedAt().compareTo(started.toString()) <= 0) {
        previous = r; // runs are oldest first: the last match is the latest earlier run
      }
    }
    List<Finding> findings = TrendCheck.check(rows, previous == null ? null : previous.rows(), baseline, spec.regression());
    int exit = TrendCheck.hasCorrectnessFailure(findings) ? EXIT_FAILED_CHECKS
        : TrendCheck.regressions(findings).isEmpty() ? EXIT_OK : EXIT_REGRESSION;
    List<String> notes = new ArrayList<>();
    boolean cpuGemms = all.stream().anyMatch(r -> BackendKind.CPU.labels(r.backend()));
    boolean cpuLayers = rows.stream().anyMatch(r -> r.isLayer() && BackendKind.CPU.labels(r.backend()));
    if (cpuGemms) {
      notes.addAll(RunInfo.cpuCaveats());
    }
    if (cpuLayers && !cpuGemms) {
      notes.add("The MoE layer rows ran on the CPU reference (there is no GPU layer yet): their times are CPU wall "
          + "times, not GPU figures; their memory figures are exact.");
    }
    if (cpuGemms || cpuLayers) {
      notes.add("On the CPU only " + spec.regression().cpuMetrics() + " and failed checks can fail the sweep "
          + "(regression.cpu_metrics); CPU timing changes are shown for information, since single small batches move "
          + "by up to 10x between identical runs.");
    }
    SweepReport report = new SweepReport(spec, options.spec(), run, wallSeconds, rows,
        previous == null ? null : previous.runId(), spec.baseline(), findings,
        RunTrend.of(runs, spec.name(), TREND_RUNS), history.root().toString(), exit, notes);
    Path dir = plan.folder().publish(staging -> SweepReportWriter.writeAll(staging, report));

    System.out.printf("padfree sweep %s: %d points, %d batches evaluated%s in %.1f s; history %s%n", runId, rows.size(),
        all.stream().map(BatchResult::batchId).distinct().count(), spec.layers() ? " (" + layerRows + " MoE layers)" : "",
        wallSeconds, partition);
    TrendCheck.regressions(findings).stream().limit(10).forEach(f ->
        System.out.printf("padfree sweep: REGRESSION %s [%s %s] %s%n", f.pointKey(), f.against(), f.metric(), f.note()));
    System.out.println("padfree sweep: " + report.verdict() + "; exit " + exit);
    System.out.println("padfree sweep: report " + dir.resolve(SweepReportWriter.INDEX_HTML));
    return exit;
  }

  static SweepSpec withOverrides(SweepSpec s, SweepOptions o) {
    RegressionPolicy p = s.regression();
    RegressionPolicy policy = new RegressionPolicy(o.threshold() != null ? o.threshold() : p.threshold(),
        o.cpuThreshold() != null ? o.cpuThreshold() : p.cpuThreshold(), p.memoryThreshold(), p.metrics(), p.cpuMetrics());
    List<EvaluateSettings.Backend> backends = o.backend() == null ? s.backends()
        : List.of(EvaluateSettings.Backend.parse("--backend", o.backend()));
    return new SweepSpec(s.name(), s.description(), s.models(), s.gemms(), s.experts(), s.topK(), s.tokens(),
        s.distributions(), s.repetitions(), backends, s.batchesPerPoint(), s.seed(), s.weightSeed(), s.referenceRows(),
        s.weightBank(), s.cpuThreads(), s.partitions(), o.layers() != null ? o.layers() : s.layers(),
        o.confDir() != null ? o.confDir() : s.confDir(), s.history(),
        s.out(), o.baseline() != null ? o.baseline() : s.baseline(), policy);
  }
}
