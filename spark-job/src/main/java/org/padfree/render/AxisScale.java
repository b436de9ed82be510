package org.padfree.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A linear chart axis from {@code min} to {@code max} whose ends and ticks fall on "nice" numbers
 * (1, 2 or 5 times a power of ten), so tick labels are short and histogram bins have round edges.
 */
public record AxisScale(double min, double max, double step) {

  /**
   * The smallest nice axis covering [lo, hi] in about {@code parts} steps. An empty range is widened
   * upwards (a single value still gets an axis with that value at its bottom); with
   * {@code wholeSteps} the step is at least 1, for counts.
   */
  public static AxisScale covering(double lo, double hi, int parts, boolean wholeSteps) {
    if (!(hi > lo)) {
      hi = lo + Math.max(Math.abs(lo), 1.0);
    }
    double step = niceStep((hi - lo) / Math.max(parts, 1));
    if (wholeSteps) {
      step = Math.max(1.0, step);
    }
    double min = Math.floor(lo / step) * step;
    double max = Math.ceil(hi / step) * step;
    return new AxisScale(min, max, step);
  }

  /** Steps between {@code min} and {@code max}, rounded: the number of histogram bins. */
  public int steps() {
    return (int) Math.round((max - min) / step);
  }

  /** Where {@code value} lies between min (0) and max (1). */
  public double fraction(double value) {
    return (value - min) / (max - min);
  }

  /** Tick values at every step from min to max, computed from integers so they do not drift. */
  public List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    long first = Math.round(min / step);
    for (int i = 0; i <= steps(); i++) {
      ticks.add((first + i) * step);
    }
    return ticks;
  }

  /** A tick label with as many decimals as the step needs: steps of 0.5 print 1.5, steps of 5 print 15. */
  public String label(double value) {
    // The tolerance keeps a step of 0.001, whose log10 may come out a hair below -3, at 3 decimals.
    int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  /** 1, 2 or 5 times a power of ten, the first not below {@code rough}. */
  public static double niceStep(double rough) {
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    double mantissa = rough / power;
    double nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10;
    return nice * power;
  }
}
