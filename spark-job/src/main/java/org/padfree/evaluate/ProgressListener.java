package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.padfree.results.EvaluationTimings;
import org.padfree.results.TaskSpans;

/**
 * Driver-side progress and timing of the evaluation job: one INFO line per finished evaluation
 * partition with batches done, elapsed time and an ETA from the average pace so far, and the times
 * {@link EvaluationTimings} is built from (the job's submission, each task's launch and finish per
 * executor). Only the evaluation job's result stage counts (the job is recognised by its job group),
 * so the shuffle that places inputs does not skew the figures. Times are the listener bus's (the
 * scheduler's clock when the event happened), not the time the event reached this listener.
 */
final class ProgressListener extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger("org.padfree.progress");

  private final String jobGroup;
  private final PartitionPlan plan;
  private final long totalInputs;
  private final long startNanos = System.nanoTime();
  private final Set<Integer> resultStages = new HashSet<>();
  private final Set<Integer> finishedPartitions = new HashSet<>();
  private final Set<Integer> runningJobs = new HashSet<>();
  private final TaskSpans spans = new TaskSpans();
  private final List<EvaluationTimings.FailedAttempt> failedAttempts = new ArrayList<>();
  private long jobSubmittedMillis = -1;
  private boolean jobEnded;
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
      runningJobs.add(jobStart.jobId());
      if (jobSubmittedMillis < 0) {
        jobSubmittedMillis = jobStart.time();
      }
    }
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
    if (runningJobs.remove(jobEnd.jobId()) && runningJobs.isEmpty()) {
      jobEnded = true;
      notifyAll();
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    TaskInfo task = taskEnd.taskInfo();
    if (!resultStages.contains(taskEnd.stageId()) || !task.finished()) {
      return;
    }
    spans.add(task.executorId(), task.launchTime(), task.finishTime(), task.successful());
    if (!task.successful()) {
      String reason = taskEnd.reason() instanceof TaskFailedReason f ? f.toErrorString() : String.valueOf(taskEnd.reason());
      reason = reason.lines().findFirst().orElse("").strip();
      reason = reason.length() > 300 ? reason.substring(0, 300) + "..." : reason;
      failedAttempts.add(new EvaluationTimings.FailedAttempt(task.partitionId(), task.attemptNumber(), task.executorId(),
          reason));
      LOG.warn(String.format("evaluation partition %d attempt %d on executor %s failed (%s); Spark retries it",
          task.partitionId(), task.attemptNumber(), task.executorId(), reason));
      return;
    }
    int partition = task.partitionId();
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

  /**
   * Waits until the evaluation job's end has reached this listener. Events arrive asynchronously, so
   * when the action returns the last task ends may still be queued; the job's end is posted after
   * them, and once it is here every task end of the job is too.
   *
   * @return false when it did not arrive in time (the timings then miss the last tasks)
   */
  synchronized boolean awaitJobEnd(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!jobEnded) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** The phases of the evaluation that started at {@code startMillis} and ended at {@code endMillis}. */
  synchronized EvaluationTimings timings(long startMillis, long endMillis) {
    return EvaluationTimings.of(startMillis, jobSubmittedMillis, spans, endMillis, failedAttempts);
  }
}
