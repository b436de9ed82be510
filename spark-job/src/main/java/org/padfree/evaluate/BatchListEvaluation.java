package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.padfree.dataset.DatasetSchema;
import org.padfree.model.ModelCatalog;
import org.padfree.routing.RoutedBatch;
import scala.Tuple2;

/**
 * Evaluates batches that are already in the driver's memory (a sweep's generated grid) exactly as
 * {@link EvaluateJob} evaluates a dataset: the same cost-planned partitions, the same task body
 * ({@link PartitionEvaluator}, so the same backend selection, checks and error rows) and the same
 * exactly-once check of the collected rows. Only where the inputs come from differs.
 */
public final class BatchListEvaluation {
  private BatchListEvaluation() {}

  /**
   * One result row per batch and requested GEMM, sorted by input (the position in {@code batches})
   * and GEMM.
   *
   * @param source what the rows' {@code dataset} column says, e.g. {@code sweep:nightly-cpu}
   * @param partitions evaluation tasks; 0 = 2 x default parallelism
   */
  public static List<BatchResult> evaluate(SparkSession spark, EvaluateSettings settings, String source,
      List<RoutedBatch> batches, int partitions) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    ModelCatalog catalog = ModelCatalog.load(settings.modelsDir());
    List<EvalInput> inputs = new ArrayList<>(batches.size());
    long[] indices = new long[batches.size()];
    double[] costs = new double[batches.size()];
    for (int i = 0; i < batches.size(); i++) {
      EvalInput input = EvalInput.of(i, source, DatasetSchema.toRow(batches.get(i)));
      inputs.add(input);
      indices[i] = i;
      costs[i] = EvalInputs.InputMeta.of(input).cost(catalog, settings.gemms());
    }
    if (inputs.isEmpty()) {
      return List.of();
    }
    int wanted = partitions > 0 ? partitions : 2 * jsc.defaultParallelism();
    PartitionPlan plan = PartitionPlan.of(indices, costs, wanted);
    JavaRDD<EvalInput> placed = jsc.parallelize(inputs, Math.min(inputs.size(), wanted))
        .mapToPair(in -> new Tuple2<>(in.index(), in))
        .partitionBy(plan.partitioner())
        .values();
    String jobGroup = "padfree-evaluate-" + settings.runId();
    ProgressListener progress = new ProgressListener(jobGroup, plan, inputs.size());
    spark.sparkContext().addSparkListener(progress);
    jsc.setJobGroup(jobGroup, "padfree: evaluate " + inputs.size() + " batches of " + source, false);
    List<BatchResult> results;
    try {
      results = new ArrayList<>(placed.mapPartitions(new PartitionEvaluator(settings)).collect());
    } finally {
      jsc.clearJobGroup();
      spark.sparkContext().removeSparkListener(progress);
    }
    results.sort(Comparator.comparingLong(BatchResult::inputIndex).thenComparing(BatchResult::gemm));
    EvaluationRun.requireExactlyOnce(results, inputs.size());
    return results;
  }
}
