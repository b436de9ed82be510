package org.padfree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * How the project writes CSV (points.csv, summary.csv, capacity.csv, GemmBench's NAME.csv): a header
 * line, then one record per row, through Apache Commons CSV. Fields are quoted only when a reader could
 * misread them (a comma, quote or line break inside, a leading or trailing space), so numbers and plain
 * names read the same in a text editor as in a spreadsheet.
 */
public final class CsvText {
  private CsvText() {}

  /** The line end for new files. */
  public static final String LF = "\n";
  /** RFC 4180's line end, kept where readers of an existing file expect it (summary.csv). */
  public static final String CRLF = "\r\n";

  /**
   * The header and rows as CSV text, each line ended by {@code lineEnd}. A null cell and an empty one
   * are both the empty field (callers write a missing number, NaN included, as null).
   */
  public static String write(List<String> header, List<? extends List<String>> rows, String lineEnd) {
    Validate.require(LF.equals(lineEnd) || CRLF.equals(lineEnd), "lineEnd", lineEnd, "must be \\n or \\r\\n");
    CSVFormat format = CSVFormat.RFC4180.builder().setRecordSeparator(lineEnd).setQuoteMode(QuoteMode.MINIMAL).get();
    StringBuilder out = new StringBuilder();
    try (CSVPrinter printer = new CSVPrinter(out, format)) {
      printer.printRecord(header);
      for (List<String> row : rows) {
        printer.printRecord(emptyAsNull(row));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: the CSV goes to a StringBuilder", e);
    }
    return out.toString();
  }

  /**
   * Commons CSV quotes an empty string that starts a record ({@code ""}, so that a one-column record is
   * not mistaken for a blank line) but prints null bare; the files have always had bare empty fields.
   */
  private static List<String> emptyAsNull(List<String> row) {
    List<String> cells = new ArrayList<>(row.size());
    for (String cell : row) {
      cells.add(cell == null || cell.isEmpty() ? null : cell);
    }
    return cells;
  }
}
