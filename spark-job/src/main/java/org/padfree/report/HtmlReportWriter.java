package org.padfree.report;

import org.padfree.AtomicFiles;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.padfree.Validate;
import org.padfree.results.BatchResult;
import org.padfree.results.LayerResult;
import org.padfree.render.Escaping;
import org.padfree.results.RunInfo;
import org.padfree.render.PageStyle;

/**
 * Writes index.html: one self-contained page (inline style, inline SVG charts, no scripts, fonts or
 * other requests) that opens from a file, an artifact store or an air-gapped cluster alike. Its
 * Content-Security-Policy forbids scripts and remote loads, a second line of defence behind
 * escaping every piece of user text with {@link Escaping#markup}.
 */
public final class HtmlReportWriter {
  private HtmlReportWriter() {}

  public static final String FILE_NAME = "index.html";

  /** Writes {@value #FILE_NAME} into {@code directory}, atomically; returns its path. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups, List<BatchResult> results) {
    return write(directory, run, groups, results, List.of());
  }

  /** As {@link #write(Path, RunInfo, List, List)}, with the layer and quantization-study sections of {@code layers}. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups, List<BatchResult> results,
      List<LayerResult> layers) {
    Validate.notNull("directory", directory);
    return AtomicFiles.writeString(directory.resolve(FILE_NAME), toHtml(run, groups, results, layers));
  }

  static String toHtml(RunInfo run, List<GroupSummary> groups, List<BatchResult> results) {
    return toHtml(run, groups, results, List.of());
  }

  static String toHtml(RunInfo run, List<GroupSummary> groups, List<BatchResult> results, List<LayerResult> layers) {
    Validate.notNull("layers", layers);
    Validate.notNull("run", run);
    Validate.notNull("groups", groups);
    Validate.notNull("results", results);
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" ")
        .append("content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
        .append("<title>padfree report ").append(Escaping.markup(run.runId())).append("</title>\n")
        .append("<style>\n").append(PageStyle.CSS).append("</style>\n</head>\n<body>\n<main>\n");
    html.append("<h1>padfree evaluation <span class=\"run\">").append(Escaping.markup(run.runId()))
        .append("</span></h1>\n");
    boolean passed = run.errors() + run.mismatches() == 0;
    html.append("<p class=\"verdict ").append(passed ? "pass" : "fail").append("\">")
        .append(Escaping.markup(ReportTables.verdict(run))).append("</p>\n");
    appendNotes(html, run.notes());
    appendRun(html, run);
    appendGroups(html, groups);
    appendLayers(html, layers);
    appendExecutors(html, run, results);
    appendCharts(html, results);
    appendFailures(html, Failures.of(results));
    appendMemoryAccounting(html);
    html.append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  private static void appendNotes(StringBuilder html, List<String> notes) {
    if (notes.isEmpty()) {
      return;
    }
    html.append("<aside class=\"notes\" role=\"note\" aria-labelledby=\"notes-title\">\n")
        .append("<h2 id=\"notes-title\">Read this first</h2>\n<ul>\n");
    for (String note : notes) {
      html.append("<li>").append(Escaping.markup(note)).append("</li>\n");
    }
    html.append("</ul>\n</aside>\n");
  }

  private static void appendRun(StringBuilder html, RunInfo run) {
    html.append("<section>\n<h2>Run</h2>\n<table class=\"facts\">\n");
    for (ReportTables.Fact fact : ReportTables.runFacts(run)) {
      html.append("<tr><th scope=\"row\">").append(Escaping.markup(fact.label())).append("</th><td>")
          .append(Escaping.markup(fact.value())).append("</td></tr>\n");
    }
    html.append("</table>\n</section>\n");
  }

  private static void appendGroups(StringBuilder html, List<GroupSummary> groups) {
    html.append("<section>\n<h2>Results by model, GEMM and distribution</h2>\n<div class=\"scroll\">\n<table>\n")
        .append("<thead><tr>");
    for (ReportTables.Column column : ReportTables.GROUP_COLUMNS) {
      html.append("<th scope=\"col\"").append(numericClass(column)).append('>')
          .append(Escaping.markup(column.label())).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (GroupSummary group : groups) {
      html.append(group.isTotal() ? "<tr class=\"total\">" : "<tr>");
      for (ReportTables.Column column : ReportTables.GROUP_COLUMNS) {
        html.append("<td").append(numericClass(column)).append('>')
            .append(Escaping.markup(column.cell().apply(group))).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table>\n</div>\n<p class=\"legend\">")
        .append(Escaping.markup(ReportTables.GROUP_LEGEND)).append("</p>\n</section>\n");
  }

  /** The layer tables (one per model) and the quantization study; nothing for a run without layers. */
  private static void appendLayers(StringBuilder html, List<LayerResult> layers) {
    if (layers.isEmpty()) {
      return;
    }
    html.append("<section id=\"layers\">\n<h2>").append(LayerTables.LAYERS_TITLE).append("</h2>\n<p>")
        .append(Escaping.markup(LayerTables.LAYERS_LEAD)).append("</p>\n");
    for (LayerTables.Table table : LayerTables.layerTables(layers)) {
      html.append("<h3>").append(Escaping.markup(table.title())).append("</h3>\n");
      table(html, table);
    }
    figure(html, SvgCharts.layerTimes(LayerSummary.of(layers)),
        "Median time of each model's MoE layer over its batches, padded form beside padding-free; under each model, "
            + "the median speedup and the backend whose wall times these are (the CPU reference's are not GPU figures).");
    html.append("</section>\n");
    List<QuantizationSummary> study = QuantizationSummary.of(layers);
    html.append("<section id=\"quantization\">\n<h2>").append(LayerTables.QUANTIZATION_TITLE).append("</h2>\n<p>")
        .append(Escaping.markup(LayerTables.quantizationLead(study))).append("</p>\n");
    table(html, LayerTables.quantizationTable(study));
    html.append("</section>\n");
  }

  private static void table(StringBuilder html, LayerTables.Table table) {
    html.append("<div class=\"scroll\">\n<table>\n<thead><tr>");
    for (int c = 0; c < table.headers().size(); c++) {
      html.append("<th scope=\"col\"").append(table.numeric().get(c) ? " class=\"num\"" : "").append('>')
          .append(Escaping.markup(table.headers().get(c))).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (int r = 0; r < table.rows().size(); r++) {
      html.append(table.totals().get(r) ? "<tr class=\"total\">" : "<tr>");
      List<String> cells = table.rows().get(r);
      for (int c = 0; c < cells.size(); c++) {
        html.append("<td").append(table.numeric().get(c) ? " class=\"num\"" : "").append('>')
            .append(Escaping.markup(cells.get(c))).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table>\n</div>\n");
  }

  /** Throughput and, per executor and GPU, the rows it ran and how busy its GPU was. */
  private static void appendExecutors(StringBuilder html, RunInfo run, List<BatchResult> results) {
    html.append("<section>\n<h2>Throughput and executors</h2>\n<p>")
        .append(Escaping.markup(ExecutorSummary.Throughput.of(results, run).sentence()))
        .append(".</p>\n<div class=\"scroll\">\n<table>\n<thead><tr>");
    for (int c = 0; c < ExecutorSummary.COLUMNS.size(); c++) {
      html.append("<th scope=\"col\"").append(c >= 4 ? " class=\"num\"" : "").append('>')
          .append(Escaping.markup(ExecutorSummary.COLUMNS.get(c))).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (ExecutorSummary e : ExecutorSummary.of(results, run.timings())) {
      html.append("<tr>");
      List<String> cells = e.cells();
      for (int c = 0; c < cells.size(); c++) {
        html.append("<td").append(c >= 4 ? " class=\"num\"" : "").append('>').append(Escaping.markup(cells.get(c)))
            .append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table>\n</div>\n<p class=\"legend\">").append(Escaping.markup(ExecutorSummary.LEGEND))
        .append("</p>\n");
    if (!run.timings().retriesSentence().isEmpty()) {
      html.append("<p class=\"retries\">").append(Escaping.markup(run.timings().retriesSentence())).append("</p>\n");
    }
    html.append("</section>\n");
  }

  private static void appendCharts(StringBuilder html, List<BatchResult> results) {
    html.append("<section>\n<h2>Charts</h2>\n");
    figure(html, SvgCharts.speedupHistogram(results),
        "Per-row speedup of the padding-free GEMM over the padded path (pad + padded GEMM); error rows left out. "
            + "Rows left of the dashed line were slower without padding.");
    figure(html, SvgCharts.savingVsImbalance(results),
        "Memory saved, as a share of the padded path's peak, against load imbalance; one colour per routing "
            + "distribution. Hover a point for its batch.");
    figure(html, SvgCharts.throughputByShape(ResultAggregator.byShape(results)),
        "Useful TFLOP/s per model and GEMM over all distributions: summed useful FLOPs over summed time.");
    html.append("</section>\n");
  }

  private static void figure(StringBuilder html, String svg, String caption) {
    html.append("<figure>\n").append(svg).append("\n<figcaption>").append(Escaping.markup(caption))
        .append("</figcaption>\n</figure>\n");
  }

  private static void appendFailures(StringBuilder html, List<BatchResult> failures) {
    html.append("<section>\n<h2>Failures</h2>\n");
    if (failures.isEmpty()) {
      html.append("<p>None.</p>\n</section>\n");
      return;
    }
    html.append("<div class=\"scroll\">\n<table>\n<thead><tr>");
    for (String column : List.of("batch_id", "gemm", "status", "error")) {
      html.append("<th scope=\"col\">").append(column).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (BatchResult r : failures.subList(0, Math.min(failures.size(), Failures.LISTED))) {
      html.append("<tr>");
      for (String cell : Arrays.asList(r.batchId(), r.gemm(), r.status().toString())) {
        html.append("<td>").append(Escaping.markup(cell)).append("</td>");
      }
      html.append("<td class=\"error\">").append(Escaping.markup(Failures.reason(r))).append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n</div>\n");
    if (failures.size() > Failures.LISTED) {
      html.append("<p>and ").append(failures.size() - Failures.LISTED)
          .append(" more (all are in results.parquet).</p>\n");
    }
    html.append("</section>\n");
  }

  private static void appendMemoryAccounting(StringBuilder html) {
    html.append("<section>\n<h2>Memory accounting</h2>\n<p>").append(Escaping.markup(MemoryAccountingText.LEAD))
        .append("</p>\n<pre>").append(Escaping.markup(MemoryAccountingText.FORMULA)).append("</pre>\n<p>")
        .append(Escaping.markup(MemoryAccountingText.DIFFERENCE)).append("</p>\n</section>\n");
  }

  private static String numericClass(ReportTables.Column column) {
    return column.numeric() ? " class=\"num\"" : "";
  }
}
