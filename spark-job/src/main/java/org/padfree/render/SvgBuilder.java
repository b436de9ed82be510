package org.padfree.render;

import java.util.Locale;

/**
 * Writes one standalone SVG element: well-formed XML (it parses on its own, so it also works saved
 * as a .svg file), every text escaped, every coordinate in {@link Locale#ROOT}. Colours are
 * attributes rather than CSS classes so the chart looks the same outside the report's stylesheet.
 */
public final class SvgBuilder {
  public static final String TEXT_COLOUR = "#222222";
  public static final String MUTED_COLOUR = "#666666";
  public static final String GRID_COLOUR = "#e3e3e3";

  private final StringBuilder out = new StringBuilder();
  private final int width;
  private final int height;

  /**
   * Starts a chart that screen readers announce as an image described by {@code ariaLabel}; its
   * {@code chart} name becomes the {@code data-chart} attribute by which tests find it.
   */
  public SvgBuilder(String chart, int width, int height, String title, String ariaLabel) {
    this.width = width;
    this.height = height;
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"")
        .append(" data-chart=\"").append(Escaping.markup(chart)).append('"')
        .append(" aria-label=\"").append(Escaping.markup(ariaLabel)).append('"')
        .append(" width=\"").append(width).append("\" height=\"").append(height).append('"')
        .append(" viewBox=\"0 0 ").append(width).append(' ').append(height).append('"')
        .append(" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\">\n")
        .append("<title>").append(Escaping.markup(title)).append("</title>\n");
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** A filled rectangle; a non-null {@code tooltip} shows on hover. */
  public SvgBuilder rect(double x, double y, double w, double h, String fill, String tooltip) {
    out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y))
        .append("\" width=\"").append(n(w)).append("\" height=\"").append(n(h))
        .append("\" fill=\"").append(fill).append('"');
    return closeWithTooltip("rect", tooltip);
  }

  public SvgBuilder circle(double cx, double cy, double r, String fill, String tooltip) {
    out.append("<circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r))
        .append("\" fill=\"").append(fill).append("\" fill-opacity=\"0.75\"");
    return closeWithTooltip("circle", tooltip);
  }

  public SvgBuilder line(double x1, double y1, double x2, double y2, String stroke, boolean dashed) {
    out.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1))
        .append("\" x2=\"").append(n(x2)).append("\" y2=\"").append(n(y2))
        .append("\" stroke=\"").append(stroke).append('"')
        .append(dashed ? " stroke-width=\"1.5\" stroke-dasharray=\"6 4\"" : " stroke-width=\"1\"")
        .append("/>\n");
    return this;
  }

  /** Text anchored at (x, y); {@code anchor} is start, middle or end. */
  public SvgBuilder text(double x, double y, String text, String anchor, String fill) {
    return text(x, y, text, anchor, fill, "");
  }

  /** Text read bottom to top, for a y-axis title. */
  public SvgBuilder verticalText(double x, double y, String text) {
    return text(x, y, text, "middle", MUTED_COLOUR,
        " transform=\"rotate(-90 " + n(x) + ' ' + n(y) + ")\"");
  }

  /** The line of text above the plot that states the chart's main figures. */
  public SvgBuilder headline(String text) {
    return text(64, 18, text, "start", TEXT_COLOUR);
  }

  /** A centred message over the whole chart, for charts with nothing to plot. */
  public SvgBuilder message(String text) {
    return text(width / 2.0, height / 2.0, text, "middle", MUTED_COLOUR, " font-size=\"14\"");
  }

  public String build() {
    return out + "</svg>";
  }

  private SvgBuilder text(double x, double y, String text, String anchor, String fill, String extra) {
    out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y))
        .append("\" text-anchor=\"").append(anchor).append("\" fill=\"").append(fill).append('"')
        .append(extra).append('>').append(Escaping.markup(text)).append("</text>\n");
    return this;
  }

  private SvgBuilder closeWithTooltip(String element, String tooltip) {
    if (tooltip == null) {
      out.append("/>\n");
    } else {
      out.append("><title>").append(Escaping.markup(tooltip)).append("</title></").append(element).append(">\n");
    }
    return this;
  }

  /** A coordinate with one decimal, enough at screen resolution and half the bytes of full precision. */
  private static String n(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
