package org.padfree.jobs;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.padfree.InvalidInputException;
import org.padfree.backend.BackendKind;
import org.padfree.output.RunFolder;
import org.padfree.report.ReportWriter;
import org.padfree.spark.SparkApplication;
import org.padfree.results.RunInfo;
import org.padfree.spark.ActiveOrLocalSession;
import org.padfree.evaluate.EvaluateOptions;
import org.padfree.evaluate.EvaluateSettings;
import org.padfree.evaluate.EvaluationRun;
import org.padfree.evaluate.TestHooks;
import org.padfree.results.BatchResult;
import org.padfree.results.EvaluationTimings;
import org.padfree.results.LayerResult;
import org.padfree.table.RecordParquet;

/**
 * The evaluation job: {@code spark-submit --class org.padfree.jobs.EvaluateJob padfree-job.jar
 * --dataset ...} (see {@link EvaluateOptions#USAGE}). Writes OUT/RUN_ID/ with results.parquet (and
 * layers.parquet with --layers true), summary.json, summary.csv, report.md and index.html; the folder
 * appears only when complete.
 * Exit status: 0 all passed, 1 a check failed or a batch errored, 2 bad usage.
 */
public final class EvaluateJob {
  /**
   * results.parquet: one row per batch and GEMM, BatchResult's components as columns, written on the
   * driver (the rows are there already, and the run folder is then complete on the driver's file
   * system whatever the executors can reach); Spark, DuckDB or pandas read it as ordinary Parquet.
   */
  public static final RecordParquet<BatchResult> RESULTS = new RecordParquet<>(BatchResult.class, "padfree_result");
  /**
   * layers.parquet (runs with --layers true): one row per batch, LayerResult's components as columns,
   * written on the driver beside results.parquet and published with it.
   */
  public static final RecordParquet<LayerResult> LAYERS = new RecordParquet<>(LayerResult.class, "padfree_layer");
  private EvaluateJob() {}

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED_CHECKS = 1;
  public static final int EXIT_USAGE = 2;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the job in the active SparkSession (or a new local one) and returns the exit status. The run
   * folder is claimed before Spark starts, so a bad --out or --run-id costs a second, not a run.
   */
  public static int run(String... args) {
    EvaluateOptions options;
    try {
      options = EvaluateOptions.parse(new SparkConf(), args);
    } catch (InvalidInputException e) {
      System.err.println("EvaluateJob: " + e.getMessage());
      return EXIT_USAGE;
    }
    if (options.help()) {
      System.out.print(EvaluateOptions.usage(new SparkConf()));  // defaults as this cluster's conf sets them
      return EXIT_OK;
    }
    try (RunFolder folder = claim(options);
         ActiveOrLocalSession session = ActiveOrLocalSession.open("padfree EvaluateJob")) {
      return run(session.session(), options, folder);
    } catch (InvalidInputException e) {
      System.err.println("EvaluateJob: " + e.getMessage());
      return EXIT_USAGE;
    } catch (UncheckedIOException e) {
      System.err.println("EvaluateJob: " + e.getMessage());
      return EXIT_FAILED_CHECKS;
    }
  }

  /** The job on a given session with parsed options; the session is left running. */
  public static int run(SparkSession spark, EvaluateOptions options) {
    try (RunFolder folder = claim(options)) {
      return run(spark, options, folder);
    }
  }

  private static RunFolder claim(EvaluateOptions options) {
    return RunFolder.claim("--out", options.out(), "--run-id", options.settings().runId(), options.overwrite());
  }

  private static int run(SparkSession spark, EvaluateOptions options, RunFolder folder) {
    EvaluateSettings settings = options.settings();
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    EvaluationRun.Outcome outcome = EvaluationRun.execute(spark, options);
    // The GEMM evaluation's wall time: its phases (outcome.timings) add up to it; the layer stage after
    // it has its own line.
    double wallSeconds = (System.nanoTime() - t0) / 1e9 - outcome.layerSeconds();
    List<BatchResult> results = outcome.results();
    List<LayerResult> layers = outcome.layers();

    RunInfo info = runInfo(spark, options, results, started, wallSeconds, outcome.timings());
    Path runDir = folder.publish(dir -> {
      RESULTS.write(results, dir.resolve("results.parquet"));
      if (options.layers()) {
        LAYERS.write(layers, dir.resolve("layers.parquet"));
      }
      TestHooks.pauseWhilePublishing(spark.sparkContext().getConf());
      ReportWriter.writeAll(dir, info, results, layers);
    });
    printSummary(info, results, runDir);
    printLayers(layers, outcome.layerSeconds());
    boolean errored = info.errors() > 0 || layers.stream().anyMatch(LayerResult::isError);
    boolean mismatched = (info.mismatches() > 0 || layers.stream().anyMatch(l -> l.status() == BatchResult.MISMATCH))
        && settings.failOnMismatch();
    return errored || mismatched ? EXIT_FAILED_CHECKS : EXIT_OK;
  }

  /** One console line for the layer stage, and the failed layers' reasons (the first ten). */
  private static void printLayers(List<LayerResult> layers, double seconds) {
    if (layers.isEmpty()) {
      return;
    }
    long errors = layers.stream().filter(LayerResult::isError).count();
    long failed = layers.stream().filter(l -> l.status() == BatchResult.MISMATCH).count();
    double worst = layers.stream().mapToDouble(LayerResult::layerError).filter(Double::isFinite).max().orElse(Double.NaN);
    System.out.printf("padfree: layers: %d batches in %.1f s (a second stage after the GEMM rows): %d ok, %d failed"
        + " checks, %d errors; largest layer error %.2e (bound %.0e)%n", layers.size(), seconds,
        layers.size() - errors - failed, failed, errors, worst, org.padfree.moe.LayerReference.RELATIVE_ERROR_BOUND);
    layers.stream().filter(l -> !l.isOk()).limit(10).forEach(l ->
        System.out.printf("padfree: layer %s %s: %s%n", l.status(), l.batchId(), l.error()));
  }

  private static RunInfo runInfo(SparkSession spark, EvaluateOptions options, List<BatchResult> results,
      Instant started, double wallSeconds, EvaluationTimings timings) {
    EvaluateSettings s = options.settings();
    TreeSet<String> backends = new TreeSet<>();
    TreeSet<String> devices = new TreeSet<>();
    TreeSet<String> executors = new TreeSet<>();
    long errors = 0;
    long mismatches = 0;
    for (BatchResult r : results) {
      if (!r.backend().isEmpty()) {
        backends.add(r.backend());
      }
      if (!r.device().isEmpty()) {
        devices.add(r.device());
      }
      executors.add(r.executorId());
      errors += r.isError() ? 1 : 0;
      mismatches += BatchResult.MISMATCH.equals(r.status()) ? 1 : 0;
    }
    List<String> notes = new ArrayList<>();
    if (backends.contains("cpu")) {
      notes.addAll(RunInfo.cpuCaveats());
    }
    // Why auto fell back, or that a task used a GPU it was not assigned: every distinct reason once.
    results.stream().map(BatchResult::backendNote).filter(n -> n != null && !n.isEmpty()).distinct().limit(5)
        .forEach(n -> notes.add("Backend " + s.backend().label() + ": " + n));
    long cudfRows = results.stream().filter(r -> "cudf".equals(r.routingPath())).count();
    if (cudfRows > 0) {
      double[] cudfMs = results.stream().filter(r -> "cudf".equals(r.routingPath())).mapToDouble(BatchResult::routingMs)
          .filter(Double::isFinite).sorted().toArray();
      notes.add("Layouts of " + cudfRows + " of " + results.size() + " result rows were built on the GPU with RAPIDS cuDF"
          + " (routing_path cudf, spark.padfree.routing = " + s.routing().label() + ")"
          + (cudfMs.length == 0 ? "" : String.format(java.util.Locale.ROOT, ", median %.2f ms per batch", cudfMs[cudfMs.length / 2]))
          + "; the rest on the executors' CPUs (routing_path host).");
    }
    List<String> withActivations = results.stream()
        .filter(r -> BatchResult.DATASET_ACTIVATIONS.equals(r.activations()))
        .map(BatchResult::batchId).distinct().sorted().toList();
    if (!withActivations.isEmpty()) {
      notes.add(withActivations.size() + " batch(es) used their dataset's activations (activations_fp8 and"
          + " activation_scales) as gate_up's A, checked against the reference with the same A (rows with"
          + " activations = dataset): " + String.join(", ", withActivations.subList(0, Math.min(8, withActivations.size())))
          + (withActivations.size() > 8 ? ", ..." : "") + "; every other GEMM used synthetic activations from its"
          + " batch's seed.");
    }
    if (backends.contains("cuda")) {
      notes.add("GPU timings are CUDA-event medians of the timed runs after one untimed warm-up; expert weights"
          + " stay resident on each GPU (a bank of distinct matrices replicated to all experts on the device).");
    }
    List<String> datasets = new ArrayList<>(options.datasets());
    datasets.addAll(options.traces());
    long inputs = results.stream().mapToLong(BatchResult::inputIndex).distinct().count();
    int bank = s.weightBankFor(backends.isEmpty() ? BackendKind.CPU : BackendKind.parse("backend", backends.first()));
    SparkApplication app = SparkApplication.of(spark.sparkContext());
    return new RunInfo(s.runId(), started.toString(), wallSeconds, timings, s.backend().label(), List.copyOf(backends),
        List.copyOf(devices), app.master(), app.applicationId(), app.eventLogDir(), List.copyOf(executors), datasets, s.gemms(),
        s.repetitionsFor(backends.isEmpty() ? BackendKind.CPU : BackendKind.parse("backend", backends.first())), s.referenceRows(), bank, inputs, results.size(), errors, mismatches, notes);
  }

  private static void printSummary(RunInfo info, List<BatchResult> results, Path runDir) {
    double[] speedups = results.stream().filter(BatchResult::isOk).mapToDouble(BatchResult::speedup)
        .filter(Double::isFinite).sorted().toArray();
    double[] savings = results.stream().filter(BatchResult::isOk).mapToDouble(BatchResult::savedFraction)
        .filter(Double::isFinite).sorted().toArray();
    System.out.printf("padfree: run %s on %s (%s): %d batches, %d result rows: %d ok, %d mismatches, %d errors, %.1f s%n",
        info.runId(), String.join(", ", info.backends()), info.sparkMaster(), info.inputBatches(), info.resultRows(),
        info.resultRows() - info.errors() - info.mismatches(), info.mismatches(), info.errors(), info.wallSeconds());
    if (speedups.length > 0) {
      System.out.printf("padfree: (pad + padded) / padding-free time: p50 %.2fx, min %.2fx; memory saved: p50 %.1f%%, max %.1f%%%n",
          speedups[speedups.length / 2], speedups[0], 100 * savings[savings.length / 2], 100 * savings[savings.length - 1]);
    }
    org.padfree.report.ExecutorSummary.Throughput t = org.padfree.report.ExecutorSummary.Throughput.of(results, info);
    System.out.printf("padfree: throughput: %d batches, %d tokens in %.1f s: %.3f batches/s, %.0f tokens/s, %.1f useful TFLOP/s of wall time%n",
        t.batches(), t.tokens(), t.wallSeconds(), t.batchesPerSecond(), t.tokensPerSecond(), t.usefulTflopsPerSecond());
    // The fixed cost around the evaluation stage does not shrink with more GPUs; this line shows it.
    System.out.printf("padfree: wall %.1f s = inputs and planning %.1f s + placing inputs %.1f s + evaluation stage %.1f s"
            + " + collecting %.1f s; %.0f tokens/s of the evaluation stage%n",
        t.wallSeconds(), t.planningSeconds(), t.placingSeconds(), t.evaluationSeconds(), t.collectSeconds(),
        t.tokensPerEvaluationSecond());
    for (org.padfree.report.ExecutorSummary e : org.padfree.report.ExecutorSummary.of(results, info.timings())) {
      String sparkTimes = String.format("Spark tasks %.1f s, span %.1f s", e.sparkTaskSeconds(), e.taskSpanSeconds());
      if (Double.isNaN(e.gpuBusySeconds())) {
        System.out.printf("padfree: executor %s on %s (%s): %d rows, %d batches, task %.1f s, %s, no GPU%n",
            e.executorId(), e.host(), e.backend(), e.rows(), e.batches(), e.taskSeconds(), sparkTimes);
        continue;
      }
      System.out.printf("padfree: executor %s on %s %s (%s): %d rows, %d batches, task %.1f s, %s, GPU busy %.1f s,"
              + " busy fraction %.1f%% (rows >= %d routed: %d, %.1f%%)%n",
          e.executorId(), e.host(), e.gpuUuid().isEmpty() ? "(no GPU)" : e.gpuUuid(), e.backend(), e.rows(), e.batches(),
          e.taskSeconds(), sparkTimes, e.gpuBusySeconds(), 100 * e.busyFraction(), org.padfree.report.ExecutorSummary.LARGE_ROWS,
          e.largeRows(), 100 * e.largeBusyFraction());
    }
    results.stream().filter(r -> !r.isOk()).limit(10).forEach(r ->
        System.out.printf("padfree: %s %s/%s: %s%n", r.status(), r.batchId(), r.gemm(), r.error()));
    System.out.println("padfree: report " + runDir.resolve("index.html"));
  }
}
