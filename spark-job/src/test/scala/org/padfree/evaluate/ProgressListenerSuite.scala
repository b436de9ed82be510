package org.padfree.evaluate

import java.util.Properties

import org.apache.spark.Success
import org.apache.spark.scheduler.{JobSucceeded, SparkListenerJobEnd, SparkListenerJobStart, SparkListenerTaskEnd,
  StageInfo, TaskInfo, TaskLocality}
import org.scalatest.funsuite.AnyFunSuite

/**
 * The listener on synthetic scheduler events: it takes its times from the events (not from when they
 * arrive), counts only the evaluation job's result stage, and tells when the job's end has arrived.
 */
class ProgressListenerSuite extends AnyFunSuite {
  private val group = "padfree-evaluate-test"
  private val t0 = 1_700_000_000_000L
  private val plan = PartitionPlan.of(Array(0L, 1L, 2L, 3L), Array(1.0, 1.0, 1.0, 1.0), 2)

  private def stage(id: Int): StageInfo =
    new StageInfo(id, 0, s"stage $id", 2, Seq.empty, Seq.empty, "", null, Seq.empty, None, 0, false, 0)

  /** A job of a shuffle-map stage and a result stage (the higher id), in the given job group. */
  private def jobStart(jobId: Int, time: Long, jobGroup: String, stages: Int*): SparkListenerJobStart = {
    val properties = new Properties()
    properties.setProperty("spark.jobGroup.id", jobGroup)
    SparkListenerJobStart(jobId, time, stages.map(stage), properties)
  }

  private var taskIds = 0L

  /** A finished attempt of partition {@code partition} in stage {@code stageId}. */
  private def taskEnd(stageId: Int, partition: Int, executor: String, launch: Long, finish: Long,
      failed: Boolean = false): SparkListenerTaskEnd = {
    taskIds += 1
    val info = new TaskInfo(taskIds, partition, 0, partition, launch, executor, "host-a", TaskLocality.PROCESS_LOCAL,
      false)
    info.finishTime = finish
    info.failed = failed
    SparkListenerTaskEnd(stageId, 0, "ResultTask", Success, info, null, null)
  }

  test("only the evaluation job's result stage counts; times come from the events; phases add up") {
    val listener = new ProgressListener(group, plan, 4)
    listener.onJobStart(jobStart(7, t0 + 1000, "someone-else", 0, 1))
    listener.onJobStart(jobStart(8, t0 + 2000, group, 2, 3))
    listener.onTaskEnd(taskEnd(2, 0, "1", t0 + 2100, t0 + 2500)) // the placing shuffle: not evaluation
    listener.onTaskEnd(taskEnd(1, 0, "1", t0 + 1000, t0 + 99000)) // another job's stage
    listener.onTaskEnd(taskEnd(3, 0, "1", t0 + 3000, t0 + 7000))
    listener.onTaskEnd(taskEnd(3, 1, "2", t0 + 3000, t0 + 4000, failed = true))
    listener.onTaskEnd(taskEnd(3, 1, "2", t0 + 4500, t0 + 8000))
    listener.onJobEnd(SparkListenerJobEnd(8, t0 + 8001, JobSucceeded))
    assert(listener.awaitJobEnd(0))

    val timings = listener.timings(t0, t0 + 8500)
    assert(timings.planningSeconds == 2.0 && timings.placingSeconds == 1.0, timings)
    assert(timings.evaluationSeconds == 5.0 && timings.collectSeconds == 0.5, timings)
    val one = timings.executor("1")
    assert(one.tasks == 1 && one.firstLaunchSeconds == 0.0 && one.lastFinishSeconds == 4.0 && one.sparkTaskSeconds == 4.0, one)
    val two = timings.executor("2")
    assert(two.tasks == 2 && two.failedTasks == 1 && two.spanSeconds == 5.0 && two.sparkTaskSeconds == 4.5, two)
  }

  test("awaitJobEnd waits for the evaluation job's end, not another job's, and gives up after its timeout") {
    val listener = new ProgressListener(group, plan, 4)
    listener.onJobStart(jobStart(1, t0, group, 0, 1))
    listener.onJobEnd(SparkListenerJobEnd(99, t0 + 10, JobSucceeded))
    val started = System.nanoTime()
    assert(!listener.awaitJobEnd(50), "another job's end does not count")
    assert(System.nanoTime() - started >= 40L * 1000000L, "it waited")

    val ender = new Thread(() => { Thread.sleep(50); listener.onJobEnd(SparkListenerJobEnd(1, t0 + 20, JobSucceeded)) })
    ender.start()
    assert(listener.awaitJobEnd(10000), "the job's end, arriving on the bus's thread, wakes the waiting driver")
    ender.join()
  }
}
