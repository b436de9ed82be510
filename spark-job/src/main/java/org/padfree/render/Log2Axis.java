package org.padfree.render;

import java.util.List;

/**
 * An x axis in log2 scale for token counts (64, 256, 1024, ...), which sweeps space geometrically:
 * on a linear axis every point but the largest would crowd at the left edge. Ticks are the measured
 * values themselves, so each label is a number that was actually run.
 */
public record Log2Axis(double min, double max) {

  public static Log2Axis covering(List<Double> values) {
    double lo = values.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(1);
    double hi = values.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).max().orElse(2);
    // A single value still gets a range, with the value in the middle.
    return hi > lo ? new Log2Axis(lo, hi) : new Log2Axis(lo / 2, lo * 2);
  }

  /** Where {@code value} lies between min (0) and max (1). */
  public double fraction(double value) {
    return (log2(value) - log2(min)) / (log2(max) - log2(min));
  }

  public double x(PlotArea plot, double value) {
    return plot.left() + fraction(value) * plot.width();
  }

  /** The axis line, a tick and label at each of {@code ticks}, and the title. */
  public void draw(SvgBuilder svg, PlotArea plot, List<Double> ticks, String title) {
    plot.drawBaseline(svg);
    for (double t : ticks) {
      double x = x(plot, t);
      svg.line(x, plot.bottom(), x, plot.bottom() + 5, SvgBuilder.MUTED_COLOUR, false);
      svg.text(x, plot.bottom() + 18, HumanFormat.significant(t, 4), "middle", SvgBuilder.MUTED_COLOUR);
    }
    svg.text(plot.left() + plot.width() / 2, plot.bottom() + 42, title, "middle", SvgBuilder.MUTED_COLOUR);
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }
}
