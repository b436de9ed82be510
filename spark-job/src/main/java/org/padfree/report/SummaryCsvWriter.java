package org.padfree.report;

import org.padfree.AtomicFiles;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.padfree.Validate;
import org.padfree.render.Escaping;
import org.padfree.table.RecordFields;

/**
 * Writes summary.csv: a header of {@link GroupSummary}'s snake_case column names, then one line per
 * group including the total row. RFC 4180: CRLF line ends, fields quoted only when they must be.
 * Numbers are written in full precision ({@link Double#toString}); a NaN is the empty field, which
 * spreadsheets and CSV readers take as missing.
 */
public final class SummaryCsvWriter {
  private SummaryCsvWriter() {}

  public static final String FILE_NAME = "summary.csv";
  private static final String LINE_END = "\r\n";

  /** Writes {@value #FILE_NAME} into {@code directory}, atomically; returns its path. */
  public static Path write(Path directory, List<GroupSummary> groups) {
    Validate.notNull("directory", directory);
    return AtomicFiles.writeString(directory.resolve(FILE_NAME), toCsv(groups));
  }

  static String toCsv(List<GroupSummary> groups) {
    Validate.notNull("groups", groups);
    StringBuilder out = new StringBuilder();
    out.append(String.join(",", RecordFields.names(GroupSummary.class))).append(LINE_END);
    for (GroupSummary group : groups) {
      out.append(RecordFields.columns(group).stream()
          .map(column -> Escaping.csvField(text(column.value())))
          .collect(Collectors.joining(","))).append(LINE_END);
    }
    return out.toString();
  }

  private static String text(Object value) {
    if (value instanceof Double d && !Double.isFinite(d)) {
      return "";
    }
    return value == null ? "" : value.toString();
  }
}
