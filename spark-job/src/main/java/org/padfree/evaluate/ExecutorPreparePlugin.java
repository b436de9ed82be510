package org.padfree.evaluate;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.resource.ResourceInformation;

/**
 * A Spark plugin ({@code spark.plugins=org.padfree.evaluate.ExecutorPreparePlugin}) that does an
 * executor's one-time GPU work when the executor starts, before the scheduler gives it a task: opening
 * the CUDA backend on the executor's GPU and making the weight banks of the models named by
 * {@code spark.padfree.prepare.models} ({@link ExecutorPreparation}), on a thread of its own while the
 * driver plans. Without it the first task of every executor pays that inside the evaluation stage, a
 * fixed cost more GPUs do not shrink.
 *
 * <p>The driver side checks the settings when the SparkContext starts (a bad backend or an unknown
 * model fails the application at once, naming the key and value); the executor side never fails the
 * executor: what it could not prepare, the first task prepares as before, and reports if it fails.
 */
public final class ExecutorPreparePlugin implements SparkPlugin {

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverPlugin() {
      @Override
      public Map<String, String> init(org.apache.spark.SparkContext sc, PluginContext ctx) {
        ExecutorPreparation.check(sc.getConf());
        return Map.of();
      }
    };
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext ctx, Map<String, String> extraConf) {
        SparkConf conf = ctx.conf();
        Map<String, ResourceInformation> resources = ctx.resources();
        ResourceInformation gpu = resources.get("gpu");
        java.util.List<String> addresses = gpu == null ? java.util.List.of() : java.util.List.of(gpu.addresses());
        // In the background: init runs while the executor is being built, after it registered with the
        // driver, so done here it held up the job's first tasks (on the H200 the planning job waited
        // the 0.96 s it took). Beside them it overlaps planning; a task that needs the backend or a
        // bank before it is ready waits on the same per-JVM cache entry instead of making its own.
        Thread worker = new Thread(() -> ExecutorPreparation.prepare(conf, addresses), "padfree-executor-prepare");
        worker.setDaemon(true);
        worker.start();
      }
    };
  }
}
