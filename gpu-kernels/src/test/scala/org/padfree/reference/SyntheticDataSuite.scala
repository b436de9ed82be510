package org.padfree.reference

import org.padfree.numerics.Bf16
import org.scalatest.funsuite.AnyFunSuite

/** The counter-based generator: its documented recipe, subsets equal to the whole, and its spread. */
class SyntheticDataSuite extends AnyFunSuite {
  private def bits(f: Float) = java.lang.Float.floatToRawIntBits(f)

  test("values follow the documented recipe (expected values from an independent Python implementation)") {
    // (seed, token, column, k) -> float bits, computed by a separate Python script of the class
    // comment's recipe; the CUDA port repeats the same recipe, so this pins all three together.
    val activations = Seq((42L, 0, 0, 8, 0xbd800000), (42L, 0, 1, 8, 0xbe400000), (42L, 5, 7167, 7168, 0x40090000),
      (-3L, 1000, 300, 301, 0xc0fb0000), (123456789L, 16383, 2047, 2048, 0x3ec20000))
    for ((seed, token, col, k, expected) <- activations) {
      val row = SyntheticData.activationRows(seed, Array(token), k)
      assert(bits(row(col)) == expected, s"activation seed=$seed token=$token col=$col: ${row(col)}")
    }
    assert(bits(SyntheticData.weights(7L, 1, 1)(0)) == 0x3b5b0000)
    assert(bits(SyntheticData.weights(7L, 2, 12345 / 2 + 1)(12345)) == 0xbbe00000) // flat index 12345
    assert(bits(SyntheticData.weights(-1L, 4096, 7168)(29360127)) == 0x3aca0000)
  }

  test("any subset of tokens, in any order, equals those rows of the whole batch") {
    val (tokens, k) = (300, 520)
    val all = SyntheticData.activations(11L, tokens, k)
    val picked = Array(299, 0, 17, 17, 150)
    val some = SyntheticData.activationRows(11L, picked, k)
    for ((t, i) <- picked.zipWithIndex; c <- 0 until k) {
      assert(bits(some(i * k + c)) == bits(all(t * k + c)), s"token $t column $c")
    }
    // A large batch takes the parallel path and must give the same values.
    val big = SyntheticData.activations(11L, 2100, 520)
    assert(java.util.Arrays.equals(big, 0, all.length, all, 0, all.length))
  }

  test("values are BF16, never zero, deterministic, and spread like activations and weights") {
    val (tokens, k) = (512, 1024)
    val x = SyntheticData.activations(5L, tokens, k)
    assert(x.forall(v => v != 0f && Bf16.roundToFloat(v) == v && !v.isNaN && !v.isInfinite))
    assert(java.util.Arrays.equals(x, SyntheticData.activations(5L, tokens, k)))
    assert(!java.util.Arrays.equals(x, SyntheticData.activations(6L, tokens, k)))
    // Per-token magnitudes differ (1x128 scales must differ between rows): spread over 2^-4 .. 2^4.
    val rms = (0 until tokens).map(t => math.sqrt((0 until k).map(c => { val v = x(t * k + c).toDouble; v * v }).sum / k))
    assert(rms.max / rms.min > 50, s"row norms ${rms.min} .. ${rms.max}")
    val w = SyntheticData.weights(3L, 256, 1024)
    val sd = math.sqrt(w.map(v => v.toDouble * v).sum / w.length)
    assert(math.abs(sd - 0.02) < 0.001, s"weight sd $sd")
    assert(w.forall(v => math.abs(v) < 0.02 * 3.5 && v != 0f))
    assert(!java.util.Arrays.equals(w, SyntheticData.weights(4L, 256, 1024)))
  }

  test("bad arguments are rejected by name") {
    val e = intercept[IllegalArgumentException](SyntheticData.activationRows(1L, Array(3, -2), 8))
    assert(e.getMessage.contains("tokenIndices[1]") && e.getMessage.contains("-2"))
    assert(intercept[IllegalArgumentException](SyntheticData.activations(1L, 2, 0)).getMessage.contains("k"))
  }
}
