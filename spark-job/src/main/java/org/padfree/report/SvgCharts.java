package org.padfree.report;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.padfree.Validate;
import org.padfree.results.BatchResult;
import org.padfree.render.AxisScale;
import org.padfree.render.ChartLegends;
import org.padfree.render.HumanFormat;
import org.padfree.render.PairedBars;
import org.padfree.render.Percentiles;
import org.padfree.render.PlotArea;
import org.padfree.render.SvgBuilder;
import org.padfree.render.Palette;

/**
 * The report's charts as inline SVG, drawn on the driver so index.html needs no script. Each
 * chart skips NaN and infinite values, draws an explanatory message instead of axes when nothing is
 * left, and carries {@code role="img"}, an aria-label that states its main figures, a title and a
 * {@code data-chart} name.
 */
public final class SvgCharts {
  private SvgCharts() {}

  public static final String SPEEDUP = "speedup";
  public static final String SAVING_VS_IMBALANCE = "saving-vs-imbalance";
  public static final String THROUGHPUT = "throughput";
  public static final String LAYER_TIME = "layer-time";

  /** More points than this are thinned to every k-th row, to keep index.html loadable. */
  static final int MAX_POINTS = 5000;

  private static final int WIDTH = 760;
  private static final int HEIGHT = 340;
  private static final int EMPTY_HEIGHT = 120;
  /** Width per (model, GEMM) pair of bars: room for a two-line label such as "qwen3-235b-a22b". */
  private static final int BAR_SLOT_WIDTH = 130;

  private static final String PADDING_FREE_COLOUR = Palette.colour(0);
  private static final String REFERENCE_LINE_COLOUR = Palette.colour(3);

  /** Histogram of per-row speedup over non-error rows, with a dashed line at 1.0 (no gain). */
  public static String speedupHistogram(List<BatchResult> results) {
    Validate.notNull("results", results);
    String title = "Speedup of padding-free over the padded path, per result row";
    double[] speedups = results.stream().filter(r -> !r.isError())
        .mapToDouble(BatchResult::speedup).filter(Double::isFinite).toArray();
    if (speedups.length == 0) {
      return empty(SPEEDUP, title, "No data: no result row has a measured speedup.");
    }
    Percentiles stats = Percentiles.of(speedups);
    long slower = Arrays.stream(speedups).filter(s -> s < 1.0).count();
    String headline = HumanFormat.plural(stats.count(), "row", "rows")
        + ", median " + HumanFormat.ratio(stats.median()) + ", p90 " + HumanFormat.ratio(stats.at(90))
        + ", min " + HumanFormat.ratio(stats.min()) + ", " + slower + " below 1.0";
    // 1.0 is always on the axis, so the reference line shows where "no gain" is.
    AxisScale bins = AxisScale.covering(Math.min(stats.min(), 1.0), Math.max(stats.max(), 1.0),
        Math.clamp((long) Math.ceil(Math.sqrt(speedups.length)), 5, 40), false);
    int[] counts = binCounts(speedups, bins);

    SvgBuilder svg = new SvgBuilder(SPEEDUP, WIDTH, HEIGHT, title, "Histogram of per-row speedup: " + headline);
    PlotArea plot = PlotArea.inside(svg, 24);
    AxisScale y = AxisScale.covering(0, Arrays.stream(counts).max().orElse(1), 5, true);
    plot.drawYAxis(svg, y, "rows");
    List<Double> edges = bins.ticks();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        double left = plot.x(bins, edges.get(i));
        double right = plot.x(bins, edges.get(i + 1));
        double top = plot.y(y, counts[i]);
        String range = "[" + bins.label(edges.get(i)) + ", " + bins.label(edges.get(i + 1)) + ")";
        svg.rect(left + 1, top, Math.max(1, right - left - 2), plot.bottom() - top, PADDING_FREE_COLOUR,
            "speedup " + range + ": " + HumanFormat.plural(counts[i], "row", "rows"));
      }
    }
    plot.drawXAxis(svg, bins, AxisScale.covering(bins.min(), bins.max(), 6, false),
        "speedup = (pad + padded GEMM time) / padding-free GEMM time");
    double one = plot.x(bins, 1.0);
    svg.line(one, plot.top() - 4, one, plot.bottom(), REFERENCE_LINE_COLOUR, true);
    svg.text(one + 4, plot.top() - 6, "1.0: no gain", "start", REFERENCE_LINE_COLOUR);
    return svg.headline(headline).build();
  }

  /** Saved fraction of peak memory against load imbalance, one point per non-error row. */
  public static String savingVsImbalance(List<BatchResult> results) {
    Validate.notNull("results", results);
    String title = "Memory saved against load imbalance, per result row";
    List<BatchResult> points = results.stream().filter(r -> !r.isError())
        .filter(r -> Double.isFinite(r.loadImbalance()) && Double.isFinite(r.savedFraction())).toList();
    if (points.isEmpty()) {
      return empty(SAVING_VS_IMBALANCE, title,
          "No data: no result row has both a load imbalance and a memory saving.");
    }
    Percentiles imbalance = Percentiles.of(points.stream().mapToDouble(BatchResult::loadImbalance).toArray());
    Percentiles saving = Percentiles.of(points.stream().mapToDouble(BatchResult::savedFraction).toArray());
    int stride = (points.size() + MAX_POINTS - 1) / MAX_POINTS;
    String headline = HumanFormat.plural(points.size(), "row", "rows")
        + ", median saving " + HumanFormat.percent(saving.median())
        + ", load imbalance " + HumanFormat.decimal(imbalance.min(), 2)
        + " to " + HumanFormat.decimal(imbalance.max(), 2)
        + (stride > 1 ? ", one row in " + stride + " drawn" : "");
    // Imbalance is at least 1 and savings at least 0 by definition: anchoring the axes there shows how
    // far the data is from the balanced, nothing-saved corner.
    AxisScale x = AxisScale.covering(Math.min(1.0, imbalance.min()), imbalance.max(), 6, false);
    AxisScale y = AxisScale.covering(Math.min(0.0, 100 * saving.min()), 100 * saving.max(), 5, false);
    Map<String, String> colours = coloursByDistribution(points);

    SvgBuilder svg = new SvgBuilder(SAVING_VS_IMBALANCE, WIDTH, HEIGHT, title,
        "Scatter plot of memory saved (percent of the padded path's peak) against load imbalance: " + headline);
    PlotArea plot = PlotArea.inside(svg, ChartLegends.verticalWidth(colours.keySet()));
    plot.drawYAxis(svg, y, "memory saved (% of padded peak)");
    plot.drawXAxis(svg, x, x, "load imbalance (largest group / mean group size)");
    for (int i = 0; i < points.size(); i += stride) {
      BatchResult r = points.get(i);
      String distribution = Objects.toString(r.distribution(), "");
      String tooltip = r.batchId() + " " + r.gemm() + " (" + distribution + "): imbalance "
          + HumanFormat.decimal(r.loadImbalance(), 2) + ", saved " + HumanFormat.percent(r.savedFraction());
      svg.circle(plot.x(x, r.loadImbalance()), plot.y(y, 100 * r.savedFraction()), 3.5, colours.get(distribution),
          tooltip);
    }
    ChartLegends.vertical(svg, plot, colours);
    return svg.headline(headline).build();
  }

  /**
   * Useful TFLOP/s per (model, GEMM): the padded path and padding-free side by side, one pair per
   * summary of {@code shapes} (normally {@link ResultAggregator#byShape}).
   */
  public static String throughputByShape(List<GroupSummary> shapes) {
    Validate.notNull("shapes", shapes);
    String title = "Useful throughput by model and GEMM: padded path and padding-free";
    double highest = shapes.stream()
        .flatMapToDouble(s -> Arrays.stream(new double[] {s.usefulTflops(), s.paddedPathTflops()}))
        .filter(Double::isFinite).max().orElse(Double.NaN);
    if (Double.isNaN(highest)) {
      return empty(THROUGHPUT, title, "No data: no result row has timings of both paths.");
    }
    StringBuilder description =
        new StringBuilder("Grouped bar chart of useful TFLOP/s, padded path against padding-free:");
    for (GroupSummary s : shapes) {
      description.append(' ').append(s.model()).append(' ').append(s.gemm()).append(' ')
          .append(HumanFormat.significant(s.paddedPathTflops(), 3)).append(" against ")
          .append(HumanFormat.significant(s.usefulTflops(), 3)).append(';');
    }

    SvgBuilder svg = new SvgBuilder(THROUGHPUT, Math.max(WIDTH, 88 + BAR_SLOT_WIDTH * shapes.size()), HEIGHT,
        title, description.toString());
    List<PairedBars.Slot> slots = shapes.stream().map(s -> new PairedBars.Slot(s.model() + " " + s.gemm(), s.model(),
        s.gemm(), s.paddedPathTflops(), s.usefulTflops())).toList();
    PairedBars.draw(svg, slots, "useful TFLOP/s", new PairedBars.Series("padded path", "padding-free",
        "padded path (pad + padded GEMM)", "padding-free GEMM", " TFLOP/s", 44));
    return svg.build();
  }

  /**
   * Median layer time per model, padded form beside padding-free, one pair per model total of
   * {@code summaries} ({@link LayerSummary#of}); the slot's second label gives the median speedup and
   * the backend whose wall times these are.
   */
  public static String layerTimes(List<LayerSummary> summaries) {
    Validate.notNull("summaries", summaries);
    String title = "MoE layer time per model: padded and padding-free forms";
    List<LayerSummary> models = summaries.stream().filter(s -> s.isModelTotal() && !s.isRunTotal())
        .filter(s -> Double.isFinite(s.paddedMsP50()) || Double.isFinite(s.paddingFreeMsP50())).toList();
    if (models.isEmpty()) {
      return empty(LAYER_TIME, title, "No data: no layer row has timings.");
    }
    StringBuilder description = new StringBuilder("Grouped bar chart of the median layer time in ms, padded against "
        + "padding-free:");
    for (LayerSummary s : models) {
      description.append(' ').append(s.model()).append(' ').append(HumanFormat.significant(s.paddedMsP50(), 3))
          .append(" against ").append(HumanFormat.significant(s.paddingFreeMsP50(), 3)).append(';');
    }
    SvgBuilder svg = new SvgBuilder(LAYER_TIME, Math.max(WIDTH, 88 + BAR_SLOT_WIDTH * models.size()), HEIGHT, title,
        description.toString());
    List<PairedBars.Slot> slots = models.stream().map(s -> new PairedBars.Slot(s.model() + " layer", s.model(),
        HumanFormat.ratio(s.speedupP50()) + " on " + s.backend(), s.paddedMsP50(), s.paddingFreeMsP50())).toList();
    PairedBars.draw(svg, slots, "median layer time (ms)", new PairedBars.Series("padded layer", "padding-free layer",
        "padded layer (padding rows kept throughout)", "padding-free layer", " ms", 44));
    return svg.build();
  }

  /** How many values fall in each bin of {@code bins}; the top edge belongs to the last bin. */
  private static int[] binCounts(double[] values, AxisScale bins) {
    int[] counts = new int[bins.steps()];
    for (double value : values) {
      long bin = (long) Math.floor((value - bins.min()) / bins.step());
      counts[Math.clamp(bin, 0, counts.length - 1)]++;
    }
    return counts;
  }

  /** A colour per distribution in name order; past seven they repeat, and tooltips still tell them apart. */
  private static Map<String, String> coloursByDistribution(List<BatchResult> points) {
    TreeSet<String> names = new TreeSet<>();
    points.forEach(r -> names.add(Objects.toString(r.distribution(), "")));
    Map<String, String> colours = new LinkedHashMap<>();
    for (String name : names) {
      colours.put(name, Palette.colour(colours.size()));
    }
    return colours;
  }

  private static String empty(String chart, String title, String message) {
    return new SvgBuilder(chart, WIDTH, EMPTY_HEIGHT, title, title + ". " + message)
        .headline(title).message(message).build();
  }
}
