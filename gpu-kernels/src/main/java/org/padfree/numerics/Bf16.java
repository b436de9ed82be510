package org.padfree.numerics;

/**
 * BF16: the top 16 bits of an IEEE float. Rounding from float is to nearest with ties to even and
 * overflows to infinity, as CUDA's {@code __float2bfloat16_rn}; any NaN becomes the canonical NaN
 * 0x7FFF, as CUDA does.
 */
public final class Bf16 {
  private Bf16() {}

  public static final short CANONICAL_NAN = 0x7FFF;

  /** The BF16 bit pattern nearest to {@code x}. */
  public static short round(float x) {
    if (Float.isNaN(x)) {
      return CANONICAL_NAN;
    }
    int bits = Float.floatToRawIntBits(x);
    // Adding 0x7FFF plus the lowest kept bit rounds to nearest, ties to even; a carry out of the
    // mantissa correctly bumps the exponent (and the largest finite values overflow to infinity).
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  /** The float value of a BF16 bit pattern (exact). */
  public static float toFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
  }

  /** {@code x} rounded to the nearest BF16 value, returned as a float. */
  public static float roundToFloat(float x) {
    return toFloat(round(x));
  }
}
