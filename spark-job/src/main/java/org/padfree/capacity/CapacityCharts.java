package org.padfree.capacity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.padfree.render.AxisScale;
import org.padfree.render.ChartLegends;
import org.padfree.render.HumanFormat;
import org.padfree.render.Log2Axis;
import org.padfree.render.PairedBars;
import org.padfree.render.PlotArea;
import org.padfree.render.SvgBuilder;
import org.padfree.render.Palette;

/** The capacity report's charts: GPUs and cost per scenario, and throughput against tokens. */
public final class CapacityCharts {
  private CapacityCharts() {}

  public static final String GPUS = "gpus";
  public static final String COST = "cost";
  public static final String THROUGHPUT = "throughput-vs-tokens";

  private static final int WIDTH = 760;
  private static final int HEIGHT = 340;

  /** Padded against padding-free per scenario; extrapolated scenarios are labelled so. */
  public static String pairs(String chart, String title, String unit, List<ScenarioResult> scenarios,
      java.util.function.ToDoubleFunction<ScenarioResult> padded, java.util.function.ToDoubleFunction<ScenarioResult> free) {
    if (scenarios.isEmpty()) {
      return new SvgBuilder(chart, WIDTH, 120, title, title + ". No scenarios.").headline(title).message("No scenarios.").build();
    }
    StringBuilder description = new StringBuilder("Grouped bar chart of " + unit + ", padded against padding-free:");
    scenarios.forEach(s -> description.append(' ').append(s.tokensPerBatch()).append(" tokens ").append(s.distribution())
        .append(' ').append(HumanFormat.significant(padded.applyAsDouble(s), 3)).append(" against ")
        .append(HumanFormat.significant(free.applyAsDouble(s), 3)).append(';'));
    SvgBuilder svg = new SvgBuilder(chart, Math.max(WIDTH, 88 + 120 * scenarios.size()), HEIGHT, title,
        description.toString());
    List<PairedBars.Slot> slots = scenarios.stream().map(s -> new PairedBars.Slot(
        s.tokensPerBatch() + " tokens, " + s.distribution(), s.tokensPerBatch() + " tokens" + (s.extrapolated() ? " \u26a0" : ""),
        shorten(s.distribution()), padded.applyAsDouble(s), free.applyAsDouble(s))).toList();
    PairedBars.draw(svg, slots, unit, new PairedBars.Series("padded", "padding-free", "padded pipeline",
        "padding-free pipeline", "", 40));
    return svg.build();
  }

  /**
   * Per-GPU throughput against tokens per batch: measured points joined by the interpolation (straight
   * on the log axis), planned scenarios as squares, hollow where extrapolated.
   */
  public static String throughput(Map<String, List<CapacityCalculator.Measured>> curves, List<ScenarioResult> scenarios) {
    String title = "Tokens/s per GPU against tokens per batch (measured, interpolated, planned)";
    List<Double> tokens = new ArrayList<>();
    double hi = 0;
    for (List<CapacityCalculator.Measured> c : curves.values()) {
      for (CapacityCalculator.Measured m : c) {
        tokens.add((double) m.tokens());
        hi = Math.max(hi, Math.max(m.paddedTokensPerSecond(), m.paddingFreeTokensPerSecond()));
      }
    }
    scenarios.forEach(s -> tokens.add((double) s.tokensPerBatch()));
    if (hi <= 0) {
      return new SvgBuilder(THROUGHPUT, WIDTH, 120, title, title + ". No data.").headline(title).message("No data.").build();
    }
    Map<String, String> legend = new LinkedHashMap<>();
    int i = 0;
    for (String d : curves.keySet()) {
      legend.put("padding-free, " + d, Palette.colour(2 * i));
      legend.put("padded, " + d, Palette.colour(2 * i + 1));
      i++;
    }
    SvgBuilder svg = new SvgBuilder(THROUGHPUT, WIDTH + 200, HEIGHT, title,
        "Line chart of measured tokens per second per GPU for " + curves.size() + " distributions, with "
            + scenarios.size() + " planned scenarios marked");
    PlotArea plot = PlotArea.inside(svg, ChartLegends.verticalWidth(legend.keySet()));
    AxisScale y = AxisScale.covering(0, hi, 5, false);
    Log2Axis x = Log2Axis.covering(tokens);
    plot.drawYAxis(svg, y, "tokens/s per GPU");
    x.draw(svg, plot, tokens.stream().distinct().sorted().toList(), "tokens per batch (log scale)");
    for (Map.Entry<String, List<CapacityCalculator.Measured>> e : curves.entrySet()) {
      String d = e.getKey();
      line(svg, plot, x, y, e.getValue(), true, legend.get("padding-free, " + d), "padding-free, " + d);
      line(svg, plot, x, y, e.getValue(), false, legend.get("padded, " + d), "padded, " + d);
    }
    for (ScenarioResult s : scenarios) {
      drawPlanned(svg, plot, x, y, s, s.paddingFreeTokensPerSecond(), legend.get("padding-free, " + s.distribution()));
      drawPlanned(svg, plot, x, y, s, s.paddedTokensPerSecond(), legend.get("padded, " + s.distribution()));
    }
    ChartLegends.vertical(svg, plot, legend);
    return svg.headline("circles measured, squares planned (hollow: extrapolated)").build();
  }

  private static void line(SvgBuilder svg, PlotArea plot, Log2Axis x, AxisScale y, List<CapacityCalculator.Measured> ms,
      boolean free, String colour, String label) {
    for (int i = 0; i < ms.size(); i++) {
      CapacityCalculator.Measured m = ms.get(i);
      double v = free ? m.paddingFreeTokensPerSecond() : m.paddedTokensPerSecond();
      if (i > 0) {
        CapacityCalculator.Measured p = ms.get(i - 1);
        svg.line(x.x(plot, p.tokens()), plot.y(y, free ? p.paddingFreeTokensPerSecond() : p.paddedTokensPerSecond()),
            x.x(plot, m.tokens()), plot.y(y, v), colour, false);
      }
      svg.circle(x.x(plot, m.tokens()), plot.y(y, v), 3.5, colour, label + ", measured at " + m.tokens() + " tokens: "
          + HumanFormat.significant(v, 3) + " tokens/s");
    }
  }

  private static void drawPlanned(SvgBuilder svg, PlotArea plot, Log2Axis x, AxisScale y, ScenarioResult s, double v,
      String colour) {
    if (!Double.isFinite(v) || colour == null) {
      return;
    }
    double cx = x.x(plot, s.tokensPerBatch());
    double cy = plot.y(y, v);
    String tip = "planned " + s.tokensPerBatch() + " tokens, " + s.distribution() + ": " + HumanFormat.significant(v, 3)
        + " tokens/s (" + s.method() + ")";
    if (s.extrapolated()) {
      svg.rect(cx - 5, cy - 5, 10, 10, "#ffffff", tip);
      svg.line(cx - 5, cy - 5, cx + 5, cy - 5, colour, false).line(cx + 5, cy - 5, cx + 5, cy + 5, colour, false)
          .line(cx + 5, cy + 5, cx - 5, cy + 5, colour, false).line(cx - 5, cy + 5, cx - 5, cy - 5, colour, false);
    } else {
      svg.rect(cx - 4, cy - 4, 8, 8, colour, tip);
    }
  }

  private static String shorten(String text) {
    return text.length() <= 18 ? text : text.substring(0, 17) + "\u2026";
  }
}
