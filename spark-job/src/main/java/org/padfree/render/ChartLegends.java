package org.padfree.render;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Colour legends for the charts: label to swatch colour, in the map's order. */
public final class ChartLegends {
  private ChartLegends() {}

  /** Labels longer than this are cut in vertical legends; the charts' tooltips carry them in full. */
  private static final int LABEL_CHARS = 32;

  /** Estimated width of a character of 12px text: SVG cannot measure text without a renderer. */
  private static final double CHAR_WIDTH = 7;

  private static final double SWATCH = 12;
  private static final double ROW_HEIGHT = 18;
  private static final double GAP = 16;

  /** The margin a vertical legend of these labels needs beside the plot, gaps included. */
  public static double verticalWidth(Collection<String> labels) {
    int longest = labels.stream().mapToInt(label -> Math.min(label.length(), LABEL_CHARS)).max().orElse(0);
    return GAP + SWATCH + 6 + CHAR_WIDTH * Math.max(longest, 8) + 8;
  }

  /**
   * A legend of one entry per row at the right of {@code plot}, cut to the rows that fit in its height
   * (the last row then says how many more there are).
   */
  public static void vertical(SvgBuilder svg, PlotArea plot, Map<String, String> colours) {
    double x = plot.right() + GAP;
    int fits = (int) (plot.height() / ROW_HEIGHT);
    List<Map.Entry<String, String>> entries = new ArrayList<>(colours.entrySet());
    int shown = entries.size() <= fits ? entries.size() : fits - 1;
    for (int i = 0; i < shown; i++) {
      double y = plot.top() + ROW_HEIGHT * i;
      String label = entries.get(i).getKey();
      if (label.length() > LABEL_CHARS) {
        label = label.substring(0, LABEL_CHARS - 1) + "\u2026";
      }
      svg.rect(x, y, SWATCH, SWATCH, entries.get(i).getValue(), null);
      svg.text(x + SWATCH + 6, y + 10, label, "start", SvgBuilder.TEXT_COLOUR);
    }
    if (shown < entries.size()) {
      svg.text(x, plot.top() + ROW_HEIGHT * shown + 10, "and " + (entries.size() - shown) + " more", "start",
          SvgBuilder.MUTED_COLOUR);
    }
  }

  /** A one-line legend above the plot, for charts whose right margin holds data. */
  public static void horizontal(SvgBuilder svg, PlotArea plot, Map<String, String> colours) {
    double x = plot.left();
    double baseline = plot.top() - 26;
    for (Map.Entry<String, String> entry : colours.entrySet()) {
      svg.rect(x, baseline - 10, SWATCH, SWATCH, entry.getValue(), null);
      svg.text(x + SWATCH + 6, baseline, entry.getKey(), "start", SvgBuilder.TEXT_COLOUR);
      x += SWATCH + 6 + CHAR_WIDTH * entry.getKey().length() + 2 * GAP;
    }
  }
}
