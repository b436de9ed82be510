package org.padfree.reference;

import org.padfree.Validate;
import org.padfree.numerics.Bf16;

/** A row-major [rows][cols] matrix of BF16 bit patterns: the D of every GEMM. */
public record Bf16Matrix(int rows, int cols, short[] bits) {

  public Bf16Matrix {
    Validate.nonNegative("rows", rows);
    Validate.positive("cols", cols);
    Validate.notNull("bits", bits);
    Validate.length("bits", bits.length, (long) rows * cols, "rows=" + rows + " x cols=" + cols);
  }

  public static Bf16Matrix zeros(int rows, int cols) {
    return new Bf16Matrix(rows, cols, new short[Validate.product("rows x cols", rows, cols)]);
  }

  public float get(int row, int col) {
    return Bf16.toFloat(bits[row * cols + col]);
  }

  /** True when row {@code row} of this and row {@code otherRow} of {@code other} have identical bits. */
  public boolean rowEquals(int row, Bf16Matrix other, int otherRow) {
    return cols == other.cols
        && java.util.Arrays.equals(bits, row * cols, (row + 1) * cols,
            other.bits, otherRow * cols, (otherRow + 1) * cols);
  }
}
