package org.padfree.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * When the evaluation stage's tasks ran, from the scheduler's task launch and finish times (epoch
 * milliseconds of the driver's clock, as the listener bus reports them): the stage's span and, per
 * executor, its first launch, last finish, summed task time and task count. Kept apart from the
 * listener so the arithmetic is testable without Spark events. Every finished attempt counts, failed
 * ones too: they took executor time inside the stage's span.
 */
public final class TaskSpans {
  private final Map<String, Executor> executors = new TreeMap<>();
  private long firstLaunch = Long.MAX_VALUE;
  private long lastFinish = Long.MIN_VALUE;

  private static final class Executor {
    long firstLaunch = Long.MAX_VALUE;
    long lastFinish = Long.MIN_VALUE;
    long taskMillis;
    int tasks;
    int failedTasks;
  }

  /** One finished task attempt; a finish before its launch (clock step) counts as zero time. */
  public void add(String executorId, long launchMillis, long finishMillis, boolean successful) {
    long finish = Math.max(launchMillis, finishMillis);
    Executor e = executors.computeIfAbsent(executorId, id -> new Executor());
    e.firstLaunch = Math.min(e.firstLaunch, launchMillis);
    e.lastFinish = Math.max(e.lastFinish, finish);
    e.taskMillis += finish - launchMillis;
    e.tasks++;
    e.failedTasks += successful ? 0 : 1;
    firstLaunch = Math.min(firstLaunch, launchMillis);
    lastFinish = Math.max(lastFinish, finish);
  }

  public boolean isEmpty() {
    return executors.isEmpty();
  }

  /** Launch of the stage's first task; only meaningful when not {@link #isEmpty()}. */
  public long firstLaunchMillis() {
    return firstLaunch;
  }

  /** Finish of the stage's last task; only meaningful when not {@link #isEmpty()}. */
  public long lastFinishMillis() {
    return lastFinish;
  }

  /** First launch to last finish, in seconds; NaN when no task finished. */
  public double spanSeconds() {
    return isEmpty() ? Double.NaN : (lastFinish - firstLaunch) / 1e3;
  }

  /** Per executor, sorted by id, with times in seconds after the stage's first launch. */
  public List<EvaluationTimings.ExecutorSpan> executors() {
    List<EvaluationTimings.ExecutorSpan> out = new ArrayList<>();
    executors.forEach((id, e) -> out.add(new EvaluationTimings.ExecutorSpan(id, e.tasks, e.failedTasks,
        (e.firstLaunch - firstLaunch) / 1e3, (e.lastFinish - firstLaunch) / 1e3, e.taskMillis / 1e3)));
    return out;
  }
}
