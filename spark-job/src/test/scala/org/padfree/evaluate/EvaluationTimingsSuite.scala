package org.padfree.evaluate

import org.scalatest.funsuite.AnyFunSuite
import org.padfree.results.EvaluationTimings
import org.padfree.results.TaskSpans

/** The timing arithmetic on (executor, launch, finish) triples in epoch milliseconds, without Spark. */
class EvaluationTimingsSuite extends AnyFunSuite {
  private val t0 = 1_700_000_000_000L // an epoch instant, as the listener bus reports them

  /** Two executors: "1" runs 0-4 s and 5-9 s (a 1 s gap), "2" starts late and runs 2-10 s, one attempt failing. */
  private def twoExecutors(): TaskSpans = {
    val spans = new TaskSpans
    spans.add("1", t0, t0 + 4000, true)
    spans.add("2", t0 + 2000, t0 + 3000, false)
    spans.add("1", t0 + 5000, t0 + 9000, true)
    spans.add("2", t0 + 3000, t0 + 10000, true)
    spans
  }

  test("stage span: first launch to last finish over every executor and attempt") {
    val spans = twoExecutors()
    assert(spans.firstLaunchMillis == t0 && spans.lastFinishMillis == t0 + 10000)
    assert(spans.spanSeconds == 10.0)
  }

  test("per executor: first launch and last finish after the stage's start, summed task time, tasks and failures") {
    val byId = twoExecutors().executors
    assert(byId.size == 2 && byId.get(0).executorId == "1" && byId.get(1).executorId == "2", byId)
    val one = byId.get(0)
    assert(one.tasks == 2 && one.failedTasks == 0, one)
    assert(one.firstLaunchSeconds == 0.0 && one.lastFinishSeconds == 9.0 && one.spanSeconds == 9.0, one)
    assert(one.sparkTaskSeconds == 8.0, "the 1 s idle gap is in the span, not in the task time: " + one)
    val two = byId.get(1)
    assert(two.tasks == 2 && two.failedTasks == 1, two)
    assert(two.firstLaunchSeconds == 2.0 && two.lastFinishSeconds == 10.0 && two.sparkTaskSeconds == 8.0, two)
  }

  test("a finish before its launch (the driver's clock stepped back) counts as zero time, never negative") {
    val spans = new TaskSpans
    spans.add("1", t0 + 500, t0 + 200, true)
    assert(spans.spanSeconds == 0.0 && spans.executors.get(0).sparkTaskSeconds == 0.0)
  }

  test("the four phases follow each other and add up to the evaluation's wall time") {
    val start = t0 - 4100 // planning 4.1 s, then the job is submitted 1.2 s before the first launch
    val timings = EvaluationTimings.of(start, t0 - 1200, twoExecutors(), t0 + 10000 + 300, java.util.List.of())
    assert(timings.planningSeconds == 2.9, timings)
    assert(timings.placingSeconds == 1.2, timings)
    assert(timings.evaluationSeconds == 10.0, timings)
    assert(timings.collectSeconds == 0.3, timings)
    val sum = timings.planningSeconds + timings.placingSeconds + timings.evaluationSeconds + timings.collectSeconds
    assert(math.abs(sum - (t0 + 10300 - start) / 1e3) < 1e-9, s"sum $sum")
    assert(timings.executor("2").tasks == 2 && timings.executor("9") == null)
  }

  test("phases whose ends were not seen are NaN: no job start, or no task finished") {
    val noJob = EvaluationTimings.of(t0, -1, twoExecutors(), t0 + 20000, java.util.List.of())
    assert(noJob.planningSeconds.isNaN && noJob.placingSeconds.isNaN, noJob)
    assert(noJob.evaluationSeconds == 10.0 && noJob.collectSeconds == 10.0, noJob)
    val noTasks = EvaluationTimings.of(t0, t0 + 1000, new TaskSpans, t0 + 2000, java.util.List.of())
    assert(noTasks.planningSeconds == 1.0, noTasks)
    assert(noTasks.placingSeconds.isNaN && noTasks.evaluationSeconds.isNaN && noTasks.collectSeconds.isNaN, noTasks)
    assert(noTasks.executors.isEmpty)
  }

  test("failed attempts are kept in order and named in the reports' retries sentence") {
    val lost = new EvaluationTimings.FailedAttempt(3, 0, "1", "ExecutorLostFailure (executor 1 exited)")
    val thrown = new EvaluationTimings.FailedAttempt(5, 1, "2", "IllegalStateException: boom")
    val timings = EvaluationTimings.of(t0, t0 + 10, twoExecutors(), t0 + 20000, java.util.List.of(lost, thrown))
    assert(timings.failedAttempts == java.util.List.of(lost, thrown))
    val sentence = timings.retriesSentence
    assert(sentence.contains("partition 3 attempt 0 on executor 1 failed: ExecutorLostFailure"), sentence)
    assert(sentence.contains("partition 5 attempt 1 on executor 2 failed: IllegalStateException: boom"), sentence)
    assert(EvaluationTimings.UNKNOWN.retriesSentence.isEmpty)
  }
}
