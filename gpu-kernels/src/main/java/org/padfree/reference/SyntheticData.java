package org.padfree.reference;

import java.util.SplittableRandom;
import org.padfree.Validate;
import org.padfree.numerics.Bf16;

/**
 * Deterministic operands for a batch: the same seed gives the same floats on every machine, so a
 * result row can be reproduced from its batch alone. Values are BF16-representable (what a model
 * layer really hands the GEMM), never all zero, with a per-row spread of magnitudes so 1x128 scales
 * differ between rows.
 */
public final class SyntheticData {
  private SyntheticData() {}

  /** Token activations [tokens][k]. */
  public static float[] activations(long seed, int tokens, int k) {
    Validate.nonNegative("tokens", tokens);
    Validate.positive("k", k);
    float[] x = new float[Validate.product("tokens x k", tokens, k)];
    // One random stream per token (seeded from the batch seed and the token), so tokens are generated
    // in parallel and a token's values do not depend on how many tokens precede it.
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, tokens);
    (x.length >= (1 << 20) ? range.parallel() : range).forEach(t -> {
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t);
      double rowScale = Math.exp(random.nextGaussian()); // log-normal row norms, as real hidden states
      for (int c = 0; c < k; c++) {
        x[t * k + c] = nonZeroBf16(approximateGaussian(random.nextLong()) * rowScale);
      }
    });
    return x;
  }

  /** One weight matrix [n][k], with values of the magnitude of a trained layer's (about 0.02). */
  public static float[] weights(long seed, int n, int k) {
    Validate.positive("n", n);
    Validate.positive("k", k);
    float[] w = new float[Validate.product("n x k", n, k)];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < w.length; i++) {
      w[i] = nonZeroBf16(random.nextGaussian() * 0.02);
    }
    return w;
  }

  /**
   * A standard-normal-like value from 64 random bits: the sum of four 16-bit uniforms, centred and
   * scaled to unit variance (Irwin-Hall; within +-3.5, which suits synthetic activations, whose
   * outliers come from the per-token scale). About 8x cheaper than nextGaussian, which matters at
   * 10^8 values per batch.
   */
  static double approximateGaussian(long bits) {
    double sum = (bits & 0xFFFF) + ((bits >>> 16) & 0xFFFF) + ((bits >>> 32) & 0xFFFF) + (bits >>> 48) + 2.0;
    return (sum / 65536.0 - 2.0) * 1.7320508075688772;
  }

  private static float nonZeroBf16(double v) {
    float f = Bf16.roundToFloat((float) v);
    return f != 0f ? f : 0x1p-20f;
  }
}
