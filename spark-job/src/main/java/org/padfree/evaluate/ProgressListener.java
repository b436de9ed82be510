package org.padfree.evaluate;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver-side progress: one INFO line per finished evaluation partition with batches done, elapsed
 * time and an ETA from the average pace so far. Only the evaluation job's result stage counts (the
 * job is recognised by its job group), so the shuffle that places inputs does not skew the figures.
 */
final class ProgressListener extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger("org.padfree.progress");

  private final String jobGroup;
  private final PartitionPlan plan;
  private final long totalInputs;
  private final long startNanos = System.nanoTime();
  private final Set<Integer> resultStages = new HashSet<>();
  private final Set<Integer> finishedPartitions = new HashSet<>();
  private long inputsDone;

  ProgressListener(String jobGroup, PartitionPlan plan, long totalInputs) {
    this.jobGroup = jobGroup;
    this.plan = plan;
    this.totalInputs = totalInputs;
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart jobStart) {
    if (jobGroup.equals(jobStart.properties().getProperty("spark.jobGroup.id"))) {
      int last = -1;
      for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(jobStart.stageIds())) {
        last = Math.max(last, (Integer) id);
      }
      resultStages.add(last); // the result stage has the highest id of the job
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    if (!resultStages.contains(taskEnd.stageId()) || !taskEnd.taskInfo().successful()) {
      return;
    }
    int partition = taskEnd.taskInfo().partitionId();
    if (!finishedPartitions.add(partition)) {
      return; // a speculative duplicate
    }
    inputsDone += plan.inputsIn(partition);
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    double eta = inputsDone == 0 ? Double.NaN : elapsed / inputsDone * (totalInputs - inputsDone);
    LOG.info(String.format("evaluated partition %d (%d batches): %d/%d partitions, %d/%d batches, %.1f s elapsed, ETA %.0f s",
        partition, plan.inputsIn(partition), finishedPartitions.size(), plan.partitions(), inputsDone, totalInputs,
        elapsed, eta));
  }
}
