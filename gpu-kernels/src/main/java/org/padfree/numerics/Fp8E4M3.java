package org.padfree.numerics;

/**
 * FP8 E4M3 "fn" (the OCP/NVIDIA {@code __nv_fp8_e4m3} format): 1 sign bit, 4 exponent bits with
 * bias 7, 3 mantissa bits; no infinities; S.1111.111 is NaN; largest finite magnitude 448.
 *
 * <p>Encoding rounds to nearest with ties to even and saturates finite overflow (and infinities) to
 * +-448, exactly like CUDA's {@code __nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3)}: a finite
 * input never becomes NaN. NaN encodes to NaN with the input's sign. -0 stays -0.
 */
public final class Fp8E4M3 {
  private Fp8E4M3() {}

  public static final float MAX = 448f;
  /** Smallest positive subnormal, 2^-9: every E4M3 value is an integer multiple of it. */
  public static final float MIN_SUBNORMAL = 0x1p-9f;
  public static final byte POSITIVE_NAN = 0x7F;
  public static final byte MAX_CODE = 0x7E;

  private static final float[] DECODE = new float[256];

  static {
    for (int code = 0; code < 256; code++) {
      DECODE[code] = decodeBits(code);
    }
  }

  private static float decodeBits(int code) {
    int sign = (code >> 7) & 1;
    int exponent = (code >> 3) & 0xF;
    int mantissa = code & 0x7;
    float magnitude;
    if (exponent == 0xF && mantissa == 0x7) {
      magnitude = Float.NaN;
    } else if (exponent == 0) {
      magnitude = Math.scalb((float) mantissa, -9);
    } else {
      magnitude = Math.scalb((float) (8 + mantissa), exponent - 10);
    }
    return sign == 1 ? -magnitude : magnitude;
  }

  /** The value of an FP8 code (as a signed or unsigned byte). */
  public static float decode(byte code) {
    return DECODE[code & 0xFF];
  }

  /** Rounds a float to the nearest E4M3 code: ties to even, finite saturation, NaN kept. */
  public static byte encode(float x) {
    int bits = Float.floatToRawIntBits(x);
    int sign = (bits >>> 24) & 0x80;
    if (Float.isNaN(x)) {
      return (byte) (sign | POSITIVE_NAN);
    }
    float a = Math.abs(x);
    if (a >= MAX) {
      return (byte) (sign | MAX_CODE);
    }
    // Work in units of the quantum (the spacing of E4M3 values in a's binade), where rounding to an
    // integer with ties to even is exact: a / quantum needs at most 24+ bits, fine in a double.
    int unbiased = Math.getExponent(a);
    int quantumExponent = Math.max(unbiased, -6) - 3;
    long units = (long) Math.rint(Math.scalb((double) a, -quantumExponent));
    // units is the full significand (8..16 for normals, 0..8 for subnormals); 16 means the value
    // rounded up into the next binade, which the bit arithmetic below handles by carrying.
    int code;
    if (quantumExponent == -9) {
      code = (int) units; // subnormal range; units == 8 is exactly the smallest normal, code 0x08
    } else {
      code = ((quantumExponent + 10) << 3) + (int) (units - 8);
    }
    if (code > MAX_CODE) {
      code = MAX_CODE; // rounded past 448 (only possible from a in (448 - ulp/2, 448)): saturate
    }
    return (byte) (sign | code);
  }

  public static boolean isNaN(byte code) {
    return (code & 0x7F) == POSITIVE_NAN;
  }

  /** A fresh copy of the 256-entry decode table, indexed by the unsigned code. */
  public static float[] decodeTable() {
    return DECODE.clone();
  }
}
