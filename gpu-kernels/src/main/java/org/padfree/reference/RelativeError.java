package org.padfree.reference;

import org.padfree.Validate;

/**
 * DeepGEMM's global error measure {@code 1 - 2<x,y> / (<x,x> + <y,y>)}: 0 for identical vectors,
 * about the mean squared relative error otherwise. GPU results must be below 1e-3 against
 * {@link DoubleReference}; the CPU backend is far tighter (BF16 rounding alone bounds it by about 2^-17).
 */
public final class RelativeError {
  private RelativeError() {}

  public static double of(double[] x, double[] y) {
    Validate.require(x.length == y.length, "length", x.length, "vectors differ in length (" + y.length + ")");
    double xy = 0, xx = 0, yy = 0;
    for (int i = 0; i < x.length; i++) {
      xy += x[i] * y[i];
      xx += x[i] * x[i];
      yy += y[i] * y[i];
    }
    double denominator = xx + yy;
    return denominator == 0 ? 0.0 : 1.0 - 2.0 * xy / denominator;
  }

  /** Rows [row, row+count) of D as doubles, for comparison with a {@link DoubleReference.Result}. */
  public static double[] rows(Bf16Matrix d, int row, int count) {
    double[] out = new double[count * d.cols()];
    for (int i = 0; i < out.length; i++) {
      out[i] = org.padfree.numerics.Bf16.toFloat(d.bits()[row * d.cols() + i]);
    }
    return out;
  }
}
