package org.padfree.backend

import org.padfree.InvalidInputException
import org.padfree.layout.LayoutBuilder
import org.padfree.reference.{GemmFixture, SyntheticData}
import org.padfree.quant.Fp8Quantizer
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

class CpuBackendSuite extends AnyFunSuite {
  private val batch = RoutedBatch.fromCounts("b", "", "test", 2, Array(0, 1, 100, 5, 64, 0, 30), 3L)
  private val k = 256
  private val n = 96
  private val tokens = Fp8Quantizer.quantizeActivations(SyntheticData.activations(3L, batch.numTokens, k), batch.numTokens, k)
  private val weights = Fp8Quantizer.quantizeExperts(Array.tabulate(7)(e => SyntheticData.weights(e, n, k)), n, k)

  test("a problem dispatches token rows into the padding-free layout and maps pad and masked rows back to them") {
    val p = GroupedGemmProblem.of(batch, tokens, weights)
    assert(p.dispatched.rows == batch.routedRows)
    for (r <- 0 until p.dispatched.rows) {
      val token = p.paddingFree.rowSource()(r) / 2
      assert(p.dispatched.values.slice(r * k, (r + 1) * k).sameElements(tokens.values.slice(token * k, (token + 1) * k)), s"row $r")
    }
    val pad = p.padSource
    assert(pad.length == p.padded.paddedRows)
    assert(pad.count(_ >= 0) == batch.routedRows)
    assert(pad(0) == 0 && pad(1) == -1 && pad(128) == 1, "expert 1 (one row) starts at 0, expert 2 at 128")
    assert(p.maskedSource.count(_ >= 0) == batch.routedRows)
  }

  test("a synthetic problem makes its tokens only when asked, and just the sampled ones for the reference") {
    val p = GroupedGemmProblem.synthetic(batch, 3L, weights)
    assert(p.syntheticSeed.getAsLong == 3L && !p.tokensOnHost)
    val picked = Array(batch.numTokens - 1, 0, 17)
    val some = p.tokenRows(picked)
    assert(!p.tokensOnHost, "sampled tokens alone do not make the batch's")
    assert(some.values.sameElements(tokens.gatherRows(picked).values) && some.scales.sameElements(tokens.gatherRows(picked).scales))
    assert(p.tokens.values.sameElements(tokens.values) && p.tokensOnHost, "made on first use, the given tokens' bytes")
    assert(p.tokenRows(picked).values.sameElements(some.values), "from the host tokens once they exist")
    val e = intercept[InvalidInputException](p.tokenRows(Array(0, batch.numTokens)))
    assert(e.getMessage.contains("tokenIndices[1]") && e.getMessage.contains(batch.numTokens.toString))
    val backend = new CpuBackend(2)
    try {
      val fromSeed = backend.run(GroupedGemmProblem.synthetic(batch, 3L, weights), 1)
      val given = backend.run(GroupedGemmProblem.of(batch, tokens, weights), 1)
      assert(fromSeed.paddingFree.bits.sameElements(given.paddingFree.bits), "the CPU backend makes the same tokens")
    } finally backend.close()
  }

  test("synthetic weights: one quantized matrix per seed, as SyntheticData and Fp8Quantizer make them") {
    val backend = new CpuBackend(2)
    try {
      val made = backend.syntheticWeights(Array(5L, 6L), 96, 256)
      for ((seed, m) <- Seq(5L, 6L).zipWithIndex) {
        val expected = Fp8Quantizer.quantizeWeights(SyntheticData.weights(seed, 96, 256), 96, 256)
        assert(made(m).experts == 1 && made(m).values()(0).sameElements(expected.values()(0)) &&
          made(m).scales()(0).sameElements(expected.scales()(0)), s"seed $seed")
      }
    } finally backend.close()
  }

  test("the CPU backend's three paths agree on valid rows and report positive timings") {
    val backend = new CpuBackend(2)
    try {
      val p = GroupedGemmProblem.of(batch, tokens, weights)
      val out = backend.run(p, 3)
      for (e <- 0 until 7; i <- 0 until p.paddingFree.groupSize(e)) {
        val r = p.paddingFree.offsets()(e) + i
        assert(out.paddingFree.rowEquals(r, out.padded, p.padded.groupStarts()(e) + i))
        assert(out.paddingFree.rowEquals(r, out.masked, e * p.masked.maxRows + i))
        assert(out.paddingFree.bits()(r * n + 7) == GemmFixture.definition(p.dispatched, r, weights, e, 7))
      }
      val t = out.timings
      assert(t.repetitions == 3 && t.padMs > 0 && t.paddedGemmMs > 0 && t.paddingFreeGemmMs > 0 && t.maskedGemmMs > 0)
      assert(out.kernelConfig.contains("tile 64x256") && backend.device.contains("threads=2"))
    } finally backend.close()
  }

  test("medians and speedup") {
    assert(PathTimings.median(Array(3.0, 1.0, 2.0)) == 2.0)
    assert(PathTimings.median(Array(4.0, 1.0, 2.0, 3.0)) == 2.5)
    assert(PathTimings.median(Array()).isNaN)
    assert(new PathTimings(1, 3, 2, 1, 5).speedup == 2.0)
  }

  test("bad problems are rejected with the field named") {
    val e = intercept[InvalidInputException](GroupedGemmProblem.of(batch, tokens.gatherRows(Array(0)), weights))
    assert(e.getMessage.contains("tokens.rows = 1"))
    val w4 = Fp8Quantizer.quantizeExperts(Array.fill(4)(SyntheticData.weights(1L, n, k)), n, k)
    assert(intercept[InvalidInputException](GroupedGemmProblem.of(batch, tokens, w4)).getMessage.contains("experts = 4"))
    assert(intercept[InvalidInputException](new CpuBackend(2).run(GroupedGemmProblem.of(batch, tokens, weights), 0))
      .getMessage.contains("repetitions = 0"))
    val other = LayoutBuilder.padded(RoutedBatch.fromCounts("o", "", "t", 1, Array(1, 1), 1L))
    assert(intercept[InvalidInputException](LayoutBuilder.padSource(LayoutBuilder.paddingFree(batch), other))
      .getMessage.contains("num_experts = 2"))
  }
}
