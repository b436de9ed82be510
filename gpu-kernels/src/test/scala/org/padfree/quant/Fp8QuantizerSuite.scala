package org.padfree.quant

import org.padfree.InvalidInputException
import org.padfree.numerics.Fp8E4M3
import org.padfree.reference.SyntheticData
import org.scalatest.funsuite.AnyFunSuite

class Fp8QuantizerSuite extends AnyFunSuite {

  test("activation scales are max(amax, 1e-4)/448 per row per 128 columns; the amax element maps to +-448") {
    val rows = 3; val k = 256
    val x = SyntheticData.activations(7L, rows, k)
    x(1 * k + 130) = -1000f // make row 1, block 1's amax known
    val q = Fp8Quantizer.quantizeActivations(x, rows, k)
    assert(q.kBlocks == 2)
    assert(q.scale(1, 1) == 1000f / 448f)
    assert(q.values()(1 * k + 130) == 0xFE.toByte, "amax element is -448")
    for (m <- 0 until rows; kb <- 0 until 2) {
      val amax = (kb * 128 until (kb + 1) * 128).map(c => math.abs(x(m * k + c))).max
      assert(q.scale(m, kb) == math.max(amax, 1e-4f) / 448f, s"row $m block $kb")
    }
  }

  test("dequantized activations are within half an FP8 step of the input") {
    val rows = 16; val k = 384
    val x = SyntheticData.activations(11L, rows, k)
    val q = Fp8Quantizer.quantizeActivations(x, rows, k)
    for (m <- 0 until rows; c <- 0 until k) {
      val s = q.scale(m, c / 128).toDouble
      val back = Fp8E4M3.decode(q.values()(m * k + c)) * s
      val err = math.abs(back - x(m * k + c))
      // relative half-ulp of a 3-bit mantissa, or half the smallest subnormal step, plus FP32 slack
      val allowed = math.max(math.abs(x(m * k + c)) * (1.0 / 16 + 1e-6), math.pow(2, -10) * s * 1.001)
      assert(err <= allowed, s"row $m col $c: ${x(m * k + c)} -> $back")
    }
  }

  test("an all-zero block gets the floor scale 1e-4/448 and zero codes") {
    val q = Fp8Quantizer.quantizeActivations(new Array[Float](128), 1, 128)
    assert(q.scale(0, 0) == 1e-4f / 448f)
    assert(q.values().forall(_ == 0))
  }

  test("K not a multiple of 128: the tail block behaves exactly as if zero-filled to 128") {
    val rows = 5; val k = 200; val kPad = 256
    val x = SyntheticData.activations(3L, rows, k)
    val padded = new Array[Float](rows * kPad)
    for (m <- 0 until rows) System.arraycopy(x, m * k, padded, m * kPad, k)
    val q = Fp8Quantizer.quantizeActivations(x, rows, k)
    val qp = Fp8Quantizer.quantizeActivations(padded, rows, kPad)
    for (m <- 0 until rows) {
      assert(q.scale(m, 0) == qp.scale(m, 0) && q.scale(m, 1) == qp.scale(m, 1), s"row $m")
      for (c <- 0 until k) assert(q.values()(m * k + c) == qp.values()(m * kPad + c), s"row $m col $c")
      for (c <- k until kPad) assert(qp.values()(m * kPad + c) == 0)
    }
  }

  test("weights: one scale per 128x128 block, with N and K tails") {
    val n = 200; val k = 130
    val w = SyntheticData.weights(5L, n, k)
    w(150 * k + 129) = 3f
    val q = Fp8Quantizer.quantizeWeights(w, n, k)
    assert(q.experts == 1 && q.nBlocks == 2 && q.kBlocks == 2)
    assert(q.scale(0, 1, 1) == 3f / 448f)
    assert(q.values()(0)(150 * k + 129) == 0x7E.toByte)
    for (nb <- 0 until 2; kb <- 0 until 2) {
      val amax = (for (r <- nb * 128 until math.min(n, nb * 128 + 128); c <- kb * 128 until math.min(k, kb * 128 + 128))
        yield math.abs(w(r * k + c))).max
      assert(q.scale(0, nb, kb) == amax / 448f, s"block ($nb, $kb)")
    }
  }

  test("TMA-aligned M-major scale layout: [kBlocks][roundUp(rows, 4)], element (m, kb) at kb*stride + m") {
    val rows = 5; val kBlocks = 3
    val rowMajor = Array.tabulate(rows * kBlocks)(i => (i + 1).toFloat)
    val aligned = ScaleBlocks.toTmaAlignedMMajor(rowMajor, rows, kBlocks)
    assert(aligned.length == 8 * 3)
    // hand-computed: row 2, block 1 is rowMajor(2*3+1) = 8, stored at 1*8 + 2 = 10
    assert(aligned(10) == 8f)
    assert(aligned(0) == 1f && aligned(8) == 2f && aligned(16) == 3f)
    assert(aligned(5) == 0f && aligned(7) == 0f, "alignment slots are zero")
    for (m <- 0 until rows; kb <- 0 until kBlocks) assert(aligned(kb * 8 + m) == rowMajor(m * kBlocks + kb))
  }

  test("gatherRows copies rows and turns -1 into quantized zero rows") {
    val q = Fp8Quantizer.quantizeActivations(SyntheticData.activations(1L, 3, 128), 3, 128)
    val g = q.gatherRows(Array(2, -1, 0))
    assert(g.rows == 3)
    assert(g.values().slice(0, 128).sameElements(q.values().slice(256, 384)))
    assert(g.values().slice(128, 256).forall(_ == 0) && g.scale(1, 0) == 1e-4f / 448f)
    val e = intercept[InvalidInputException](q.gatherRows(Array(3)))
    assert(e.getMessage.contains("source[0] = 3"))
  }

  test("bad input names the field and value") {
    def msg(f: => Any): String = intercept[InvalidInputException](f).getMessage
    assert(msg(Fp8Quantizer.quantizeActivations(new Array[Float](10), 2, 4)).contains("x.length = 10"))
    assert(msg(Fp8Quantizer.quantizeActivations(new Array[Float](0), 0, 0)).contains("k = 0"))
    assert(msg(Fp8Quantizer.quantizeActivations(Array(1f, Float.NaN), 1, 2)).contains("invalid x = NaN"))
    assert(msg(Fp8Quantizer.quantizeActivations(Array(1f, Float.PositiveInfinity), 1, 2)).contains("x = Infinity"))
    assert(msg(Fp8Quantizer.quantizeWeights(new Array[Float](6), 2, 4)).contains("w[0].length = 6"))
    assert(msg(Fp8Quantizer.quantizeWeights(new Array[Float](6), -2, 3)).contains("n = -2"))
    assert(msg(new QuantizedActivations(2, 128, new Array[Byte](256), new Array[Float](3))).contains("scales.length = 3"))
    assert(msg(new QuantizedWeights(128, 128, Array.empty[Array[Byte]], Array.empty[Array[Float]])).contains("experts = 0"))
  }
}
