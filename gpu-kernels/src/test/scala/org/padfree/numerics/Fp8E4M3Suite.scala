package org.padfree.numerics

import java.util.SplittableRandom
import org.scalatest.funsuite.AnyFunSuite

class Fp8E4M3Suite extends AnyFunSuite {

  /** Independent oracle: the value of a code from its bit fields, computed in double with pow. */
  private def oracleDecode(code: Int): Double = {
    val sign = if ((code & 0x80) != 0) -1.0 else 1.0
    val exp = (code >> 3) & 0xF
    val man = code & 7
    if (exp == 15 && man == 7) Double.NaN
    else if (exp == 0) sign * man / 8.0 * math.pow(2, -6)
    else sign * (1.0 + man / 8.0) * math.pow(2, exp - 7)
  }

  private val finitePositiveCodes: Seq[Int] = (0 to 0x7E)
  private def value(code: Int): Double = Fp8E4M3.decode(code.toByte).toDouble

  /** Brute force: the nearest finite E4M3 value, ties to the even code, beyond 448 saturate. */
  private def oracleEncode(x: Float): Int = {
    val sign = if ((java.lang.Float.floatToRawIntBits(x) >>> 31) == 1) 0x80 else 0
    if (x.isNaN) return sign | 0x7F
    val a = math.abs(x.toDouble)
    if (a >= 448) return sign | 0x7E
    val best = finitePositiveCodes.minBy(c => (math.abs(value(c) - a), c & 1))
    sign | best
  }

  test("decode matches the bit-field definition for all 256 codes") {
    for (code <- 0 until 256) {
      val expected = oracleDecode(code)
      val actual = Fp8E4M3.decode(code.toByte)
      if (expected.isNaN) assert(actual.isNaN, s"code 0x${code.toHexString}")
      else assert(actual.toDouble == expected, s"code 0x${code.toHexString}: $actual vs $expected")
    }
    assert(Fp8E4M3.decode(0x7E.toByte) == 448f)
    assert(Fp8E4M3.decode(0xFE.toByte) == -448f)
    assert(Fp8E4M3.decode(0x01.toByte) == math.pow(2, -9).toFloat)
    assert(Fp8E4M3.decode(0x08.toByte) == math.pow(2, -6).toFloat)
    assert(Fp8E4M3.decode(0x80.toByte) == 0f && (1f / Fp8E4M3.decode(0x80.toByte)).isNegInfinity, "-0")
    assert((0 until 256).count(c => Fp8E4M3.decode(c.toByte).isNaN) == 2, "exactly one NaN per sign")
  }

  test("encode(decode(c)) == c for every code, NaN to NaN with its sign") {
    for (code <- 0 until 256) {
      val back = Fp8E4M3.encode(Fp8E4M3.decode(code.toByte)) & 0xFF
      assert(back == code, s"code 0x${code.toHexString} came back as 0x${back.toHexString}")
    }
  }

  test("every rounding boundary: midpoints tie to even, neighbours round to the nearer value") {
    for (sign <- Seq(1f, -1f); c <- 0 until 0x7E) {
      val lo = value(c); val hi = value(c + 1)
      val mid = ((lo + hi) / 2).toFloat
      assert(mid.toDouble == (lo + hi) / 2, "midpoints of E4M3 values are exact floats")
      val even = if ((c & 1) == 0) c else c + 1
      val signBit = if (sign < 0) 0x80 else 0
      assert((Fp8E4M3.encode(sign * mid) & 0xFF) == (signBit | even), s"tie between 0x${c.toHexString} and next, sign $sign")
      assert((Fp8E4M3.encode(sign * Math.nextDown(mid)) & 0xFF) == (signBit | c), s"below the midpoint after 0x${c.toHexString}")
      assert((Fp8E4M3.encode(sign * Math.nextUp(mid)) & 0xFF) == (signBit | (c + 1)), s"above the midpoint after 0x${c.toHexString}")
    }
  }

  test("saturation to +-448, never NaN from a finite or infinite input") {
    val big = Seq(448f, Math.nextUp(448f), 464f, 479.99f, 480f, 1e6f, Float.MaxValue, Float.PositiveInfinity)
    for (x <- big) {
      assert((Fp8E4M3.encode(x) & 0xFF) == 0x7E, s"$x")
      assert((Fp8E4M3.encode(-x) & 0xFF) == 0xFE, s"${-x}")
    }
    assert(Fp8E4M3.isNaN(Fp8E4M3.encode(Float.NaN)))
    assert((Fp8E4M3.encode(Float.NaN) & 0xFF) == 0x7F)
    assert((Fp8E4M3.encode(java.lang.Float.intBitsToFloat(0xFFC00000)) & 0xFF) == 0xFF, "negative NaN keeps its sign")
  }

  test("zeros and underflow keep the sign; half the smallest subnormal ties to zero") {
    assert(Fp8E4M3.encode(0f) == 0)
    assert((Fp8E4M3.encode(-0f) & 0xFF) == 0x80)
    val halfMin = math.pow(2, -10).toFloat
    assert(Fp8E4M3.encode(halfMin) == 0, "2^-10 is a tie between 0 and 2^-9: even is 0")
    assert(Fp8E4M3.encode(Math.nextUp(halfMin)) == 1)
    assert((Fp8E4M3.encode(-1e-30f) & 0xFF) == 0x80)
    assert(Fp8E4M3.encode(java.lang.Float.MIN_VALUE) == 0, "float subnormals underflow to 0")
  }

  test("encode agrees with a brute-force nearest-value oracle on 200k random floats of every magnitude") {
    val random = new SplittableRandom(20261122L)
    for (i <- 0 until 200000) {
      val x = (random.nextDouble(-1, 1) * math.pow(2, random.nextInt(-14, 11))).toFloat
      val expected = oracleEncode(x)
      val actual = Fp8E4M3.encode(x) & 0xFF
      assert(actual == expected, s"x=$x (case $i): 0x${actual.toHexString} vs oracle 0x${expected.toHexString}")
    }
  }
}
