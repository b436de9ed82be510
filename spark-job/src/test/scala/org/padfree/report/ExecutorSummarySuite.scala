package org.padfree.report

import org.padfree.results.BatchResult
import org.padfree.results.EvaluationTimings
import org.scalatest.funsuite.AnyFunSuite

class ExecutorSummarySuite extends AnyFunSuite {
  /** A measured row on an executor and GPU with the given routed rows, busy and task milliseconds. */
  private def gpuRow(input: Long, executor: String, uuid: String, rows: Int, busyMs: Double, taskMs: Double,
      status: org.padfree.results.BatchStatus = BatchResult.OK): BatchResult = {
    ReportFixtures.row(status = status, inputIndex = input, executorId = executor, gpuUuid = uuid, rows = rows,
      numTokens = rows / 8, backend = "cuda", gpuBusyMs = busyMs, taskMs = taskMs)
  }

  test("busy fraction per executor and GPU: time-weighted, large rows separately, error rows left out") {
    val rows = Seq(
      gpuRow(0, "1", "GPU-a", 16384, busyMs = 900, taskMs = 1000),
      gpuRow(1, "1", "GPU-a", 1024, busyMs = 10, taskMs = 100),
      gpuRow(2, "2", "GPU-b", 8192, busyMs = 400, taskMs = 500),
      gpuRow(3, "2", "GPU-b", 8192, busyMs = Double.NaN, taskMs = 50, status = BatchResult.ERROR))
    val s = ExecutorSummary.of(java.util.List.of(rows: _*))
    assert(s.size == 2)
    val a = s.get(0)
    assert(a.executorId == "1" && a.gpuUuid == "GPU-a" && a.rows == 2 && a.batches == 2 && a.largeRows == 1)
    assert(math.abs(a.busyFraction - 910.0 / 1100) < 1e-12 && math.abs(a.largeBusyFraction - 0.9) < 1e-12)
    assert(a.tokens == 16384 / 8 + 1024 / 8 && math.abs(a.gpuBusySeconds - 0.91) < 1e-12)
    val b = s.get(1)
    assert(b.rows == 1 && math.abs(b.busyFraction - 0.8) < 1e-12 && b.largeRows == 1)
  }

  test("Spark task time and task span come from the run's timings, joined by executor id; NaN where absent") {
    val rows = Seq(gpuRow(0, "1", "GPU-a", 16384, busyMs = 900, taskMs = 1000),
      gpuRow(1, "2", "GPU-b", 1024, busyMs = 10, taskMs = 100))
    val timings = new EvaluationTimings(1.0, 0.5, 3.0, 0.25,
      java.util.List.of(new EvaluationTimings.ExecutorSpan("1", 2, 0, 0.5, 3.0, 2.25)))
    val s = ExecutorSummary.of(java.util.List.of(rows: _*), timings)
    assert(s.get(0).taskSpanSeconds == 2.5 && s.get(0).sparkTaskSeconds == 2.25, s.get(0))
    assert(s.get(1).taskSpanSeconds.isNaN && s.get(1).sparkTaskSeconds.isNaN, "executor 2 has no span: " + s.get(1))
    assert(s.get(0).cells.get(ExecutorSummary.COLUMNS.indexOf("task span")) == "2.5 s")
    assert(s.get(0).cells.size == ExecutorSummary.COLUMNS.size)
  }

  test("throughput over the evaluation stage: tokens per stage second, and the sentence names stage and planning") {
    val rows = java.util.List.of(ReportFixtures.row(numTokens = 300, taskMs = 40))
    val t = ExecutorSummary.Throughput.of(rows, 10.0, new EvaluationTimings(2.5, 0.5, 6.0, 1.0, java.util.List.of()))
    assert(t.tokensPerSecond == 30 && t.tokensPerEvaluationSecond == 50 && t.evaluationSeconds == 6.0, t)
    assert(t.sentence.endsWith("of wall time; of that, the evaluation stage took 6.0 s (50.0 tokens/s), reading inputs"
      + " and planning 2.5 s, placing inputs 0.5 s and collecting results 1.0 s"), t.sentence)
    val unmeasured = ExecutorSummary.Throughput.of(rows, 10.0)
    assert(unmeasured.tokensPerEvaluationSecond.isNaN && unmeasured.sentence.endsWith("per second of wall time"))
  }

  test("CPU rows have no busy fraction; throughput counts each batch once over the wall time") {
    val cpu = ReportFixtures.row(taskMs = 40)
    val cpuDown = ReportFixtures.row(gemm = "gate_up", taskMs = 40)
    val s = ExecutorSummary.of(java.util.List.of(cpu, cpuDown))
    assert(s.size == 1 && s.get(0).busyFraction.isNaN && s.get(0).gpuBusySeconds.isNaN && s.get(0).batches == 1)
    val t = ExecutorSummary.Throughput.of(java.util.List.of(cpu, cpuDown), 2.0)
    assert(t.batches == 1 && t.tokens == 64 && t.tokensPerSecond == 32 && t.batchesPerSecond == 0.5)
    assert(math.abs(t.usefulTflopsPerSecond - 2 * 2e9 / 2.0 / 1e12) < 1e-15)
  }
}
