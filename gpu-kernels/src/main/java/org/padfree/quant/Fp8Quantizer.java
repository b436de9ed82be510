package org.padfree.quant;

import org.padfree.Validate;
import org.padfree.numerics.Fp8E4M3;

/**
 * Fine-grained FP8 quantization as DESIGN.md defines it. For each scaling block:
 * {@code amax = max |x|}, {@code scale = max(amax, 1e-4) / 448}, {@code q = e4m3(x * (448 / max(amax, 1e-4)))}.
 * A K (or N) that is not a multiple of 128 leaves a narrower tail block; that is the same as
 * zero-filling it, because zeros change neither amax nor the products.
 */
public final class Fp8Quantizer {
  private Fp8Quantizer() {}

  /** Activations [rows][k] (row-major floats) with one scale per row per 128 columns. */
  /** Inputs at least this large are processed by several threads. */
  static final int PARALLEL_ELEMENTS = 1 << 20;

  public static QuantizedActivations quantizeActivations(float[] x, int rows, int k) {
    Validate.nonNegative("rows", rows);
    Validate.positive("k", k);
    Validate.notNull("x", x);
    Validate.length("x", x.length, (long) rows * k, "rows=" + rows + " x k=" + k);
    int kBlocks = ScaleBlocks.blocks(k);
    byte[] q = new byte[x.length];
    float[] scales = new float[rows * kBlocks];
    // Rows are independent: large batches quantize in parallel (the result is the same either way).
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, rows);
    (x.length >= PARALLEL_ELEMENTS ? range.parallel() : range).forEach(m -> {
      for (int kb = 0; kb < kBlocks; kb++) {
        int from = m * k + kb * ScaleBlocks.BLOCK;
        int to = m * k + Math.min(k, (kb + 1) * ScaleBlocks.BLOCK);
        float amax = 0f;
        for (int i = from; i < to; i++) {
          amax = Math.max(amax, Math.abs(x[i]));
        }
        requireFinite(amax, "x", "row " + m + ", k-block " + kb);
        scales[m * kBlocks + kb] = ScaleBlocks.scaleOf(amax);
        float inverse = ScaleBlocks.inverseScaleOf(amax);
        for (int i = from; i < to; i++) {
          q[i] = Fp8E4M3.encode(x[i] * inverse);
        }
      }
    });
    return new QuantizedActivations(rows, k, q, scales);
  }

  /** One expert's weights [n][k] (row-major floats) with one scale per 128x128 block. */
  public static QuantizedWeights quantizeWeights(float[] w, int n, int k) {
    return quantizeExperts(new float[][] {w}, n, k);
  }

  /** Several experts' weights, each [n][k] row-major; the result keeps one array per expert. */
  public static QuantizedWeights quantizeExperts(float[][] w, int n, int k) {
    Validate.positive("n", n);
    Validate.positive("k", k);
    Validate.notNull("w", w);
    int nBlocks = ScaleBlocks.blocks(n);
    int kBlocks = ScaleBlocks.blocks(k);
    byte[][] q = new byte[w.length][];
    float[][] scales = new float[w.length][];
    for (int e = 0; e < w.length; e++) {
      float[] we = Validate.notNull("w[" + e + "]", w[e]);
      Validate.length("w[" + e + "]", we.length, (long) n * k, "n=" + n + " x k=" + k);
      q[e] = new byte[we.length];
      scales[e] = new float[nBlocks * kBlocks];
      for (int nb = 0; nb < nBlocks; nb++) {
        int rowFrom = nb * ScaleBlocks.BLOCK;
        int rowTo = Math.min(n, rowFrom + ScaleBlocks.BLOCK);
        for (int kb = 0; kb < kBlocks; kb++) {
          int colFrom = kb * ScaleBlocks.BLOCK;
          int colTo = Math.min(k, colFrom + ScaleBlocks.BLOCK);
          float amax = 0f;
          for (int r = rowFrom; r < rowTo; r++) {
            for (int c = colFrom; c < colTo; c++) {
              amax = Math.max(amax, Math.abs(we[r * k + c]));
            }
          }
          requireFinite(amax, "w[" + e + "]", "n-block " + nb + ", k-block " + kb);
          scales[e][nb * kBlocks + kb] = ScaleBlocks.scaleOf(amax);
          float inverse = ScaleBlocks.inverseScaleOf(amax);
          for (int r = rowFrom; r < rowTo; r++) {
            for (int c = colFrom; c < colTo; c++) {
              q[e][r * k + c] = Fp8E4M3.encode(we[r * k + c] * inverse);
            }
          }
        }
      }
    }
    return new QuantizedWeights(n, k, q, scales);
  }

  private static void requireFinite(float amax, String field, String block) {
    // NaN compares false with everything, so Math.max keeps it; an infinite or NaN block would get
    // a meaningless scale, and the GEMM's result would be garbage without any error.
    Validate.require(Float.isFinite(amax), field, amax,
        "the scaling block at " + block + " holds a non-finite value; inputs must be finite");
  }
}
