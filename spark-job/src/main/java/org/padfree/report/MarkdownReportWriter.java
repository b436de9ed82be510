package org.padfree.report;

import org.padfree.AtomicFiles;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.padfree.Validate;
import org.padfree.evaluate.BatchResult;

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
    Validate.notNull("directory", directory);
    return AtomicFiles.writeString(directory.resolve(FILE_NAME), toMarkdown(run, groups, results));
  }

  static String toMarkdown(RunInfo run, List<GroupSummary> groups, List<BatchResult> results) {
    Validate.notNull("run", run);
    Validate.notNull("groups", groups);
    Validate.notNull("results", results);
    StringBuilder md = new StringBuilder();
    md.append("# padfree evaluation report: ").append(Escaping.markdownInline(run.runId())).append("\n\n");
    md.append(Escaping.markdownInline(ReportTables.verdict(run))).append("\n\n");
    appendNotes(md, run.notes());
    appendRun(md, run);
    appendGroups(md, groups);
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

  private static void appendExecutors(StringBuilder md, RunInfo run, List<BatchResult> results) {
    ExecutorSummary.Throughput t = ExecutorSummary.Throughput.of(results, run.wallSeconds());
    md.append("## Throughput and executors\n\n")
        .append(Escaping.markdownInline(HumanFormat.count(t.batches()) + " batches, " + HumanFormat.count(t.tokens())
            + " tokens in " + HumanFormat.seconds(t.wallSeconds()) + ": " + HumanFormat.significant(t.batchesPerSecond(), 3)
            + " batches/s, " + HumanFormat.significant(t.tokensPerSecond(), 3) + " tokens/s, "
            + HumanFormat.significant(t.usefulTflopsPerSecond(), 3) + " useful TFLOP per second of wall time"))
        .append(" (compare runs on 1 and N GPUs with the same dataset for scaling).\n\n");
    md.append("| executor | host | GPU | backend | rows | batches | tokens | rows >= ").append(ExecutorSummary.LARGE_ROWS)
        .append(" routed | task time | backend time | GPU busy | busy fraction | busy fraction, large |\n")
        .append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ExecutorSummary e : ExecutorSummary.of(results)) {
      row(md, Arrays.asList(e.executorId(), e.host(), e.gpuUuid().isEmpty() ? "-" : e.gpuUuid(), e.backend(),
          HumanFormat.count(e.rows()), HumanFormat.count(e.batches()), HumanFormat.count(e.tokens()),
          HumanFormat.count(e.largeRows()), HumanFormat.seconds(e.taskSeconds()), HumanFormat.seconds(e.backendSeconds()),
          Double.isNaN(e.gpuBusySeconds()) ? "n/a" : HumanFormat.seconds(e.gpuBusySeconds()),
          HumanFormat.percent(e.busyFraction()), HumanFormat.percent(e.largeBusyFraction())), false);
    }
    md.append('\n').append(Escaping.markdownInline("GPU busy = CUDA-event time of the row's kernels and copies "
        + "(uploads, warm-up, timed runs, copies back; overlaps counted once); busy fraction = GPU busy / the "
        + "executor's wall time for the same rows (input generation, backend call, checks); \"large\" counts only "
        + "batches of at least " + ExecutorSummary.LARGE_ROWS + " routed rows. n/a: no GPU ran these rows.")).append("\n\n");
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
      row(md, Arrays.asList(r.batchId(), r.gemm(), r.status(), Failures.reason(r)), false);
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
