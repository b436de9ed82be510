package org.padfree.bench;

import java.util.Arrays;

/**
 * Median and 10th/90th percentiles of one path's timed runs, in microseconds. Percentiles
 * interpolate linearly between order statistics (p = x[h] with h = (count - 1) q).
 */
public record TimingStats(double medianUs, double p10Us, double p90Us, int runs) {

  public static TimingStats ofMillis(double[] millis) {
    double[] us = new double[millis.length];
    for (int i = 0; i < us.length; i++) {
      us[i] = millis[i] * 1000;
    }
    Arrays.sort(us);
    return new TimingStats(percentile(us, 0.5), percentile(us, 0.1), percentile(us, 0.9), us.length);
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
