package org.padfree.jobs;

import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.padfree.InvalidInputException;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.padfree.routing.RoutingDistribution;
import org.padfree.routing.RoutingGenerator;
import org.padfree.spark.ActiveOrLocalSession;
import org.padfree.dataset.DatasetIO;
import org.padfree.dataset.DatasetSchema;
import org.padfree.dataset.GenerateDatasetOptions;
import org.padfree.dataset.BatchSeeds;
import org.padfree.dataset.ActivationGenerator;
import org.padfree.quant.QuantizedActivations;
import org.padfree.routing.RoutedBatch;

/**
 * Generates a routed-batch dataset: {@code --batches} batches for every (model, distribution) pair.
 * The driver plans the batches (ids, token counts, seeds); executors generate the routing, so large
 * datasets scale with the cluster. See {@link GenerateDatasetOptions#USAGE}.
 */
public final class GenerateDataset {
  private GenerateDataset() {}

  /** One batch to generate; everything an executor needs, so generation needs no shared state. */
  public record BatchPlan(String batchId, String model, String distribution, int numExperts, int topK, int numTokens,
      long seed, int hidden) implements Serializable {

    /** A plan without activations (hidden 0). */
    public BatchPlan(String batchId, String model, String distribution, int numExperts, int topK, int numTokens,
        long seed) {
      this(batchId, model, distribution, numExperts, topK, numTokens, seed, 0);
    }
  }

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the command line; returns the exit status (2 for bad input), printing errors to {@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    GenerateDatasetOptions options;
    try {
      options = GenerateDatasetOptions.parse(args);
    } catch (InvalidInputException e) {
      err.println("GenerateDataset: " + e.getMessage());
      return 2;
    }
    if (options.help()) {
      out.print(GenerateDatasetOptions.USAGE);
      return 0;
    }
    try (ActiveOrLocalSession spark = ActiveOrLocalSession.open("padfree GenerateDataset")) {
      long written = generate(spark.session(), options);
      out.println("GenerateDataset: wrote " + written + " batches (" + options.models() + " x "
          + options.distributions() + " x " + options.batches() + ", tokens " + options.tokens() + ", seed "
          + options.seed() + ") to " + options.out());
      return 0;
    } catch (InvalidInputException e) {
      err.println("GenerateDataset: " + e.getMessage());
      return 2;
    }
  }

  /** Plans, generates and writes the dataset; returns the number of batches written. */
  public static long generate(SparkSession spark, GenerateDatasetOptions options) {
    List<BatchPlan> plans = plan(options, ModelCatalog.load(options.confDir()));
    int partitions = options.partitions() > 0 ? options.partitions() : Math.max(1, (plans.size() + 63) / 64);
    // parallelize keeps the list order within and across partitions, so the files are in plan order.
    boolean activations = options.withActivations();
    JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(plans, Math.min(partitions, plans.size()))
        .map(plan -> generateRow(plan, activations));
    Dataset<Row> batches = spark.createDataFrame(rows,
        activations ? DatasetSchema.SCHEMA_WITH_ACTIVATIONS : DatasetSchema.SCHEMA);
    DatasetIO.write(batches, options.out(), options.overwrite());
    return plans.size();
  }

  /**
   * Every batch to generate, in (model, distribution, index) order. Batch ids read
   * {@code model:distribution:index}. Each batch's token count and seed come from a stream seeded by
   * the base seed and the batch id alone, so adding models, distributions or batches to a command
   * never changes the batches it already produced.
   */
  public static List<BatchPlan> plan(GenerateDatasetOptions options, ModelCatalog catalog) {
    List<BatchPlan> plans = new ArrayList<>();
    for (String name : options.models()) {
      ModelShape model = catalog.byName(name);
      for (RoutingDistribution distribution : options.distributions()) {
        try {
          RoutingGenerator.requireFeasible(distribution, model.experts(), model.topK(), options.tokens().max());
        } catch (InvalidInputException e) {
          throw e.withContext(" for model " + model.name());
        }
        for (int i = 0; i < options.batches(); i++) {
          String batchId = String.format("%s:%s:%05d", model.name(), distribution, i);
          SplittableRandom random = new SplittableRandom(options.seed() ^ BatchSeeds.stableHash(batchId));
          int tokens = options.tokens().sample(random);
          plans.add(new BatchPlan(batchId, model.name(), distribution.toString(), model.experts(), model.topK(),
              tokens, random.nextLong(), model.hidden()));
        }
      }
    }
    return plans;
  }

  private static Row generateRow(BatchPlan plan, boolean activations) {
    RoutedBatch batch = RoutingGenerator.generate(plan.batchId(), plan.model(),
        RoutingDistribution.parse(plan.distribution()), plan.numExperts(), plan.topK(), plan.numTokens(), plan.seed());
    if (!activations) {
      return DatasetSchema.toRow(batch);
    }
    QuantizedActivations a = ActivationGenerator.fp8(plan.seed(), plan.numTokens(), plan.hidden());
    return DatasetSchema.toRow(batch, a.values(), a.scales());
  }
}
