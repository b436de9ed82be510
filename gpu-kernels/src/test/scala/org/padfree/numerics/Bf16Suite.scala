package org.padfree.numerics

import java.lang.Float.{floatToRawIntBits, intBitsToFloat}
import org.scalatest.funsuite.AnyFunSuite

class Bf16Suite extends AnyFunSuite {
  private def bf(bits: Int): Float = intBitsToFloat((bits & 0xFFFF) << 16)

  test("every BF16 value converts to float and back unchanged") {
    for (b <- 0 until 65536) {
      val f = Bf16.toFloat(b.toShort)
      if (f.isNaN) assert(Bf16.round(f) == Bf16.CANONICAL_NAN, s"NaN 0x${b.toHexString}")
      else assert((Bf16.round(f) & 0xFFFF) == b, s"0x${b.toHexString}")
    }
  }

  test("every rounding boundary between adjacent finite BF16 values: ties to even") {
    for (hiBits <- Seq(0, 0x8000); m <- 0 until 0x7F7F) {
      val lo = hiBits | m; val hi = hiBits | (m + 1)
      // the exact midpoint has the low 16 bits 0x8000 (bits of the float between the two)
      val mid = intBitsToFloat((lo << 16) | 0x8000)
      val even = if ((m & 1) == 0) lo else hi
      assert((Bf16.round(mid) & 0xFFFF) == even, s"tie after 0x${lo.toHexString}")
      assert((Bf16.round(intBitsToFloat((lo << 16) | 0x8001)) & 0xFFFF) == hi, s"above tie after 0x${lo.toHexString}")
      assert((Bf16.round(intBitsToFloat((lo << 16) | 0x7FFF)) & 0xFFFF) == lo, s"just below tie after 0x${lo.toHexString}")
    }
  }

  test("overflow rounds to infinity, NaN to the canonical NaN, -0 stays -0") {
    val maxBf = bf(0x7F7F)
    assert(Bf16.round(maxBf) == 0x7F7F.toShort)
    assert(Bf16.round(intBitsToFloat(0x7F7F8000)) == 0x7F80.toShort, "tie above max goes to even = +inf")
    assert(Bf16.round(Float.MaxValue) == 0x7F80.toShort)
    assert(Bf16.round(Float.NegativeInfinity) == 0xFF80.toShort)
    assert(Bf16.round(Float.NaN) == Bf16.CANONICAL_NAN)
    assert(Bf16.round(intBitsToFloat(0xFF800001)) == Bf16.CANONICAL_NAN, "a signalling negative NaN")
    assert(Bf16.round(-0f) == 0x8000.toShort)
    assert(Bf16.roundToFloat(1.00390625f) == 1.0f, "1 + 2^-8 is a tie: even is 1.0")
    assert(Bf16.roundToFloat(1.01171875f) == 1.015625f, "1 + 3*2^-8 is a tie: even is 1 + 2^-6")
  }

  test("rounding matches a double-precision nearest-value oracle on a sweep of floats") {
    var bits = 0L
    while (bits < 0xFFFFFFFFL) {
      val f = intBitsToFloat(bits.toInt)
      if (!f.isNaN && !f.isInfinite) {
        val r = Bf16.round(f) & 0xFFFF
        val down = floatToRawIntBits(f) >>> 16
        // IEEE: infinity sits where 2^128 would be for rounding purposes
        def magnitude(c: Int): Double = if (bf(c).isInfinite) math.signum(bf(c)) * math.pow(2, 128) else bf(c).toDouble
        val best = Seq(down, down + 1).minBy(c => (math.abs(magnitude(c) - f.toDouble), c & 1))
        assert(r == best, s"f=$f bits=0x${bits.toHexString}")
      }
      bits += 9973 // a prime stride visits every exponent and many mantissa patterns
    }
  }
}
