package org.padfree.render;

import java.util.List;

/**
 * The frame of a self-contained report page with the evaluation report's look (its stylesheet, its
 * Content-Security-Policy: no scripts, no remote loads), for the sweep and capacity reports. Every
 * piece of text is escaped here; callers pass plain text and finished SVG.
 */
public final class HtmlPage {
  private final StringBuilder html = new StringBuilder(64 * 1024);

  public HtmlPage(String title, String heading, String runId) {
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" ")
        .append("content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
        .append("<title>").append(Escaping.markup(title)).append("</title>\n")
        .append("<style>\n").append(PageStyle.CSS)
        .append("td.flag { color: #8a1c13; font-weight: 600; }\ntd.warn { color: #7a5a00; }\n")
        .append("</style>\n</head>\n<body>\n<main>\n")
        .append("<h1>").append(Escaping.markup(heading)).append(" <span class=\"run\">")
        .append(Escaping.markup(runId)).append("</span></h1>\n");
  }

  public HtmlPage verdict(boolean pass, String text) {
    html.append("<p class=\"verdict ").append(pass ? "pass" : "fail").append("\">").append(Escaping.markup(text))
        .append("</p>\n");
    return this;
  }

  /** The yellow "read this first" box; nothing when there are no notes. */
  public HtmlPage notes(String title, List<String> notes) {
    if (notes.isEmpty()) {
      return this;
    }
    html.append("<aside class=\"notes\" role=\"note\"><h2>").append(Escaping.markup(title)).append("</h2>\n<ul>\n");
    notes.forEach(n -> html.append("<li>").append(Escaping.markup(n)).append("</li>\n"));
    html.append("</ul>\n</aside>\n");
    return this;
  }

  public HtmlPage section(String title) {
    html.append("<section>\n<h2>").append(Escaping.markup(title)).append("</h2>\n");
    return this;
  }

  public HtmlPage endSection() {
    html.append("</section>\n");
    return this;
  }

  public HtmlPage paragraph(String text) {
    html.append("<p class=\"legend\">").append(Escaping.markup(text)).append("</p>\n");
    return this;
  }

  public HtmlPage preformatted(String text) {
    html.append("<pre>").append(Escaping.markup(text)).append("</pre>\n");
    return this;
  }

  /** Label/value rows. */
  public HtmlPage facts(List<List<String>> rows) {
    html.append("<table class=\"facts\">\n");
    for (List<String> row : rows) {
      html.append("<tr><th scope=\"row\">").append(Escaping.markup(row.get(0))).append("</th><td>")
          .append(Escaping.markup(row.get(1))).append("</td></tr>\n");
    }
    html.append("</table>\n");
    return this;
  }

  /**
   * A table; {@code numeric[i]} right-aligns column i. A cell starting with {@link #FLAG} is shown
   * as a regression, with {@link #WARN} as a warning (the marker itself is not shown).
   */
  public HtmlPage table(List<String> headers, boolean[] numeric, List<List<String>> rows) {
    html.append("<div class=\"scroll\">\n<table>\n<thead><tr>");
    for (int i = 0; i < headers.size(); i++) {
      html.append("<th scope=\"col\"").append(numeric[i] ? " class=\"num\"" : "").append('>')
          .append(Escaping.markup(headers.get(i))).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      html.append("<tr>");
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        String cls = numeric[i] ? "num" : "";
        if (cell.startsWith(FLAG)) {
          cell = cell.substring(FLAG.length());
          cls = (cls + " flag").trim();
        } else if (cell.startsWith(WARN)) {
          cell = cell.substring(WARN.length());
          cls = (cls + " warn").trim();
        }
        html.append("<td").append(cls.isEmpty() ? "" : " class=\"" + cls + "\"").append('>')
            .append(Escaping.markup(cell)).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table>\n</div>\n");
    return this;
  }

  public HtmlPage figure(String svg, String caption) {
    html.append("<figure>\n").append(svg).append("\n<figcaption>").append(Escaping.markup(caption))
        .append("</figcaption>\n</figure>\n");
    return this;
  }

  public String build() {
    return html + "</main>\n</body>\n</html>\n";
  }

  /** Cell prefix marking a regression (red in HTML, bold in Markdown). */
  public static final String FLAG = "\u0001flag:";
  /** Cell prefix marking a warning. */
  public static final String WARN = "\u0001warn:";

  /** A Markdown table of the same rows: markers become bold (regression) or a warning sign. */
  public static String markdownTable(List<String> headers, boolean[] numeric, List<List<String>> rows) {
    StringBuilder md = new StringBuilder();
    md.append("| ").append(String.join(" | ", headers.stream().map(Escaping::markdownInline).toList())).append(" |\n|");
    for (boolean n : numeric) {
      md.append(n ? " ---: |" : " --- |");
    }
    md.append('\n');
    for (List<String> row : rows) {
      md.append('|');
      for (String cell : row) {
        if (cell.startsWith(FLAG)) {
          md.append(" **").append(Escaping.markdownInline(cell.substring(FLAG.length()))).append("** |");
        } else if (cell.startsWith(WARN)) {
          md.append(" \u26a0 ").append(Escaping.markdownInline(cell.substring(WARN.length()))).append(" |");
        } else {
          md.append(' ').append(Escaping.markdownInline(cell)).append(" |");
        }
      }
      md.append('\n');
    }
    return md.toString();
  }
}
