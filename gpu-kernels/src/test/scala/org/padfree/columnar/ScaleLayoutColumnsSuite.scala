package org.padfree.columnar

import java.util.SplittableRandom
import org.padfree.quant.ScaleBlocks
import org.scalatest.funsuite.AnyFunSuite

/**
 * The gather that turns a batch's row-major 1x128 scales (a run inside a file's flat column) into the
 * kernels' M-major TMA-aligned layout: on host columns of the floats' bits, every slot a kernel reads
 * equals ScaleBlocks.toTmaAlignedMMajor's, bit for bit; alignment slots hold a value of the batch.
 */
class ScaleLayoutColumnsSuite extends AnyFunSuite {
  private val ops = new HostColumnOps

  test("valid slots equal toTmaAlignedMMajor for token counts around the 4-row alignment, anywhere in the file") {
    val random = new SplittableRandom(5L)
    for (tokens <- Seq(0, 1, 3, 4, 5, 130); kBlocks <- Seq(1, 16, 56); first <- Seq(0, 7)) {
      val scales = Array.fill(tokens * kBlocks)(random.nextFloat() + 1e-3f)
      val flat = Array.fill(first)(-1f) ++ scales ++ Array.fill(3)(-2f)
      val bits = flat.map(java.lang.Float.floatToRawIntBits)
      val got = ScaleLayoutColumns.mMajor(ops, bits, first, tokens, kBlocks)
      val want = ScaleBlocks.toTmaAlignedMMajor(scales, tokens, kBlocks)
      val stride = ScaleBlocks.roundUp(tokens, ScaleBlocks.TMA_SCALE_ALIGN)
      val shape = s"tokens=$tokens kBlocks=$kBlocks first=$first"
      assert(got.length == want.length, shape)
      for (b <- 0 until kBlocks; t <- 0 until stride) {
        val slot = b * stride + t
        if (t < tokens) {
          assert(got(slot) == java.lang.Float.floatToRawIntBits(want(slot)), s"$shape slot (t=$t, b=$b)")
        } else {
          assert(tokens == 0 || got(slot) == bits(first), s"$shape alignment slot (t=$t, b=$b) holds the batch's first scale")
        }
      }
    }
  }
}
