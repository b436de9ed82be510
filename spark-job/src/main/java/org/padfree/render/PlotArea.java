package org.padfree.render;

/**
 * The rectangle of a chart where data is drawn, with the charts' shared axis drawing: the margins
 * around it hold tick labels and axis titles.
 */
public record PlotArea(double left, double top, double width, double height) {

  private static final double TICK_LENGTH = 5;

  /** The plot area of a chart of the given size, leaving {@code rightMargin} for a legend. */
  public static PlotArea inside(SvgBuilder svg, double rightMargin) {
    double left = 64;
    double top = 40;
    double bottom = 52;
    return new PlotArea(left, top, svg.width() - left - rightMargin, svg.height() - top - bottom);
  }

  public double right() {
    return left + width;
  }

  public double bottom() {
    return top + height;
  }

  public double x(AxisScale scale, double value) {
    return left + scale.fraction(value) * width;
  }

  public double y(AxisScale scale, double value) {
    return bottom() - scale.fraction(value) * height;
  }

  /** Horizontal grid lines with labels at each of the scale's ticks, and the axis title. */
  public void drawYAxis(SvgBuilder svg, AxisScale scale, String title) {
    for (double tick : scale.ticks()) {
      double y = y(scale, tick);
      svg.line(left, y, right(), y, SvgBuilder.GRID_COLOUR, false);
      svg.text(left - TICK_LENGTH - 2, y + 4, scale.label(tick), "end", SvgBuilder.MUTED_COLOUR);
    }
    svg.line(left, top, left, bottom(), SvgBuilder.MUTED_COLOUR, false);
    svg.verticalText(16, top + height / 2, title);
  }

  /**
   * The x axis line, with ticks at the values of {@code ticks} that lie on {@code scale} (the two
   * differ for a histogram, whose bins are finer than its labels), and the axis title.
   */
  public void drawXAxis(SvgBuilder svg, AxisScale scale, AxisScale ticks, String title) {
    drawBaseline(svg);
    double tolerance = scale.step() * 1e-6;
    for (double tick : ticks.ticks()) {
      if (tick < scale.min() - tolerance || tick > scale.max() + tolerance) {
        continue;
      }
      double x = x(scale, tick);
      svg.line(x, bottom(), x, bottom() + TICK_LENGTH, SvgBuilder.MUTED_COLOUR, false);
      svg.text(x, bottom() + TICK_LENGTH + 13, ticks.label(tick), "middle", SvgBuilder.MUTED_COLOUR);
    }
    svg.text(left + width / 2, bottom() + 42, title, "middle", SvgBuilder.MUTED_COLOUR);
  }

  /** The x axis line alone, for categorical charts that label their own categories. */
  public void drawBaseline(SvgBuilder svg) {
    svg.line(left, bottom(), right(), bottom(), SvgBuilder.MUTED_COLOUR, false);
  }
}
