package org.padfree.quant;

import org.padfree.numerics.Fp8E4M3;

/**
 * The fine-grained scaling rule shared by activations (1x128) and weights (128x128), and the GPU
 * scale layout. One place, so the CPU and GPU quantizers cannot drift apart.
 */
public final class ScaleBlocks {
  private ScaleBlocks() {}

  /** Width of a scaling block along K (and height of a weight block along N). */
  public static final int BLOCK = 128;
  /** Floor for amax, so all-zero blocks get a finite, non-zero scale. */
  public static final float AMAX_FLOOR = 1e-4f;
  /** TMA needs 16-byte aligned strides: the M-major scale rows are padded to 4 floats. */
  public static final int TMA_SCALE_ALIGN = 4;

  /** Number of 128-wide blocks covering {@code extent} columns; a partial tail block counts. */
  public static int blocks(int extent) {
    return (extent + BLOCK - 1) / BLOCK;
  }

  public static int roundUp(int value, int multiple) {
    return (value + multiple - 1) / multiple * multiple;
  }

  /** {@code s = max(amax, 1e-4) / 448}, in FP32. */
  public static float scaleOf(float amax) {
    return Math.max(amax, AMAX_FLOOR) / Fp8E4M3.MAX;
  }

  /**
   * The multiplier applied before rounding to FP8: {@code 448 / max(amax, 1e-4)} in FP32 (multiplying
   * by this, not dividing by the scale, is what the GPU kernels and DeepGEMM's reference do).
   */
  public static float inverseScaleOf(float amax) {
    return Fp8E4M3.MAX / Math.max(amax, AMAX_FLOOR);
  }

  /**
   * Re-lays row-major scales {@code [rows][kBlocks]} into the GPU's M-major, TMA-aligned layout
   * {@code [kBlocks][roundUp(rows, 4)]}: element (m, kb) at {@code kb * roundUp(rows, 4) + m}; the
   * alignment slots are zero and never read for valid rows.
   */
  public static float[] toTmaAlignedMMajor(float[] rowMajor, int rows, int kBlocks) {
    int stride = roundUp(rows, TMA_SCALE_ALIGN);
    float[] out = new float[Math.multiplyExact(stride, kBlocks)];
    for (int m = 0; m < rows; m++) {
      for (int kb = 0; kb < kBlocks; kb++) {
        out[kb * stride + m] = rowMajor[m * kBlocks + kb];
      }
    }
    return out;
  }
}
