package org.padfree.moe

import org.padfree.InvalidInputException
import org.padfree.reference.RelativeError
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

/** The whole MoE layer on the CPU reference: both forms bit-identical, the double reference, memory, weights. */
class CpuMoeLayerSuite extends AnyFunSuite {
  private val hidden = 256
  private val intermediate = 192 // 2I = 384: gate_up spans three weight-scale blocks

  private def batch(counts: Array[Int], topK: Int, seed: Long): RoutedBatch =
    RoutedBatch.fromCounts(s"layer-$seed", "", "test", topK, counts, seed)

  private def runBoth(b: RoutedBatch, seed: Long) = {
    val w = MoeLayerWeights.synthetic(b.numExperts, hidden, intermediate, seed)
    val tokens = CpuMoeLayer.tokens(b, hidden)
    val routing = RoutingWeights.synthetic(b)
    val layer = new CpuMoeLayer(2)
    try {
      val free = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, w, tokens, routing)
      val padded = layer.run(CpuMoeLayer.Form.PADDED, b, w, tokens, routing)
      (w, tokens, routing, free, padded)
    } finally layer.close()
  }

  test("padded and padding-free layers give bit-identical outputs (empty, 1, 127, 128, 129-row groups, top-1 and top-2)") {
    for ((counts, topK, seed) <- Seq((Array(0, 1, 127, 128, 129, 3), 1, 3L), (Array(40, 0, 2, 90, 130, 10), 2, 4L))) {
      val b = batch(counts, topK, seed)
      val (_, _, _, free, padded) = runBoth(b, seed)
      assert(free.out.rows == b.numTokens && free.out.cols == hidden)
      for (t <- 0 until b.numTokens) assert(free.out.rowEquals(t, padded.out, t), s"token $t of ${counts.mkString(",")}")
      assert(free.rows == b.routedRows && padded.rows > free.rows)
    }
  }

  test("sampled tokens are within the documented bound of the double-precision layer, and a wrong expert is not") {
    val b = batch(Array(30, 50, 0, 70, 6), 2, 7L)
    val (w, tokens, routing, free, _) = runBoth(b, 7L)
    val sample = Seq(0, 5, 17, 33, b.numTokens - 1)
    val actual = sample.flatMap(t => (0 until hidden).map(h => free.out.get(t, h).toDouble)).toArray
    val expected = sample.flatMap(t => LayerReference.token(b, w, tokens, routing, t).toSeq).toArray
    val err = RelativeError.of(actual, expected)
    info(f"relative error (DeepGEMM's measure) of ${sample.size} tokens: $err%.2e (bound ${LayerReference.RELATIVE_ERROR_BOUND})")
    assert(err > 0 && err < LayerReference.RELATIVE_ERROR_BOUND)
    // The check can fail: the same tokens' reference with the routing weights reversed is far off.
    val reversed = routing.grouped(b.topK).flatMap(_.reverse).toArray
    val wrong = sample.flatMap(t => LayerReference.token(b, w, tokens, reversed, t).toSeq).toArray
    assert(RelativeError.of(actual, wrong) > 4 * LayerReference.RELATIVE_ERROR_BOUND)
  }

  test("the fused form's numerics (h from FP32 G, no BF16 rounding): forms bit-identical, within the bound, near the unfused layer") {
    val b = batch(Array(30, 50, 0, 70, 6), 2, 13L)
    val w = MoeLayerWeights.synthetic(b.numExperts, hidden, intermediate, 13L)
    val tokens = CpuMoeLayer.tokens(b, hidden)
    val routing = RoutingWeights.synthetic(b)
    val layer = new CpuMoeLayer(2)
    try {
      val fusedFree = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, w, tokens, routing, true)
      val fusedPadded = layer.run(CpuMoeLayer.Form.PADDED, b, w, tokens, routing, true)
      val unfused = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, w, tokens, routing, false)
      assert(fusedFree.out.bits.sameElements(fusedPadded.out.bits))
      val sample = Seq(0, 9, 40, b.numTokens - 1)
      val expected = sample.flatMap(t => LayerReference.token(b, w, tokens, routing, t).toSeq).toArray
      def values(r: CpuMoeLayer.Run) = sample.flatMap(t => (0 until hidden).map(h => r.out.get(t, h).toDouble)).toArray
      val fusedErr = RelativeError.of(values(fusedFree), expected)
      val apart = RelativeError.of(values(fusedFree), values(unfused))
      val differing = fusedFree.out.bits.indices.count(i => fusedFree.out.bits()(i) != unfused.out.bits()(i))
      info(f"fused vs double $fusedErr%.2e, fused vs unfused $apart%.2e ($differing of ${fusedFree.out.bits.length} outputs differ)")
      assert(fusedErr > 0 && fusedErr < LayerReference.RELATIVE_ERROR_BOUND)
      // quantizing h from FP32 instead of BF16 moves some outputs, by much less than the FP8 error itself
      assert(differing > 0 && apart < fusedErr)
    } finally layer.close()
  }

  test("peak activation memory: padding-free below padded by the padding rows' share, equal without padding") {
    val b = batch(Array(5, 0, 130, 1), 1, 9L)
    val (_, _, _, free, padded) = runBoth(b, 9L)
    assert(free.peakBytes < padded.peakBytes)
    assert(padded.peakBytes - free.peakBytes ==
      LayerMemory.peakBytes(b.numTokens, padded.rows, hidden, intermediate) - LayerMemory.peakBytes(b.numTokens, free.rows, hidden, intermediate))
    val aligned = batch(Array(128, 256), 1, 10L)
    val (_, _, _, f2, p2) = runBoth(aligned, 10L)
    assert(f2.peakBytes == p2.peakBytes && f2.rows == p2.rows)
  }

  test("routing weights: a softmax per token (sums to 1), deterministic, independent of the batch's size") {
    val b = batch(Array(20, 20, 20), 3, 11L)
    val w = RoutingWeights.synthetic(b)
    for (t <- 0 until b.numTokens) assert(math.abs(w.slice(3 * t, 3 * t + 3).map(_.toDouble).sum - 1) < 1e-6)
    assert(w.forall(x => x > 0 && x < 1) && RoutingWeights.synthetic(b).sameElements(w))
    val larger = RoutingWeights.synthetic(batch(Array(40, 40, 40), 3, 11L))
    assert(larger.take(3 * b.numTokens).sameElements(w))
  }

  test("SwiGLU: silu(0) = 0, silu of a large value is the value, a zero row stays zero") {
    assert(SwiGlu.silu(0f) == 0f && SwiGlu.silu(30f) == 30f && SwiGlu.silu(-30f) > -1e-10f && SwiGlu.silu(-30f) <= 0f)
    assert(math.abs(SwiGlu.silu(1f) - 1 / (1 + math.exp(-1))) < 1e-7)
    val zeros = org.padfree.reference.Bf16Matrix.zeros(2, 8)
    assert(SwiGlu.apply(zeros).forall(_ == 0f))
  }

  test("bad shapes are errors naming the field") {
    val b = batch(Array(3, 4), 1, 12L)
    val w = MoeLayerWeights.synthetic(3, hidden, intermediate, 12L)
    val layer = new CpuMoeLayer(1)
    try {
      val e = intercept[InvalidInputException](layer.run(CpuMoeLayer.Form.PADDED, b, w, CpuMoeLayer.tokens(b, hidden), RoutingWeights.synthetic(b)))
      assert(e.field == "experts")
      val w2 = MoeLayerWeights.synthetic(2, hidden, intermediate, 12L)
      val e2 = intercept[InvalidInputException](layer.run(CpuMoeLayer.Form.PADDED, b, w2, CpuMoeLayer.tokens(b, 128), RoutingWeights.synthetic(b)))
      assert(e2.field == "tokens")
    } finally layer.close()
    assert(intercept[InvalidInputException](MoeLayerWeights.synthetic(2, 0, 8, 1L)).field == "hidden")
  }
}
