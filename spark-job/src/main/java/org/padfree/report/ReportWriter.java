package org.padfree.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.padfree.Validate;
import org.padfree.results.BatchResult;
import org.padfree.results.LayerResult;
import org.padfree.results.RunInfo;

/**
 * Writes a run's driver-side reports into its report directory: summary.json, summary.csv,
 * report.md and index.html, all from one aggregation so they cannot disagree. results.parquet is
 * written by the job itself, with Spark.
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** Creates {@code directory} if needed and writes the four reports; returns their paths in that order. */
  public static List<Path> writeAll(Path directory, RunInfo run, List<BatchResult> results) {
    return writeAll(directory, run, results, List.of());
  }

  /**
   * As {@link #writeAll(Path, RunInfo, List)}, with the run's layer rows: each report gains its layer and
   * quantization-study sections (none when {@code layers} is empty, as in a run without --layers).
   */
  public static List<Path> writeAll(Path directory, RunInfo run, List<BatchResult> results, List<LayerResult> layers) {
    Validate.notNull("directory", directory);
    Validate.notNull("layers", layers);
    Validate.notNull("run", run);
    Validate.notNull("results", results);
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the report directory " + directory, e);
    }
    List<GroupSummary> groups = ResultAggregator.summarize(results);
    return List.of(
        SummaryJsonWriter.write(directory, run, groups, results, layers),
        SummaryCsvWriter.write(directory, groups, layers),
        MarkdownReportWriter.write(directory, run, groups, results, layers),
        HtmlReportWriter.write(directory, run, groups, results, layers));
  }
}
