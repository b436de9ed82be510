package org.padfree.reference;

import org.padfree.Validate;
import org.padfree.numerics.Fp8E4M3;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.quant.ScaleBlocks;

/**
 * The double-precision reference every backend is judged against: the dequantized operands
 * multiplied and summed in double, {@code ref[m,n] = sum_kb sa[m,kb]*sb[n/128,kb] * P[m,n,kb]} with
 * {@code P} the block's exact FP8 dot product. It also returns, per element, the magnitude
 * {@code sum_kb |sa*sb*P|} that bounds the FP32 rounding error of the block-scaled accumulation:
 *
 * <pre>
 *   |D - ref| <= 2^-8 |ref| + (1 + 2^-8) (ceil(K/128) + 3) 2^-24 * magnitude
 * </pre>
 *
 * (2^-8 bounds BF16's half ulp relative to the value; each K block adds at most one FP32 rounding of the partial, of the scale
 * product and of the fused multiply-add.) {@link #bound} evaluates it.
 */
public final class DoubleReference {
  private DoubleReference() {}

  /** ref and magnitude for rows [row0, row0+rows) of A against one expert, each [rows][N]. */
  public record Result(int rows, int cols, double[] values, double[] magnitudes, int kBlocks) {
    public double bound(int row, int col) {
      int i = row * cols + col;
      return DoubleReference.bound(values[i], magnitudes[i], kBlocks);
    }
  }

  /** The documented per-element bound on |D - ref|. */
  public static double bound(double ref, double magnitude, int kBlocks) {
    return 0x1p-8 * Math.abs(ref) + (1 + 0x1p-8) * (kBlocks + 3) * 0x1p-24 * magnitude;
  }

  public static Result compute(QuantizedActivations a, int row0, int rows, QuantizedWeights b, int expert) {
    Validate.require(a.k() == b.k(), "k", a.k(), "A has K=" + a.k() + " but B has K=" + b.k());
    Validate.require(row0 >= 0 && rows >= 0 && row0 + rows <= a.rows(), "rows", row0 + ".." + (row0 + rows),
        "outside A's " + a.rows() + " rows");
    Validate.require(expert >= 0 && expert < b.experts(), "expert", expert, "outside [0, " + b.experts() + ")");
    int n = b.n();
    int k = a.k();
    int kBlocks = a.kBlocks();
    double[] values = new double[rows * n];
    double[] magnitudes = new double[rows * n];
    byte[] av = a.values();
    byte[] bv = b.values()[expert];
    double[] aRow = new double[k];
    for (int i = 0; i < rows; i++) {
      int m = row0 + i;
      for (int c = 0; c < k; c++) {
        aRow[c] = Fp8E4M3.decode(av[m * k + c]);
      }
      final int row = m;
      final int out = i;
      // Columns are independent: large rows (a DeepSeek row is 29M multiply-adds) use every core.
      java.util.stream.IntStream cols = java.util.stream.IntStream.range(0, n);
      (1L * n * k >= (1 << 20) ? cols.parallel() : cols).forEach(col -> {
        double sum = 0;
        double magnitude = 0;
        for (int kb = 0; kb < kBlocks; kb++) {
          double partial = 0;
          int end = Math.min(k, (kb + 1) * ScaleBlocks.BLOCK);
          for (int c = kb * ScaleBlocks.BLOCK; c < end; c++) {
            partial += aRow[c] * Fp8E4M3.decode(bv[col * k + c]);
          }
          double term = partial * (double) a.scale(row, kb) * (double) b.scale(expert, col / ScaleBlocks.BLOCK, kb);
          sum += term;
          magnitude += Math.abs(term);
        }
        values[out * n + col] = sum;
        magnitudes[out * n + col] = magnitude;
      });
    }
    return new Result(rows, n, values, magnitudes, kBlocks);
  }
}
