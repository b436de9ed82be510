package org.padfree.reference

import java.util.SplittableRandom
import org.padfree.numerics.Bf16
import org.padfree.quant.Fp8Quantizer
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

class CpuGroupedGemmSuite extends AnyFunSuite with BeforeAndAfterAll {
  private val gemm = new CpuGroupedGemm(2)
  override def afterAll(): Unit = gemm.close()

  private def denseOperands(m: Int, n: Int, k: Int, seed: Long) = (
    Fp8Quantizer.quantizeActivations(SyntheticData.activations(seed, m, k), m, k),
    Fp8Quantizer.quantizeWeights(SyntheticData.weights(seed + 1, n, k), n, k))

  private val denseShapes = Seq((1, 1, 1), (3, 17, 5), (67, 300, 200), (64, 256, 256), (130, 129, 385), (5, 513, 128))

  test("dense: every element equals the literal definition, bit for bit") {
    for ((m, n, k) <- denseShapes) {
      val (a, b) = denseOperands(m, n, k, m * 1000L + n)
      val d = gemm.dense(a, b)
      for (row <- 0 until m; col <- 0 until n) {
        val expected = GemmFixture.definition(a, row, b, 0, col)
        assert(d.bits()(row * n + col) == expected, s"shape ($m,$n,$k) element ($row,$col)")
      }
    }
  }

  test("dense: within the documented bound of the double reference; relative error below 2^-17") {
    for ((m, n, k) <- denseShapes :+ ((32, 256, 2048))) {
      val (a, b) = denseOperands(m, n, k, 77L + k)
      val d = gemm.dense(a, b)
      val ref = DoubleReference.compute(a, 0, m, b, 0)
      for (row <- 0 until m; col <- 0 until n) {
        val err = math.abs(d.get(row, col) - ref.values()(row * n + col))
        assert(err <= ref.bound(row, col), s"shape ($m,$n,$k) element ($row,$col): |${d.get(row, col)} - ${ref.values()(row * n + col)}| > ${ref.bound(row, col)}")
      }
      val rel = RelativeError.of(RelativeError.rows(d, 0, m), ref.values())
      assert(rel < math.pow(2, -17), s"shape ($m,$n,$k): relative error $rel")
    }
  }

  test("padded, padding-free and masked layouts give bit-identical valid rows (groups of 0, 1, 127, 128, 129, 300)") {
    val f = GemmFixture.fromCounts(Array(0, 1, 127, 128, 129, 0, 300, 1), n = 160, k = 272, seed = 9L)
    val free = gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
    val padded = gemm.paddedContiguous(f.paddedA, f.weights, f.padded.groupIndex)
    val masked = gemm.masked(f.maskedA, f.weights, f.masked.maxRows, f.masked.counts)
    assert(free.rows == f.batch.routedRows && padded.rows == f.padded.paddedRows)
    for (e <- 0 until f.batch.numExperts; i <- 0 until f.free.groupSize(e)) {
      val r = f.free.offsets()(e) + i
      assert(free.rowEquals(r, padded, f.padded.groupStarts()(e) + i), s"$f expert $e row $i: padded differs")
      assert(free.rowEquals(r, masked, e * f.masked.maxRows + i), s"$f expert $e row $i: masked differs")
    }
    for (r <- 0 until f.padded.paddedRows if f.padded.groupIndex()(r) < 0)
      assert(padded.bits().slice(r * 160, (r + 1) * 160).forall(_ == 0), s"padding row $r was written")
    for (e <- 0 until f.batch.numExperts; i <- f.masked.counts()(e) until f.masked.maxRows)
      assert(masked.bits().slice((e * f.masked.maxRows + i) * 160, (e * f.masked.maxRows + i + 1) * 160).forall(_ == 0))
    // and the padding-free rows are the right expert's product: spot-check against the definition
    for (e <- Seq(1, 4, 6); col <- Seq(0, 77, 159)) {
      val r = f.free.offsets()(e) + f.free.groupSize(e) - 1
      assert(free.bits()(r * 160 + col) == GemmFixture.definition(f.freeA, r, f.weights, e, col), s"expert $e col $col")
    }
  }

  test("results do not depend on the thread count") {
    val f = GemmFixture.fromCounts(Array(70, 3, 200, 0, 64), n = 300, k = 256, seed = 4L)
    val one = new CpuGroupedGemm(1)
    try {
      val a = one.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
      val b = gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
      assert(java.util.Arrays.equals(a.bits(), b.bits()))
    } finally one.close()
  }

  test("empty batches and empty experts are fine: zero rows in, zero rows out") {
    val f = GemmFixture.fromCounts(Array(0, 0, 0), n = 16, k = 128)
    assert(gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets).rows == 0)
    assert(gemm.paddedContiguous(f.paddedA, f.weights, f.padded.groupIndex).rows == 0)
  }

  test("a token routed to several experts gets each expert's product (top-k > 1)") {
    val batch = org.padfree.routing.RoutedBatch.fromCounts("topk", "", "test", 2, Array(3, 2, 3), 5L)
    val f = GemmFixture(batch, 64, 128)
    val d = gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
    for (r <- 0 until f.free.rows) {
      val expert = batch.expertIds()(f.free.rowSource()(r))
      assert(d.bits()(r * 64 + 5) == GemmFixture.definition(f.freeA, r, f.weights, expert, 5), s"row $r expert $expert")
      assert(org.padfree.numerics.Bf16.toFloat(d.bits()(r * 64 + 5)) != 0f)
    }
  }

  test("experts sharing one weight matrix are pooled into common tiles with identical results") {
    val counts = Array(3, 0, 1, 70, 2, 5, 0, 64)
    val f = GemmFixture.fromCounts(counts, n = 200, k = 300, seed = 12L)
    // experts e and e+4 share arrays; the copies hold the same values in distinct arrays
    val sharedValues = Array.tabulate(8)(e => f.weights.values()(e % 4))
    val sharedScales = Array.tabulate(8)(e => f.weights.scales()(e % 4))
    val shared = new org.padfree.quant.QuantizedWeights(200, 300, sharedValues, sharedScales)
    val copies = new org.padfree.quant.QuantizedWeights(200, 300, sharedValues.map(_.clone), sharedScales.map(_.clone))
    val pooled = gemm.paddingFreeContiguous(f.freeA, shared, f.free.offsets)
    val separate = gemm.paddingFreeContiguous(f.freeA, copies, f.free.offsets)
    assert(java.util.Arrays.equals(pooled.bits(), separate.bits()))
    for (e <- counts.indices if counts(e) > 0) {
      val r = f.free.offsets()(e)
      assert(pooled.bits()(r * 200 + 11) == GemmFixture.definition(f.freeA, r, shared, e, 11), s"expert $e")
    }
  }
}
