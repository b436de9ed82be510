package org.padfree.moe;

import org.padfree.numerics.Bf16;
import org.padfree.reference.Bf16Matrix;

/**
 * The activation between the two GEMMs, as every backend must compute it (README, "Numerics"): from
 * gate_up's BF16 output G (rows x 2I, channels interleaved gate, up), h[r][c] = bf16(silu(g) * u) with
 * g = G[r][2c], u = G[r][2c+1] and silu(g) = g / (1 + e^-g), evaluated in double and rounded once to
 * FP32 before the product (the product in FP32, then BF16 round to nearest even).
 */
public final class SwiGlu {
  private SwiGlu() {}

  /** SiLU in double, rounded to FP32 once. */
  public static float silu(float g) {
    return (float) (g / (1.0 + Math.exp(-(double) g)));
  }

  /**
   * The fused form's h (rows x I) from gate_up's FP32 accumulators: silu(g) * u with the same silu,
   * the product in FP32, and no BF16 rounding of G or h (the GPU's fused epilogue quantizes this).
   */
  public static float[] applyFused(org.padfree.reference.Fp32Matrix gateUp) {
    int rows = gateUp.rows();
    int channels = gateUp.cols() / 2;
    float[] h = new float[rows * channels];
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, rows);
    (rows * channels >= (1 << 18) ? range.parallel() : range).forEach(r -> {
      for (int c = 0; c < channels; c++) {
        h[r * channels + c] = silu(gateUp.get(r, 2 * c)) * gateUp.get(r, 2 * c + 1);
      }
    });
    return h;
  }

  /** h (rows x I) as floats, each exactly a BF16 value, from gate_up's output. */
  public static float[] apply(Bf16Matrix gateUp) {
    int rows = gateUp.rows();
    int channels = gateUp.cols() / 2;
    float[] h = new float[rows * channels];
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, rows);
    (rows * channels >= (1 << 18) ? range.parallel() : range).forEach(r -> {
      for (int c = 0; c < channels; c++) {
        h[r * channels + c] = Bf16.roundToFloat(silu(gateUp.get(r, 2 * c)) * gateUp.get(r, 2 * c + 1));
      }
    });
    return h;
  }
}
