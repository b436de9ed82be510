package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.padfree.dataset.DatasetSchema;
import org.padfree.model.ModelCatalog;
import org.padfree.routing.RoutedBatch;
import org.padfree.results.BatchResult;

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
    long startMillis = System.currentTimeMillis();
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
    return EvaluationRun.evaluatePlanned(spark, settings, jsc.parallelize(inputs, Math.min(inputs.size(), wanted)), plan,
        inputs.size(), inputs.size() + " batches of " + source, startMillis).results();
  }
}
