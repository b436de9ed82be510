package org.padfree.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.padfree.render.AxisScale;
import org.padfree.render.ChartLegends;
import org.padfree.render.HumanFormat;
import org.padfree.render.Log2Axis;
import org.padfree.render.PlotArea;
import org.padfree.render.SvgBuilder;
import org.padfree.render.Palette;

/**
 * The sweep report's charts, inline SVG drawn on the driver with the evaluation report's builders:
 * change per point against the reference, a metric against tokens per batch, and headline figures
 * over the history. Each draws a message instead of axes when it has nothing to plot.
 */
public final class SweepCharts {
  private SweepCharts() {}

  public static final String CHANGE = "change";
  public static final String SPEEDUP_VS_TOKENS = "speedup-vs-tokens";
  public static final String SAVING_VS_TOKENS = "saving-vs-tokens";
  public static final String TREND_TFLOPS = "trend-tflops";
  public static final String TREND_SPEEDUP = "trend-speedup";
  public static final String LAYER_SPEEDUP_VS_TOKENS = "layer-speedup-vs-tokens";
  public static final String TREND_LAYER_SPEEDUP = "trend-layer-speedup";

  private static final int WIDTH = 760;
  private static final int HEIGHT = 340;

  /**
   * Relative change of {@code metric} per point against one reference, one bar per compared point,
   * with dashed lines at the regression limit.
   */
  public static String change(List<Finding> findings, String against, String metric) {
    String title = "Change of " + metric + " per grid point against the " + against + " run";
    List<Finding> compared = findings.stream()
        .filter(f -> f.against().equals(against) && f.metric().equals(metric) && Double.isFinite(f.change())).toList();
    if (compared.isEmpty()) {
      return empty(CHANGE, title, "No data: no point was compared against a " + against + " run.");
    }
    double limit = compared.get(0).limit();
    double lo = Math.min(limit, compared.stream().mapToDouble(Finding::change).min().orElse(0));
    double hi = Math.max(0.05, compared.stream().mapToDouble(Finding::change).max().orElse(0));
    long regressed = compared.stream().filter(Finding::regression).count();
    String headline = HumanFormat.plural(compared.size(), "point", "points") + " compared, " + regressed
        + " beyond the limit of " + HumanFormat.percent(limit);
    SvgBuilder svg = new SvgBuilder(CHANGE, Math.max(WIDTH, 88 + 16 * compared.size()), HEIGHT, title,
        "Bar chart of the change of " + metric + " per point: " + headline);
    PlotArea plot = PlotArea.inside(svg, 24);
    AxisScale y = AxisScale.covering(100 * lo, 100 * hi, 6, false);
    plot.drawYAxis(svg, y, "change (%)");
    double slot = plot.width() / compared.size();
    for (int i = 0; i < compared.size(); i++) {
      Finding f = compared.get(i);
      double v = 100 * f.change();
      double top = plot.y(y, Math.max(v, 0));
      double bottom = plot.y(y, Math.min(v, 0));
      svg.rect(plot.left() + slot * i + 1, top, Math.max(1, slot - 2), Math.max(1, bottom - top),
          f.regression() ? Palette.colour(3) : Palette.colour(0),
          f.pointKey() + ": " + HumanFormat.significant(f.reference(), 3) + " to " + HumanFormat.significant(f.now(), 3)
              + " (" + HumanFormat.decimal(v, 1) + "%)");
    }
    double zero = plot.y(y, 0);
    svg.line(plot.left(), zero, plot.right(), zero, SvgBuilder.MUTED_COLOUR, false);
    double limitY = plot.y(y, 100 * limit);
    svg.line(plot.left(), limitY, plot.right(), limitY, Palette.colour(3), true);
    svg.text(plot.right(), limitY - 4, "regression limit " + HumanFormat.percent(limit), "end", Palette.colour(3));
    plot.drawBaseline(svg);
    svg.text(plot.left() + plot.width() / 2, plot.bottom() + 20, "grid points in spec order (hover a bar for its key)",
        "middle", SvgBuilder.MUTED_COLOUR);
    return svg.headline(headline).build();
  }

  /**
   * A metric against tokens per batch, one line per (model, GEMM, distribution, backend); rows where
   * the metric is NaN (a layer metric on GEMM rows, a GEMM metric on layer rows) are left out.
   */
  public static String versusTokens(String chart, List<PointResult> rows, String label,
      ToDoubleFunction<PointResult> metric, double scale) {
    String title = label + " against tokens per batch";
    Map<String, List<PointResult>> series = new LinkedHashMap<>();
    for (PointResult r : rows) {
      if (r.failures() == 0 && Double.isFinite(metric.applyAsDouble(r))) {
        series.computeIfAbsent(r.model() + " " + r.gemm() + " " + r.distribution() + " " + r.backend(),
            k -> new ArrayList<>()).add(r);
      }
    }
    if (series.isEmpty()) {
      return empty(chart, title, "No data: no point passed with this figure measured.");
    }
    List<Double> tokens = rows.stream().map(r -> (double) r.tokens()).distinct().sorted().toList();
    double lo = series.values().stream().flatMap(List::stream).mapToDouble(metric).min().orElse(0) * scale;
    double hi = series.values().stream().flatMap(List::stream).mapToDouble(metric).max().orElse(1) * scale;
    Map<String, String> colours = new LinkedHashMap<>();
    series.keySet().forEach(k -> colours.put(k, Palette.colour(colours.size())));
    SvgBuilder svg = new SvgBuilder(chart, WIDTH + 160, HEIGHT, title,
        "Line chart of " + label + " against tokens per batch, " + series.size() + " series, from "
            + HumanFormat.significant(lo, 3) + " to " + HumanFormat.significant(hi, 3));
    PlotArea plot = PlotArea.inside(svg, ChartLegends.verticalWidth(colours.keySet()));
    AxisScale y = AxisScale.covering(Math.min(0, lo), hi, 5, false);
    Log2Axis x = Log2Axis.covering(tokens);
    plot.drawYAxis(svg, y, label);
    x.draw(svg, plot, tokens, "tokens per batch (log scale)");
    for (Map.Entry<String, List<PointResult>> s : series.entrySet()) {
      List<PointResult> points = s.getValue().stream().sorted((a, b) -> Integer.compare(a.tokens(), b.tokens())).toList();
      String colour = colours.get(s.getKey());
      for (int i = 0; i < points.size(); i++) {
        PointResult p = points.get(i);
        double px = x.x(plot, p.tokens());
        double py = plot.y(y, scale * metric.applyAsDouble(p));
        if (i > 0) {
          PointResult q = points.get(i - 1);
          svg.line(x.x(plot, q.tokens()), plot.y(y, scale * metric.applyAsDouble(q)), px, py, colour, false);
        }
        svg.circle(px, py, 3.5, colour, s.getKey() + ", " + p.tokens() + " tokens: "
            + HumanFormat.significant(scale * metric.applyAsDouble(p), 3));
      }
    }
    ChartLegends.vertical(svg, plot, colours);
    return svg.headline(HumanFormat.plural(series.size(), "series", "series") + " over "
        + HumanFormat.plural(tokens.size(), "token count", "token counts")).build();
  }

  /** A headline figure per run of the sweep, oldest to newest. */
  public static String trend(String chart, List<RunTrend> runs, String label, ToDoubleFunction<RunTrend> metric) {
    String title = label + " per run (median over the run's passing points)";
    List<RunTrend> measured = runs.stream().filter(r -> Double.isFinite(metric.applyAsDouble(r))).toList();
    if (measured.isEmpty()) {
      return empty(chart, title, "No data: no run in the history has this figure.");
    }
    double lo = measured.stream().mapToDouble(metric).min().orElse(0);
    double hi = measured.stream().mapToDouble(metric).max().orElse(1);
    SvgBuilder svg = new SvgBuilder(chart, WIDTH, HEIGHT, title, "Line chart of " + label + " over "
        + measured.size() + " runs, latest " + HumanFormat.significant(metric.applyAsDouble(measured.getLast()), 3));
    PlotArea plot = PlotArea.inside(svg, 24);
    AxisScale y = AxisScale.covering(Math.min(0, lo), hi, 5, false);
    plot.drawYAxis(svg, y, label);
    plot.drawBaseline(svg);
    double slot = plot.width() / measured.size();
    for (int i = 0; i < measured.size(); i++) {
      RunTrend r = measured.get(i);
      double px = plot.left() + slot * (i + 0.5);
      double py = plot.y(y, metric.applyAsDouble(r));
      if (i > 0) {
        svg.line(plot.left() + slot * (i - 0.5), plot.y(y, metric.applyAsDouble(measured.get(i - 1))), px, py,
            Palette.colour(0), false);
      }
      svg.circle(px, py, 4, r.failedPoints() > 0 ? Palette.colour(3) : Palette.colour(0),
          r.runId() + " (" + r.gitRevision() + "): " + HumanFormat.significant(metric.applyAsDouble(r), 3)
              + (r.failedPoints() > 0 ? ", " + r.failedPoints() + " failed points" : ""));
      if (measured.size() <= 12) {
        svg.text(px, plot.bottom() + 16, shorten(r.runId()), "middle", SvgBuilder.MUTED_COLOUR);
      }
    }
    return svg.headline(HumanFormat.plural(measured.size(), "run", "runs") + ", latest "
        + HumanFormat.significant(metric.applyAsDouble(measured.getLast()), 3)).build();
  }

  private static String shorten(String runId) {
    return runId.length() <= 16 ? runId : "\u2026" + runId.substring(runId.length() - 15);
  }

  private static String empty(String chart, String title, String message) {
    return new SvgBuilder(chart, WIDTH, 120, title, title + ". " + message).headline(title).message(message).build();
  }
}
