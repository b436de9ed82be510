package org.padfree.results;

import java.util.List;
import org.padfree.Validate;

/**
 * Where an evaluation's wall time went, so that the part that does not scale with GPUs is visible
 * next to the part that does. The four phases follow each other on the driver's clock and add up to
 * the evaluation's wall time; a phase whose ends were not seen is NaN.
 *
 * @param planningSeconds start of the run to the evaluation job's submission: reading, decoding and
 *     caching the datasets (which also gives each input's index and size), planning partitions
 * @param placingSeconds the job's submission to the evaluation stage's first task launch: the stage
 *     before it, which shuffles the cached inputs onto their planned partitions
 * @param evaluationSeconds the evaluation stage's span, first task launch to last task finish (its
 *     result received by the driver): the part that more GPUs shorten
 * @param collectSeconds the last task finish to the rows being sorted and checked on the driver
 * @param executors per executor, when its evaluation tasks ran, sorted by executor id
 * @param failedAttempts evaluation task attempts that failed or were lost with their executor, in the
 *     order they ended; their inputs' rows come from a later attempt
 */
public record EvaluationTimings(double planningSeconds, double placingSeconds, double evaluationSeconds,
    double collectSeconds, List<ExecutorSpan> executors, List<FailedAttempt> failedAttempts) {

  /** For runs whose phases were not measured (e.g. reports built from rows alone). */
  public static final EvaluationTimings UNKNOWN =
      new EvaluationTimings(Double.NaN, Double.NaN, Double.NaN, Double.NaN, List.of());

  public EvaluationTimings {
    executors = List.copyOf(Validate.notNull("executors", executors));
    failedAttempts = List.copyOf(Validate.notNull("failedAttempts", failedAttempts));
  }

  /** Timings of a run in which no task attempt failed. */
  public EvaluationTimings(double planningSeconds, double placingSeconds, double evaluationSeconds,
      double collectSeconds, List<ExecutorSpan> executors) {
    this(planningSeconds, placingSeconds, evaluationSeconds, collectSeconds, executors, List.of());
  }

  /**
   * A task attempt of the evaluation stage that did not succeed (an exception, or its executor lost).
   *
   * @param reason Spark's one-line reason, e.g. "ExecutorLostFailure (executor 1 exited ...)"
   */
  public record FailedAttempt(int partition, int attempt, String executorId, String reason) {}

  /** One sentence naming the retried tasks for the reports, or "" when none failed. */
  public String retriesSentence() {
    if (failedAttempts.isEmpty()) {
      return "";
    }
    StringBuilder s = new StringBuilder("Retried tasks (each input's rows come from its successful attempt only): ");
    for (int i = 0; i < failedAttempts.size(); i++) {
      FailedAttempt f = failedAttempts.get(i);
      s.append(i == 0 ? "" : "; ").append("partition ").append(f.partition()).append(" attempt ").append(f.attempt())
          .append(" on executor ").append(f.executorId()).append(" failed: ").append(f.reason());
    }
    return s.append('.').toString();
  }

  /**
   * One executor's share of the evaluation stage, from Spark's task times (not the rows' own times:
   * a task also deserialises its inputs, prepares weights and sends its rows back).
   *
   * @param tasks finished task attempts, failed ones included
   * @param failedTasks those that failed or were killed
   * @param firstLaunchSeconds its first task's launch, seconds after the stage's first launch
   * @param lastFinishSeconds its last task's finish, seconds after the stage's first launch
   * @param sparkTaskSeconds its tasks' durations, summed (named apart from the rows' own task times)
   */
  public record ExecutorSpan(String executorId, int tasks, int failedTasks, double firstLaunchSeconds,
      double lastFinishSeconds, double sparkTaskSeconds) {

    /** First launch to last finish: the time this executor held work, idle gaps included. */
    public double spanSeconds() {
      return lastFinishSeconds - firstLaunchSeconds;
    }
  }

  /**
   * The phases from the run's start and end and what the listener saw (epoch milliseconds, one clock).
   *
   * @param jobSubmittedMillis the evaluation job's submission; negative when no job start was seen
   */
  public static EvaluationTimings of(long startMillis, long jobSubmittedMillis, TaskSpans spans, long endMillis,
      List<FailedAttempt> failedAttempts) {
    boolean submitted = jobSubmittedMillis >= 0;
    boolean ran = !spans.isEmpty();
    return new EvaluationTimings(
        submitted ? seconds(startMillis, jobSubmittedMillis) : Double.NaN,
        submitted && ran ? seconds(jobSubmittedMillis, spans.firstLaunchMillis()) : Double.NaN,
        spans.spanSeconds(),
        ran ? seconds(spans.lastFinishMillis(), endMillis) : Double.NaN,
        spans.executors(), failedAttempts);
  }

  /** The span of the executor with this id, or null when it ran no evaluation task. */
  public ExecutorSpan executor(String executorId) {
    return executors.stream().filter(e -> e.executorId().equals(executorId)).findFirst().orElse(null);
  }

  private static double seconds(long fromMillis, long toMillis) {
    return (toMillis - fromMillis) / 1e3;
  }
}
