package org.padfree.report;

import java.nio.file.Path;
import java.util.List;
import org.padfree.AtomicFiles;
import org.padfree.CsvText;
import org.padfree.Validate;
import org.padfree.table.RecordFields;

/**
 * Writes summary.csv: a header of {@link GroupSummary}'s snake_case column names, then one line per
 * group including the total row. RFC 4180 with CRLF line ends (summary.csv has always had them, and
 * readers of existing files rely on them), fields quoted only when they must be ({@link CsvText}).
 * Numbers are written in full precision ({@link Double#toString}); a NaN is the empty field, which
 * spreadsheets and CSV readers take as missing. A run with layers adds their groups after the total,
 * in the same columns with GEMM "layer" ({@link LayerSummary#asGroupRow}), so the file stays one table.
 */
public final class SummaryCsvWriter {
  private SummaryCsvWriter() {}

  public static final String FILE_NAME = "summary.csv";

  /** Writes {@value #FILE_NAME} into {@code directory}, atomically; returns its path. */
  public static Path write(Path directory, List<GroupSummary> groups) {
    return write(directory, groups, List.of());
  }

  /** As {@link #write(Path, List)}, followed by the layer groups of {@code layers} (none when empty). */
  public static Path write(Path directory, List<GroupSummary> groups, List<org.padfree.results.LayerResult> layers) {
    Validate.notNull("directory", directory);
    List<GroupSummary> rows = new java.util.ArrayList<>(groups);
    if (!layers.isEmpty()) {
      LayerSummary.of(layers).forEach(layer -> rows.add(layer.asGroupRow()));
    }
    return AtomicFiles.writeString(directory.resolve(FILE_NAME), toCsv(rows));
  }

  static String toCsv(List<GroupSummary> groups) {
    Validate.notNull("groups", groups);
    List<List<String>> rows = groups.stream()
        .map(group -> RecordFields.columns(group).stream().map(column -> text(column.value())).toList())
        .toList();
    return CsvText.write(RecordFields.names(GroupSummary.class), rows, CsvText.CRLF);
  }

  private static String text(Object value) {
    if (value instanceof Double d && !Double.isFinite(d)) {
      return null;
    }
    return value == null ? null : value.toString();
  }
}
