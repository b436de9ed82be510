package org.padfree.reference

import org.padfree.layout.{LayoutBuilder, MaskedLayout, PaddedLayout, PaddingFreeLayout}
import org.padfree.numerics.{Bf16, Fp8E4M3}
import org.padfree.quant.{Fp8Quantizer, QuantizedActivations, QuantizedWeights, ScaleBlocks}
import org.padfree.routing.RoutedBatch

/** A routed batch with its operands in every layout, built the way the job will build them. */
final case class GemmFixture(batch: RoutedBatch, n: Int, k: Int) {
  val tokens: QuantizedActivations =
    Fp8Quantizer.quantizeActivations(SyntheticData.activations(batch.seed, batch.numTokens, k), batch.numTokens, k)
  val weights: QuantizedWeights = Fp8Quantizer.quantizeExperts(
    Array.tabulate(batch.numExperts)(e => SyntheticData.weights(batch.seed * 31 + e, n, k)), n, k)

  val free: PaddingFreeLayout = LayoutBuilder.paddingFree(batch)
  val padded: PaddedLayout = LayoutBuilder.padded(batch)
  val masked: MaskedLayout = LayoutBuilder.masked(batch, LayoutBuilder.largestGroup(batch))

  private def tokenOf(slots: Array[Int]): Array[Int] = slots.map(s => if (s < 0) -1 else s / batch.topK)
  val freeA: QuantizedActivations = tokens.gatherRows(tokenOf(free.rowSource))
  val paddedA: QuantizedActivations = tokens.gatherRows(tokenOf(padded.rowSource))
  val maskedA: QuantizedActivations = tokens.gatherRows(tokenOf(masked.rowSource))

  override def toString: String = s"$batch n=$n k=$k counts=${batch.expertCounts.mkString("[", ",", "]")}"
}

object GemmFixture {
  def fromCounts(counts: Array[Int], n: Int, k: Int, seed: Long = 1L, topK: Int = 1): GemmFixture =
    GemmFixture(RoutedBatch.fromCounts(s"test-$seed", "", "test", topK, counts, seed), n, k)

  /**
   * The semantics written out literally, one element at a time, sharing no code with the kernel:
   * FP32 partial of the exact block dot product, FP32 scale product, FMA into an FP32 accumulator,
   * BF16 at the end.
   */
  def definition(a: QuantizedActivations, row: Int, b: QuantizedWeights, expert: Int, col: Int): Short = {
    val k = a.k
    var acc = 0f
    for (kb <- 0 until ScaleBlocks.blocks(k)) {
      var exact = 0.0
      for (c <- kb * 128 until math.min(k, kb * 128 + 128)) {
        exact += Fp8E4M3.decode(a.values()(row * k + c)).toDouble * Fp8E4M3.decode(b.values()(expert)(col * k + c))
      }
      val s = a.scale(row, kb) * b.scale(expert, col / 128, kb)
      acc = Math.fma(exact.toFloat, s, acc)
    }
    Bf16.round(acc)
  }
}
