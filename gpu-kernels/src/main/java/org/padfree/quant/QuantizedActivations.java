package org.padfree.quant;

import org.padfree.Validate;

/**
 * FP8 activations with 1x128 scales: {@code values} is row-major [rows][k] (one FP8 code per byte),
 * {@code scales} is row-major [rows][blocks(k)]. Row m, column k dequantizes to
 * {@code decode(values[m*k+k]) * scales[m*kBlocks + k/128]}.
 */
public record QuantizedActivations(int rows, int k, byte[] values, float[] scales) {

  public QuantizedActivations {
    Validate.nonNegative("rows", rows);
    Validate.positive("k", k);
    Validate.notNull("values", values);
    Validate.notNull("scales", scales);
    Validate.length("values", values.length, (long) rows * k, "rows=" + rows + " x k=" + k);
    Validate.length("scales", scales.length, (long) rows * ScaleBlocks.blocks(k),
        "rows=" + rows + " x ceil(k/128)=" + ScaleBlocks.blocks(k));
  }

  public int kBlocks() {
    return ScaleBlocks.blocks(k);
  }

  public float scale(int row, int kBlock) {
    return scales[row * kBlocks() + kBlock];
  }

  /** Scales in the GPU layout (see {@link ScaleBlocks#toTmaAlignedMMajor}). */
  public float[] tmaAlignedScales() {
    return ScaleBlocks.toTmaAlignedMMajor(scales, rows, kBlocks());
  }

  /**
   * A new matrix whose row r is row {@code source[r]} of this one, or the quantization of an all-zero
   * row where {@code source[r] == -1} (FP8 zeros with the floor scale). This is the pad operation of
   * the padded path and the row permutation of the contiguous layouts.
   */
  public QuantizedActivations gatherRows(int[] source) {
    Validate.notNull("source", source);
    int kb = kBlocks();
    byte[] v = new byte[Validate.product("rows x k", source.length, k)];
    float[] s = new float[source.length * kb];
    float zeroRowScale = ScaleBlocks.scaleOf(0f);
    // Rows are independent: large gathers copy in parallel.
    java.util.stream.IntStream range = java.util.stream.IntStream.range(0, source.length);
    (v.length >= (1 << 20) ? range.parallel() : range).forEach(r -> {
      int from = source[r];
      Validate.require(from >= -1 && from < rows, "source[" + r + "]", from,
          "must be -1 (zero row) or a row in [0, " + rows + ")");
      if (from < 0) {
        java.util.Arrays.fill(s, r * kb, (r + 1) * kb, zeroRowScale);
      } else {
        System.arraycopy(values, from * k, v, r * k, k);
        System.arraycopy(scales, from * kb, s, r * kb, kb);
      }
    });
    return new QuantizedActivations(source.length, k, v, s);
  }
}
