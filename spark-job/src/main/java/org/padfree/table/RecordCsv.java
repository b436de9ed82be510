package org.padfree.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.padfree.CsvText;
import org.padfree.InvalidInputException;

/**
 * Records as CSV (a header of snake_case column names, NaN as an empty field, \n line ends), and back,
 * through Apache Commons CSV. points.csv is what people edit into a pinned baseline, often in a spreadsheet,
 * so reading takes what spreadsheets save (a UTF-8 byte order mark, CRLF line ends, quoted fields),
 * matches columns by header name (any order, extra columns ignored) and names the line and column of
 * a bad value.
 */
public final class RecordCsv<T extends Record> {
  /** Any of \n, \r\n and \r ends a line; blank lines (a trailing one, say) are no records. */
  private static final CSVFormat READ = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
  private static final char BYTE_ORDER_MARK = '\uFEFF';
  /** The position of a column the file's header lacks (an added-later one). */
  private static final int ABSENT = -1;
  private final RecordFields<T> fields;

  public RecordCsv(Class<T> type) {
    this(type, java.util.Set.of());
  }

  /** @param addedLater columns older files may lack (see {@link RecordFields#absentValue}) */
  public RecordCsv(Class<T> type, java.util.Set<String> addedLater) {
    this.fields = new RecordFields<>(type, addedLater).requireFlat();
  }

  public String write(List<T> records) {
    List<List<String>> rows = new ArrayList<>();
    for (T record : records) {
      List<String> cells = new ArrayList<>(fields.size());
      for (int i = 0; i < fields.size(); i++) {
        Object v = fields.valueAt(record, i);
        boolean missing = v == null || (v instanceof Double d && !Double.isFinite(d));
        cells.add(missing ? null : v.toString());
      }
      rows.add(cells);
    }
    return CsvText.write(fields.names(), rows, CsvText.LF);
  }

  public List<T> read(Path file) {
    String text;
    try {
      text = withoutByteOrderMark(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new InvalidInputException("file", file, "cannot be read: " + e.getMessage());
    }
    List<CSVRecord> records = records(text, file);
    if (records.isEmpty()) {
      throw new InvalidInputException("file", file, "is empty; expected a header line");
    }
    Map<String, Integer> header = new HashMap<>();
    for (int i = 0; i < records.get(0).size(); i++) {
      header.put(records.get(0).get(i).trim(), i);
    }
    int[] positions = new int[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      Integer at = header.get(fields.names().get(i));
      if (at == null && !fields.mayBeAbsent(i)) {
        throw new InvalidInputException("column", fields.names().get(i), "missing from the header of " + file);
      }
      positions[i] = at == null ? ABSENT : at;
    }
    int[] lines = startLines(text, records);
    List<T> out = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      CSVRecord cells = records.get(r);
      if (cells.size() == 1 && cells.get(0).isEmpty()) {
        continue; // a line holding only "", which is no record either
      }
      Object[] values = new Object[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        if (positions[i] == ABSENT) {
          values[i] = fields.absentValue(i); // a column added after this file was written
          continue;
        }
        String cell = positions[i] < cells.size() ? cells.get(positions[i]) : "";
        values[i] = fields.parse(i, cell, "at line " + lines[r] + " of " + file);
      }
      out.add(fields.create(values));
    }
    return out;
  }

  /** RFC 4180 records of {@code text}: quoted fields may hold commas, doubled quotes and line breaks. */
  public static List<List<String>> parse(String text, Object file) {
    return records(withoutByteOrderMark(text), file).stream().map(CSVRecord::toList).toList();
  }

  private static List<CSVRecord> records(String text, Object file) {
    try (CSVParser parser = CSVParser.parse(text, READ)) {
      return parser.getRecords();
    } catch (IOException | UncheckedIOException e) {
      // e.g. a quote never closed, or text after a closing quote; Commons CSV's message gives the line
      Throwable why = e instanceof UncheckedIOException u ? u.getCause() : e;
      throw new InvalidInputException("file", file, "is not valid CSV: " + why.getMessage());
    }
  }

  /**
   * Editors and spreadsheets that save "UTF-8 with BOM" start the file with U+FEFF, which would
   * otherwise become part of the first column's name.
   */
  private static String withoutByteOrderMark(String text) {
    return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
  }

  /**
   * The line each record starts on, as an editor numbers lines (a quoted field may span lines, so
   * this is not the record's index), from the records' character positions in one pass over the text.
   */
  private static int[] startLines(String text, List<CSVRecord> records) {
    int[] lines = new int[records.size()];
    int line = 1;
    int at = 0;
    for (int r = 0; r < records.size(); r++) {
      long start = records.get(r).getCharacterPosition();
      // a record's position is where the parser began looking for it, before any blank lines it skipped
      while (at < text.length() && (at < start || text.charAt(at) == '\n' || text.charAt(at) == '\r')) {
        boolean crBeforeLf = text.charAt(at) == '\r' && at + 1 < text.length() && text.charAt(at + 1) == '\n';
        if ((text.charAt(at) == '\n' || text.charAt(at) == '\r') && !crBeforeLf) {
          line++;
        }
        at++;
      }
      lines[r] = line;
    }
    return lines;
  }
}
