package org.padfree.report

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.report.ReportFixtures.{errorRow, row}
import org.scalatest.funsuite.AnyFunSuite

class ResultAggregatorSuite extends AnyFunSuite {

  private def near(actual: Double, expected: Double, what: String): Unit =
    assert(math.abs(actual - expected) <= 1e-9 * math.max(1.0, math.abs(expected)), s"$what: $actual != $expected")

  /**
   * deepseek-v3/down/balanced: four measured rows (one a mismatch, one without a load imbalance) and
   * an error row whose finite-looking figures must not count.
   */
  private val measured = Seq(
    row(batchId = "b1", speedup = 1.0, savedFraction = 0.1, savedBytes = 100, loadImbalance = 1.0,
      paddingFreeGemmMs = 1, padMs = 0.5, paddedGemmMs = 1.5),
    row(batchId = "b2", speedup = 2.0, savedFraction = 0.2, savedBytes = 200, loadImbalance = 2.0,
      paddingFreeGemmMs = 1, padMs = 0.5, paddedGemmMs = 1.5),
    row(batchId = "b3", status = BatchResult.MISMATCH, bitIdentical = false, speedup = 3.0, savedFraction = 0.3,
      savedBytes = 300, loadImbalance = 3.0, paddingFreeGemmMs = 2, padMs = 1, paddedGemmMs = 3),
    row(batchId = "b4", speedup = 4.0, savedFraction = 0.4, savedBytes = 400, loadImbalance = Double.NaN,
      paddingFreeGemmMs = 1, padMs = 0.5, paddedGemmMs = 1.5))
  private val failedButFinite = row(batchId = "b5", status = BatchResult.ERROR, error = "lost executor",
    speedup = 100.0, savedFraction = 0.9, savedBytes = 900, loadImbalance = 50.0, usefulFlops = 1e12)
  private val gateUpError = errorRow(batchId = "g1", gemm = "gate_up", distribution = "zipf(s=1.2)")
  private val otherModel = row(batchId = "q1", model = "qwen3-30b-a3b", speedup = 1.25)
  private val all = (Seq(gateUpError, otherModel) ++ measured :+ failedButFinite).asJava

  private lazy val summaries = ResultAggregator.summarize(all).asScala.toSeq

  private def group(model: String, gemm: String): GroupSummary =
    summaries.find(g => g.model == model && g.gemm == gemm).getOrElse(fail(s"no group $model/$gemm"))

  test("groups are sorted by model, GEMM, distribution; the total row comes last") {
    assert(summaries.map(g => (g.model, g.gemm, g.distribution)) == Seq(
      ("deepseek-v3", "down", "balanced"),
      ("deepseek-v3", "gate_up", "zipf(s=1.2)"),
      ("qwen3-30b-a3b", "down", "balanced"),
      ("*", "*", "*")))
    assert(summaries.last.isTotal && !summaries.head.isTotal)
  }

  test("counts: error rows are failures, mismatches are failures, both count as batches") {
    val g = group("deepseek-v3", "down")
    assert((g.batches, g.errors, g.mismatches, g.failures) == (5L, 1L, 1L, 2L))
  }

  test("speedup percentiles over non-error rows: 1 2 3 4 give p50 2.5, p90 3.7, min 1") {
    val g = group("deepseek-v3", "down")
    near(g.speedupP50, 2.5, "p50")
    near(g.speedupP90, 3.7, "p90")
    near(g.speedupMin, 1.0, "min")
  }

  test("bit-identical rate is over non-error rows: 3 of 4") {
    near(group("deepseek-v3", "down").bitIdenticalRate, 0.75, "bit-identical rate")
  }

  test("memory saving percentiles and mean load imbalance skip the error row and NaN") {
    val g = group("deepseek-v3", "down")
    near(g.savingP50, 0.25, "saving p50")
    near(g.savingMax, 0.4, "saving max (the error row's 0.9 left out)")
    near(g.savedBytesP50, 250, "saved bytes p50")
    near(g.meanLoadImbalance, 2.0, "mean of 1, 2, 3 (b4's NaN and the error row's 50 left out)")
  }

  test("throughput is summed useful FLOPs over summed time, in TFLOP/s") {
    val g = group("deepseek-v3", "down")
    near(g.usefulTflops, 8e9 / 5e-3 / 1e12, "4 x 2 GFLOP in 5 ms of padding-free GEMM")
    near(g.paddedPathTflops, 8e9 / 10e-3 / 1e12, "4 x 2 GFLOP in 10 ms of pad + padded GEMM")
  }

  test("a group of only error rows counts them and has NaN figures") {
    val g = group("deepseek-v3", "gate_up")
    assert((g.batches, g.errors, g.mismatches, g.failures) == (1L, 1L, 0L, 1L))
    Seq(g.bitIdenticalRate, g.speedupP50, g.speedupP90, g.speedupMin, g.savingP50, g.savingMax, g.savedBytesP50,
      g.meanLoadImbalance, g.usefulTflops, g.paddedPathTflops).foreach(v => assert(v.isNaN, g.toString))
  }

  test("the total row aggregates every row") {
    val t = summaries.last
    assert((t.model, t.gemm, t.distribution) == ("*", "*", "*"))
    assert((t.batches, t.errors, t.mismatches, t.failures) == (7L, 2L, 1L, 3L))
    near(t.speedupP50, 2.0, "median of 1, 1.25, 2, 3, 4")
    near(t.speedupMin, 1.0, "min")
    near(t.bitIdenticalRate, 4.0 / 5, "4 of 5 non-error rows")
    near(t.usefulTflops, 10e9 / 6e-3 / 1e12, "5 x 2 GFLOP in 6 ms")
  }

  test("non-finite speedups of measured rows are skipped but the rows still count") {
    val rows = Seq(row(speedup = Double.NaN), row(speedup = Double.PositiveInfinity), row(speedup = 2.0))
    val g = ResultAggregator.total(rows.asJava)
    assert(g.batches == 3 && g.failures == 0)
    near(g.speedupP50, 2.0, "p50")
    near(g.speedupMin, 2.0, "min")
    near(g.bitIdenticalRate, 1.0, "rate over all three")
  }

  test("rows with a NaN timing are left out of both throughput figures, keeping them comparable") {
    val rows = Seq(row(paddingFreeGemmMs = 1.0), row(padMs = Double.NaN, paddingFreeGemmMs = 0.001))
    val g = ResultAggregator.total(rows.asJava)
    near(g.usefulTflops, 2e9 / 1e-3 / 1e12, "only the first row")
    near(g.paddedPathTflops, 2e9 / 2e-3 / 1e12, "only the first row")
  }

  test("no rows: only a total row, with zero counts and NaN figures") {
    val s = ResultAggregator.summarize(java.util.List.of[BatchResult]()).asScala
    assert(s.size == 1 && s.head.isTotal && s.head.batches == 0 && s.head.failures == 0)
    assert(s.head.bitIdenticalRate.isNaN && s.head.speedupP50.isNaN && s.head.usefulTflops.isNaN)
  }

  test("by shape: one summary per (model, GEMM) over all distributions") {
    val rows = Seq(row(distribution = "balanced"), row(distribution = "zipf(s=1.2)"), row(gemm = "gate_up"))
    val shapes = ResultAggregator.byShape(rows.asJava).asScala
    assert(shapes.map(s => (s.model, s.gemm, s.distribution, s.batches)) ==
      Seq(("deepseek-v3", "down", "*", 2L), ("deepseek-v3", "gate_up", "*", 1L)))
  }

  test("a row with null keys is grouped under empty keys rather than failing the report") {
    val s = ResultAggregator.byGroup(java.util.List.of(row(model = null, distribution = null))).asScala
    assert(s.map(g => (g.model, g.gemm, g.distribution)) == Seq(("", "down", "")))
  }
}
