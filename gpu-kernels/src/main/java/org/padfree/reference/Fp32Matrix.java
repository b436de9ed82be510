package org.padfree.reference;

import org.padfree.Validate;

/** A row-major FP32 matrix: a GEMM's accumulators before they are rounded to BF16. */
public record Fp32Matrix(int rows, int cols, float[] values) {
  public Fp32Matrix {
    Validate.nonNegative("rows", rows);
    Validate.nonNegative("cols", cols);
    Validate.length("values", values.length, (long) rows * cols, "rows x cols");
  }

  public static Fp32Matrix zeros(int rows, int cols) {
    return new Fp32Matrix(rows, cols, new float[Validate.product("rows x cols", rows, cols)]);
  }

  public float get(int row, int col) {
    return values[row * cols + col];
  }
}
