package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.padfree.model.ModelCatalog;
import org.padfree.routing.RoutedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import org.padfree.results.BatchResult;
import org.padfree.results.EvaluationTimings;
import org.padfree.results.LayerResult;

/**
 * The distributed part of an evaluation, of datasets and traces ({@link #execute}) or of batches in
 * memory ({@link #evaluateBatches}): load inputs, plan partitions by cost, evaluate on the executors,
 * and bring the result rows back to the driver, checked to hold every input exactly once; with where
 * the time went ({@link EvaluationTimings}).
 */
public final class EvaluationRun {
  private EvaluationRun() {}

  /** How long to wait for the listener to see the evaluation job's last events once its action returned. */
  private static final long LISTENER_WAIT_MILLIS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(EvaluationRun.class);

  /**
   * The GEMM rows, sorted by input and GEMM, the layer rows (one per input, sorted by input; empty
   * unless the run asked for layers) with the layer stage's wall seconds (0 without it), and the phases
   * of the GEMM evaluation's wall time (which the layer stage, run after it, is not part of; null when
   * there was nothing to evaluate).
   */
  public record Outcome(List<BatchResult> results, List<LayerResult> layers, double layerSeconds,
      EvaluationTimings timings) {}

  public static Outcome execute(SparkSession spark, EvaluateOptions options) {
    // Epoch milliseconds, not nanoTime: the phases are measured against the listener bus's event times.
    long startMillis = System.currentTimeMillis();
    EvaluateSettings settings = options.settings();
    ModelCatalog catalog = ModelCatalog.load(settings.modelsDir());
    EvalInputs.Loaded loaded = EvalInputs.load(spark, options, catalog);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<EvalInputs.InputMeta> metas = loaded.metas();
    long[] indices = new long[metas.size()];
    double[] costs = new double[metas.size()];
    String[] files = new String[metas.size()]; // where the tasks read inputs themselves: placed file by file
    for (int i = 0; i < indices.length; i++) {
      indices[i] = metas.get(i).index();
      costs[i] = metas.get(i).cost(catalog, settings.gemms());
      files[i] = metas.get(i).file();
    }
    int wanted = options.partitions() > 0 ? options.partitions() : 2 * jsc.defaultParallelism();
    PartitionPlan plan = PartitionPlan.of(indices, costs, files, wanted);
    long withFiles = Arrays.stream(files).filter(Objects::nonNull).count();
    if (withFiles > 0) {
      LOG.info(String.format("%d inputs read by their tasks from %d files, placed on %d tasks: at most %d files per task",
          withFiles, Arrays.stream(files).filter(Objects::nonNull).distinct().count(),
          plan.partitions(), plan.mostFilesPerTask(indices, files)));
    }
    Broadcast<Map<Long, String>> rejected = jsc.broadcast(EvalInputs.duplicates(metas));

    JavaRDD<EvalInput> placed = place(loaded.inputs()
        .map(in -> rejected.value().containsKey(in.index())
            ? EvalInput.failed(in.index(), in.dataset(), in.batchId(), rejected.value().get(in.index()))
            : in), plan);
    Outcome outcome = evaluatePlanned(spark, settings, placed, plan, loaded.count(), loaded.count() + " batches",
        startMillis);
    if (!options.layers()) {
      return outcome;
    }
    // The layer stage reads the same placed inputs: the placing shuffle's output, which Spark keeps for
    // as long as `placed` is referenced, so datasets are not read or decoded again.
    long layersStart = System.nanoTime();
    List<LayerResult> layers = evaluateLayers(spark, settings, placed, loaded.count());
    return new Outcome(outcome.results(), layers, (System.nanoTime() - layersStart) / 1e9, outcome.timings());
  }

  /**
   * Evaluates batches already in the driver's memory (a sweep's generated grid) exactly as
   * {@link #execute} evaluates datasets: the same cost-planned partitions, the same task body
   * ({@link PartitionEvaluator}: backend selection, checks, error rows) and the same exactly-once check.
   * The batches travel as routed batches ({@link EvalInput#ready}), never as Spark Rows. One result row
   * per batch and requested GEMM, sorted by input (the position in {@code batches}) and GEMM; with
   * {@code layers}, then the layer stage over the same inputs and plan, one layer row per batch.
   *
   * @param source what the rows' {@code dataset} column says, e.g. {@code sweep:nightly-cpu}
   * @param partitions evaluation tasks; 0 = 2 x default parallelism
   * @param layers also run each batch's whole MoE layer ({@link #evaluateLayers}), as {@code --layers true}
   */
  public static Outcome evaluateBatches(SparkSession spark, EvaluateSettings settings, String source,
      List<RoutedBatch> batches, int partitions, boolean layers) {
    long startMillis = System.currentTimeMillis();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    ModelCatalog catalog = ModelCatalog.load(settings.modelsDir());
    List<EvalInput> inputs = new ArrayList<>(batches.size());
    long[] indices = new long[batches.size()];
    double[] costs = new double[batches.size()];
    for (int i = 0; i < batches.size(); i++) {
      EvalInput input = EvalInput.ready(i, source, batches.get(i));
      inputs.add(input);
      indices[i] = i;
      costs[i] = EvalInputs.InputMeta.of(input).cost(catalog, settings.gemms());
    }
    if (inputs.isEmpty()) {
      return new Outcome(List.of(), List.of(), 0, null);
    }
    int wanted = partitions > 0 ? partitions : 2 * jsc.defaultParallelism();
    PartitionPlan plan = PartitionPlan.of(indices, costs, wanted);
    JavaRDD<EvalInput> placed = place(jsc.parallelize(inputs, Math.min(inputs.size(), wanted)), plan);
    Outcome outcome = evaluatePlanned(spark, settings, placed, plan, inputs.size(), inputs.size() + " batches of " + source,
        startMillis);
    if (!layers) {
      return outcome;
    }
    // As in execute: the layer stage reads the placing shuffle's output again.
    long layersStart = System.nanoTime();
    List<LayerResult> layerRows = evaluateLayers(spark, settings, placed, inputs.size());
    return new Outcome(outcome.results(), layerRows, (System.nanoTime() - layersStart) / 1e9, outcome.timings());
  }

  /**
   * {@code inputs} placed on the evaluation tasks by the plan: one shuffle, whose map side is where a
   * dataset's rows are read and decoded ({@link DatasetInputReader}). Both stages run over the one
   * returned RDD, so the layer stage reuses the shuffle's output instead of placing the inputs again.
   */
  static JavaRDD<EvalInput> place(JavaRDD<EvalInput> inputs, PartitionPlan plan) {
    return inputs
        .mapToPair(in -> new Tuple2<>(in.index(), in))
        .partitionBy(plan.partitioner())
        .values();
  }

  /**
   * The part every evaluation shares: runs {@link PartitionEvaluator} over the {@link #place placed}
   * inputs on the executors under a job group with progress reporting, and collects the rows, sorted by
   * input and GEMM and checked to hold each of the {@code count} inputs exactly once.
   *
   * @param startMillis when the caller began loading and planning (epoch milliseconds), where the
   *     timings' planning phase starts
   */
  static Outcome evaluatePlanned(SparkSession spark, EvaluateSettings settings, JavaRDD<EvalInput> placed,
      PartitionPlan plan, long count, String description, long startMillis) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String jobGroup = "padfree-evaluate-" + settings.runId();
    ProgressListener progress = new ProgressListener(jobGroup, plan, count);
    spark.sparkContext().addSparkListener(progress);
    jsc.setJobGroup(jobGroup, "padfree: evaluate " + description, false);
    List<BatchResult> results;
    try {
      results = new ArrayList<>(placed.mapPartitions(new PartitionEvaluator(settings)).collect());
      awaitListener(progress);
    } finally {
      jsc.clearJobGroup();
      spark.sparkContext().removeSparkListener(progress);
    }
    results.sort(Comparator.comparingLong(BatchResult::inputIndex).thenComparing(BatchResult::gemm));
    requireExactlyOnce(results, count);
    return new Outcome(results, List.of(), 0, progress.timings(startMillis, System.currentTimeMillis()));
  }

  /**
   * The layer stage: a second Spark job over the GEMM stage's {@link #place placed} inputs (a layer's
   * work is its batch's two GEMMs again, so the same plan fits), one {@link LayerResult} per input,
   * collected, sorted by input and checked to hold each of the {@code count} inputs exactly once. The
   * placing shuffle has run, so Spark skips its map stage and the tasks read its output. Its own job
   * group, so the GEMM stage's progress and timings stay its own.
   */
  static List<LayerResult> evaluateLayers(SparkSession spark, EvaluateSettings settings, JavaRDD<EvalInput> placed,
      long count) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long start = System.nanoTime();
    jsc.setJobGroup("padfree-layers-" + settings.runId(), "padfree: MoE layers of " + count + " batches", false);
    List<LayerResult> layers;
    try {
      layers = new ArrayList<>(placed.mapPartitions(new LayerPartitionEvaluator(settings)).collect());
    } finally {
      jsc.clearJobGroup();
    }
    layers.sort(Comparator.comparingLong(LayerResult::inputIndex));
    java.util.BitSet seen = new java.util.BitSet();
    for (LayerResult layer : layers) {
      if (seen.get((int) layer.inputIndex())) {
        throw new IllegalStateException("input " + layer.inputIndex() + " (batch " + layer.batchId()
            + ") has more than one layer row");
      }
      seen.set((int) layer.inputIndex());
    }
    if (seen.cardinality() != count || (count > 0 && seen.length() != count)) {
      throw new IllegalStateException("layer rows cover " + seen.cardinality() + " of " + count + " inputs");
    }
    LOG.info(String.format("layers: %d batches in %.1f s", layers.size(), (System.nanoTime() - start) / 1e9));
    return layers;
  }

  /** The listener bus delivers events after the fact; the timings need the job's last task ends. */
  private static void awaitListener(ProgressListener progress) {
    try {
      if (!progress.awaitJobEnd(LISTENER_WAIT_MILLIS)) {
        LOG.warn("the evaluation job's end did not reach the progress listener within {} ms;"
            + " the stage timings may miss its last tasks", LISTENER_WAIT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Every input index 0..count-1 appears, none twice per GEMM. Spark guarantees this for collected
   * task results; checking it keeps the promise visible and catches a planning bug at once.
   */
  public static void requireExactlyOnce(List<BatchResult> results, long count) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.BitSet covered = new java.util.BitSet();
    for (BatchResult r : results) {
      if (!seen.add(r.inputIndex() + "/" + r.gemm())) {
        throw new IllegalStateException("input " + r.inputIndex() + " (batch " + r.batchId() + ", " + r.gemm()
            + ") has more than one result row");
      }
      covered.set((int) r.inputIndex());
    }
    if (covered.cardinality() != count || (count > 0 && covered.length() != count)) {
      throw new IllegalStateException("results cover " + covered.cardinality() + " of " + count + " inputs");
    }
  }
}
