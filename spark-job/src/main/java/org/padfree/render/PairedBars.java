package org.padfree.render;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grouped bar chart the evaluation and capacity reports share: per slot, the padded pipeline's
 * bar beside padding-free's, each with its value above it ("n/a" on the baseline when missing), two
 * label lines under the slot, the y axis from zero, the baseline and a legend of the two series.
 */
public final class PairedBars {
  private PairedBars() {}

  /** One slot: {@code name} prefixes the bars' tooltips; {@code label} and {@code subLabel} go under it. */
  public record Slot(String name, String label, String subLabel, double padded, double free) {}

  /**
   * How the two series are named and shown: tooltip tags ("padded path"), legend entries, the unit
   * appended to tooltip values (may be empty) and the widest a bar may be.
   */
  public record Series(String paddedTag, String freeTag, String paddedLegend, String freeLegend, String valueSuffix,
      double maxBarWidth) {}

  /** Colours of the two series, the same in every report. */
  public static final String PADDED_COLOUR = Palette.colour(1);
  public static final String PADDING_FREE_COLOUR = Palette.colour(0);

  /** Draws {@code slots} (at least one, with a finite value) into {@code svg}, y axis labelled {@code unit}. */
  public static void draw(SvgBuilder svg, List<Slot> slots, String unit, Series series) {
    double highest = slots.stream().mapToDouble(s -> Math.max(finiteOrZero(s.padded()), finiteOrZero(s.free())))
        .max().orElse(1);
    PlotArea plot = PlotArea.inside(svg, 24);
    AxisScale y = AxisScale.covering(0, highest, 5, false);
    plot.drawYAxis(svg, y, unit);
    double slot = plot.width() / slots.size();
    double width = Math.min(series.maxBarWidth(), slot * 0.35);
    for (int i = 0; i < slots.size(); i++) {
      Slot s = slots.get(i);
      double centre = plot.left() + slot * (i + 0.5);
      bar(svg, plot, y, centre - width - 2, width, s.padded(), PADDED_COLOUR, s.name() + ", " + series.paddedTag(),
          series.valueSuffix());
      bar(svg, plot, y, centre + 2, width, s.free(), PADDING_FREE_COLOUR, s.name() + ", " + series.freeTag(),
          series.valueSuffix());
      svg.text(centre, plot.bottom() + 16, s.label(), "middle", SvgBuilder.TEXT_COLOUR);
      svg.text(centre, plot.bottom() + 30, s.subLabel(), "middle", SvgBuilder.MUTED_COLOUR);
    }
    plot.drawBaseline(svg);
    Map<String, String> legend = new LinkedHashMap<>();
    legend.put(series.paddedLegend(), PADDED_COLOUR);
    legend.put(series.freeLegend(), PADDING_FREE_COLOUR);
    ChartLegends.horizontal(svg, plot, legend);
  }

  private static double finiteOrZero(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  /** One bar with its value above it, or "n/a" on the baseline when the value is missing. */
  private static void bar(SvgBuilder svg, PlotArea plot, AxisScale y, double x, double width, double value,
      String colour, String label, String suffix) {
    String text = HumanFormat.significant(value, 3);
    if (!Double.isFinite(value)) {
      svg.text(x + width / 2, plot.bottom() - 4, text, "middle", SvgBuilder.MUTED_COLOUR);
      return;
    }
    double top = plot.y(y, value);
    svg.rect(x, top, width, Math.max(0.5, plot.bottom() - top), colour, label + ": " + text + suffix);
    svg.text(x + width / 2, top - 4, text, "middle", SvgBuilder.TEXT_COLOUR);
  }
}
