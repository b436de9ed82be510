package org.padfree.render;

import java.util.Arrays;
import org.padfree.Validate;

/**
 * Order statistics of a sample with non-finite values left out (NaN marks "not measured" in result
 * rows, and an infinite speedup says more about a zero timer reading than about the kernel).
 *
 * <p>Percentiles interpolate linearly between closest ranks, the definition of numpy's default,
 * R's type 7 and spreadsheets' PERCENTILE.INC: for the n sorted values {@code x[0..n-1]} and
 * {@code p} in [0, 100], let {@code h = (n - 1) * p / 100}; the percentile is
 * {@code x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])}. So P0 is the minimum,
 * P100 the maximum, and P50 the usual median (the mean of the middle two for an even count). Nearest
 * rank was not chosen because its median of two values is the smaller one, which reads as a bias
 * in small groups. Every statistic of an empty sample is NaN.
 */
public final class Percentiles {
  private final double[] sorted;

  private Percentiles(double[] sorted) {
    this.sorted = sorted;
  }

  /** The finite values of {@code values}, sorted; the array is not modified. */
  public static Percentiles of(double... values) {
    Validate.notNull("values", values);
    double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
    Arrays.sort(finite);
    return new Percentiles(finite);
  }

  /** How many finite values the sample holds. */
  public int count() {
    return sorted.length;
  }

  /** The {@code p}-th percentile, {@code p} in [0, 100]; NaN for an empty sample. */
  public double at(double p) {
    Validate.require(p >= 0 && p <= 100, "percentile", p, "must be in [0, 100]");
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double h = (sorted.length - 1) * p / 100.0;
    int below = (int) Math.floor(h);
    if (below >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    return sorted[below] + (h - below) * (sorted[below + 1] - sorted[below]);
  }

  public double median() {
    return at(50);
  }

  public double min() {
    return sorted.length == 0 ? Double.NaN : sorted[0];
  }

  public double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  public double mean() {
    return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).sum() / sorted.length;
  }
}
