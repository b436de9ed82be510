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

/**
 * Writes report.md: the run, its caveats (before any figure, so nobody quotes a CPU speedup as a GPU
 * result), the group table, the failures and the memory accounting definition. All user text is
 * escaped with {@link Escaping#markdownInline}, so a batch id cannot inject HTML or break a table.
 */
public final class MarkdownReportWriter {
  private MarkdownReportWriter() {}

  public static final String FILE_NAME = "report.md";

  /** Writes {@value #FILE_NAME} into {@code directory}, atomically; returns its path. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups, List<BatchResult> results) {
    return write(directory, run, groups, results, List.of());
  }

  /** As {@link #write(Path, RunInfo, List, List)}, with the layer and quantization-study sections of {@code layers}. */
  public static Path write(Path directory, RunInfo run, List<GroupSummary> groups, List<BatchResult> results,
      List<LayerResult> layers) {
    Validate.notNull("directory", directory);
    return AtomicFiles.writeString(directory.resolve(FILE_NAME), toMarkdown(run, groups, results, layers));
  }

  static String toMarkdown(RunInfo run, List<GroupSummary> groups, List<BatchResult> results) {
    return toMarkdown(run, groups, results, List.of());
  }

  static String toMarkdown(RunInfo run, List<GroupSummary> groups, List<BatchResult> results, List<LayerResult> layers) {
    Validate.notNull("layers", layers);
    Validate.notNull("run", run);
    Validate.notNull("groups", groups);
    Validate.notNull("results", results);
    StringBuilder md = new StringBuilder();
    md.append("# padfree evaluation report: ").append(Escaping.markdownInline(run.runId())).append("\n\n");
    md.append(Escaping.markdownInline(ReportTables.verdict(run))).append("\n\n");
    appendNotes(md, run.notes());
    appendRun(md, run);
    appendGroups(md, groups);
    appendLayers(md, layers);
    appendExecutors(md, run, results);
    appendFailures(md, Failures.of(results));
    appendMemoryAccounting(md);
    return md.toString();
  }

  private static void appendNotes(StringBuilder md, List<String> notes) {
    if (notes.isEmpty()) {
      return;
    }
    md.append("> **Read this first**\n>\n");
    for (String note : notes) {
      md.append("> - ").append(Escaping.markdownInline(note)).append('\n');
    }
    md.append('\n');
  }

  private static void appendRun(StringBuilder md, RunInfo run) {
    md.append("## Run\n\n| | |\n| --- | --- |\n");
    for (ReportTables.Fact fact : ReportTables.runFacts(run)) {
      row(md, Arrays.asList(fact.label(), fact.value()), false);
    }
    md.append('\n');
  }

  private static void appendGroups(StringBuilder md, List<GroupSummary> groups) {
    md.append("## Results by model, GEMM and distribution\n\n");
    List<ReportTables.Column> columns = ReportTables.GROUP_COLUMNS;
    row(md, columns.stream().map(ReportTables.Column::label).toList(), false);
    md.append('|');
    for (ReportTables.Column column : columns) {
      md.append(column.numeric() ? " ---: |" : " --- |");
    }
    md.append('\n');
    for (GroupSummary group : groups) {
      row(md, columns.stream().map(c -> c.cell().apply(group)).toList(), group.isTotal());
    }
    md.append('\n').append(Escaping.markdownInline(ReportTables.GROUP_LEGEND)).append("\n\n");
  }

  /** The layer tables (one per model) and the quantization study; nothing for a run without layers. */
  private static void appendLayers(StringBuilder md, List<LayerResult> layers) {
    if (layers.isEmpty()) {
      return;
    }
    md.append("## ").append(LayerTables.LAYERS_TITLE).append("\n\n")
        .append(Escaping.markdownInline(LayerTables.LAYERS_LEAD)).append("\n\n");
    for (LayerTables.Table table : LayerTables.layerTables(layers)) {
      md.append("### ").append(Escaping.markdownInline(table.title())).append("\n\n");
      table(md, table);
    }
    List<QuantizationSummary> study = QuantizationSummary.of(layers);
    md.append("## ").append(LayerTables.QUANTIZATION_TITLE).append("\n\n")
        .append(Escaping.markdownInline(LayerTables.quantizationLead(study))).append("\n\n");
    table(md, LayerTables.quantizationTable(study));
  }

  private static void table(StringBuilder md, LayerTables.Table table) {
    row(md, table.headers(), false);
    md.append('|');
    for (boolean numeric : table.numeric()) {
      md.append(numeric ? " ---: |" : " --- |");
    }
    md.append('\n');
    for (int r = 0; r < table.rows().size(); r++) {
      row(md, table.rows().get(r), table.totals().get(r));
    }
    md.append('\n');
  }

  private static void appendExecutors(StringBuilder md, RunInfo run, List<BatchResult> results) {
    ExecutorSummary.Throughput t = ExecutorSummary.Throughput.of(results, run);
    md.append("## Throughput and executors\n\n").append(Escaping.markdownInline(t.sentence()))
        .append(" (compare runs on 1 and N GPUs with the same dataset for scaling).\n\n");
    row(md, ExecutorSummary.COLUMNS, false);
    md.append("| --- | --- | --- | --- |").append(" ---: |".repeat(ExecutorSummary.COLUMNS.size() - 4)).append('\n');
    for (ExecutorSummary e : ExecutorSummary.of(results, run.timings())) {
      row(md, e.cells(), false);
    }
    md.append('\n').append(Escaping.markdownInline(ExecutorSummary.LEGEND)).append("\n\n");
    if (!run.timings().retriesSentence().isEmpty()) {
      md.append(Escaping.markdownInline(run.timings().retriesSentence())).append("\n\n");
    }
  }

  private static void appendFailures(StringBuilder md, List<BatchResult> failures) {
    md.append("## Failures\n\n");
    if (failures.isEmpty()) {
      md.append("None.\n\n");
      return;
    }
    md.append("| batch_id | gemm | status | error |\n| --- | --- | --- | --- |\n");
    for (BatchResult r : failures.subList(0, Math.min(failures.size(), Failures.LISTED))) {
      // Arrays.asList, not List.of: an error row may lack its batch id or GEMM.
      row(md, Arrays.asList(r.batchId(), r.gemm(), r.status().toString(), Failures.reason(r)), false);
    }
    if (failures.size() > Failures.LISTED) {
      md.append("\nand ").append(failures.size() - Failures.LISTED).append(" more (all are in results.parquet).\n");
    }
    md.append('\n');
  }

  private static void appendMemoryAccounting(StringBuilder md) {
    md.append("## Memory accounting\n\n")
        .append(MemoryAccountingText.LEAD).append("\n\n```\n")
        .append(MemoryAccountingText.FORMULA).append("\n```\n\n")
        .append(MemoryAccountingText.DIFFERENCE).append('\n');
  }

  /** A table row of escaped cells, in bold for the total row. */
  private static void row(StringBuilder md, List<String> cells, boolean bold) {
    String emphasis = bold ? "**" : "";
    md.append('|');
    for (String cell : cells) {
      md.append(' ').append(emphasis).append(Escaping.markdownInline(cell)).append(emphasis).append(" |");
    }
    md.append('\n');
  }
}
