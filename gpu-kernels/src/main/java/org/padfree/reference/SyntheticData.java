package org.padfree.reference;

import java.util.stream.IntStream;
import org.padfree.Validate;
import org.padfree.numerics.Bf16;

/**
 * Deterministic operands for a batch: the same seed gives the same floats on every machine, so a
 * result row can be reproduced from its batch alone. Values are BF16-representable (what a model
 * layer really hands the GEMM), never zero, with a per-token spread of magnitudes so 1x128 scales
 * differ between rows.
 *
 * <p>Every value is a pure function of (seed, position), counter-based rather than drawn from a
 * stream, so any subset can be made alone and in any order: a GPU makes a batch's activations where
 * they are used ({@code synthetic_data.cuh}, bit for bit these), and the host makes only the few
 * tokens it checks against the reference. The recipe, which the CUDA code repeats operation for
 * operation (each a correctly rounded IEEE operation, none fused):
 *
 * <pre>
 *   mix(z)           = SplitMix64's finaliser
 *   token key        = mix(seed * G + token)                          G = 0x9E3779B97F4A7C15
 *   row scale        = (16 + key[57..60]) / 16 * 2^(key[61..63] - 4)  (exact; 1/16 .. 31/16 * 8)
 *   activation[t][c] = bf16(float(gauss(mix(key + (c + 1) * G)) * row scale))
 *   weight key       = mix(seed);  weight[i] = bf16(float(gauss(mix(key + (i + 1) * G)) * 0.02))
 *   gauss(bits)      = ((sum of the four 16-bit fields + 2) / 65536 - 2) * sqrt(3)   (Irwin-Hall)
 * </pre>
 *
 * with bf16 rounding to nearest even and an exact zero replaced by 2^-20.
 */
public final class SyntheticData {
  /** The golden-ratio increment of SplitMix64, which spaces the counters. */
  static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final double SQRT3 = 1.7320508075688772;
  private static final int PARALLEL_VALUES = 1 << 20;

  private SyntheticData() {}

  /** Token activations [tokens][k]. */
  public static float[] activations(long seed, int tokens, int k) {
    Validate.nonNegative("tokens", tokens);
    Validate.positive("k", k);
    float[] x = new float[Validate.product("tokens x k", tokens, k)];
    IntStream range = IntStream.range(0, tokens);
    (x.length >= PARALLEL_VALUES ? range.parallel() : range).forEach(t -> fillToken(seed, t, k, x, t * k));
    return x;
  }

  /**
   * The activations of only the listed tokens, [tokenIndices.length][k]: row i is row
   * {@code tokenIndices[i]} of {@link #activations}, bit for bit, without making the others.
   */
  public static float[] activationRows(long seed, int[] tokenIndices, int k) {
    Validate.notNull("tokenIndices", tokenIndices);
    Validate.positive("k", k);
    float[] x = new float[Validate.product("tokens x k", tokenIndices.length, k)];
    for (int i = 0; i < tokenIndices.length; i++) {
      Validate.nonNegative("tokenIndices[" + i + "]", tokenIndices[i]);
      fillToken(seed, tokenIndices[i], k, x, i * k);
    }
    return x;
  }

  /** One weight matrix [n][k], with values of the magnitude of a trained layer's (about 0.02). */
  public static float[] weights(long seed, int n, int k) {
    Validate.positive("n", n);
    Validate.positive("k", k);
    float[] w = new float[Validate.product("n x k", n, k)];
    long key = mix(seed);
    IntStream rows = IntStream.range(0, n);
    (w.length >= PARALLEL_VALUES ? rows.parallel() : rows).forEach(r -> {
      for (int c = 0; c < k; c++) {
        long i = (long) r * k + c;
        w[r * k + c] = nonZeroBf16(gauss(mix(key + (i + 1) * GOLDEN)) * 0.02);
      }
    });
    return w;
  }

  private static void fillToken(long seed, int token, int k, float[] into, int at) {
    long key = mix(seed * GOLDEN + token);
    double rowScale = rowScale(key);
    for (int c = 0; c < k; c++) {
      into[at + c] = nonZeroBf16(gauss(mix(key + (c + 1L) * GOLDEN)) * rowScale);
    }
  }

  /**
   * A per-token magnitude, log-uniform-like over 1/16 .. 31/2 (the spread of real hidden-state norms),
   * built from powers of two and small integers so it is exact on every machine.
   */
  static double rowScale(long tokenKey) {
    int exponent = (int) (tokenKey >>> 61) - 4;
    int mantissa = 16 + (int) ((tokenKey >>> 57) & 15);
    return Math.scalb(mantissa / 16.0, exponent);
  }

  /** SplitMix64's finaliser: a bijection of 64 bits with full avalanche. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A standard-normal-like value from 64 random bits: the sum of four 16-bit uniforms, centred and
   * scaled to unit variance (Irwin-Hall; within +-3.5). Far cheaper than a true Gaussian, which
   * matters at 10^8 values per batch, and made of exact or correctly rounded steps only.
   */
  static double gauss(long bits) {
    double sum = (bits & 0xFFFF) + ((bits >>> 16) & 0xFFFF) + ((bits >>> 32) & 0xFFFF) + (bits >>> 48) + 2.0;
    return (sum / 65536.0 - 2.0) * SQRT3;
  }

  private static float nonZeroBf16(double v) {
    float f = Bf16.roundToFloat((float) v);
    return f != 0f ? f : 0x1p-20f;
  }
}
