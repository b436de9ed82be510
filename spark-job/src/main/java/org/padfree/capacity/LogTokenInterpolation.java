package org.padfree.capacity;

import java.util.List;
import java.util.TreeMap;

/**
 * A figure measured at some token counts, read at another. Between two measured counts t0 < t < t1
 * the figure is interpolated linearly in log2(tokens):
 * {@code f(t) = f(t0) + (f(t1) - f(t0)) * (log2 t - log2 t0) / (log2 t1 - log2 t0)}, because sweeps
 * space token counts geometrically and throughput grows roughly with the log of the batch. Outside
 * the measured range nothing is known: the figure is held at the nearest measured count and the
 * estimate is marked as extrapolated, so the report can warn instead of inventing a trend.
 */
public final class LogTokenInterpolation {
  private final TreeMap<Integer, Double> measured = new TreeMap<>();

  /** How a value was obtained. */
  public record Estimate(double value, boolean extrapolated, String method) {}

  public LogTokenInterpolation(List<Integer> tokens, List<Double> values) {
    if (tokens.size() != values.size()) {
      throw new IllegalArgumentException("tokens and values differ in length");
    }
    for (int i = 0; i < tokens.size(); i++) {
      measured.put(tokens.get(i), values.get(i));
    }
  }

  public boolean isEmpty() {
    return measured.isEmpty();
  }

  public int minTokens() {
    return measured.firstKey();
  }

  public int maxTokens() {
    return measured.lastKey();
  }

  public Estimate at(int tokens) {
    if (measured.isEmpty()) {
      return new Estimate(Double.NaN, true, "not measured");
    }
    Double exact = measured.get(tokens);
    if (exact != null) {
      return new Estimate(exact, false, "measured at " + tokens);
    }
    Integer below = measured.floorKey(tokens);
    Integer above = measured.ceilingKey(tokens);
    String range = "measured " + minTokens() + ".." + maxTokens() + " tokens";
    if (below == null) {
      return new Estimate(measured.get(above), true, "extrapolated: held at " + above + " (" + range + ")");
    }
    if (above == null) {
      return new Estimate(measured.get(below), true, "extrapolated: held at " + below + " (" + range + ")");
    }
    double w = (log2(tokens) - log2(below)) / (log2(above) - log2(below));
    double value = measured.get(below) + w * (measured.get(above) - measured.get(below));
    return new Estimate(value, false, "interpolated between " + below + " and " + above + " (linear in log2 tokens)");
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }
}
