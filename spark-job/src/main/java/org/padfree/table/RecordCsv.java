package org.padfree.table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.padfree.InvalidInputException;
import org.padfree.render.Escaping;

/**
 * Records as RFC 4180 CSV (header of snake_case column names, CRLF line ends, NaN as an empty field),
 * and back. points.csv is what people edit into a pinned baseline, so reading matches columns by
 * header name (any order, extra columns ignored) and names the line and column of a bad value.
 */
public final class RecordCsv<T extends Record> {
  private static final String LINE_END = "\r\n";
  private final RecordFields<T> fields;

  public RecordCsv(Class<T> type) {
    this(type, java.util.Set.of());
  }

  /** @param addedLater String columns older files may lack (see {@link RecordFields}) */
  public RecordCsv(Class<T> type, java.util.Set<String> addedLater) {
    this.fields = new RecordFields<>(type, addedLater).requireFlat();
  }

  public String write(List<T> records) {
    StringBuilder out = new StringBuilder();
    out.append(String.join(",", fields.names())).append(LINE_END);
    for (T record : records) {
      for (int i = 0; i < fields.size(); i++) {
        Object v = fields.valueAt(record, i);
        if (i > 0) {
          out.append(',');
        }
        boolean missing = v == null || (v instanceof Double d && !Double.isFinite(d));
        out.append(missing ? "" : Escaping.csvField(v.toString()));
      }
      out.append(LINE_END);
    }
    return out.toString();
  }

  public List<T> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidInputException("file", file, "cannot be read: " + e.getMessage());
    }
    List<List<String>> lines = parse(text, file);
    if (lines.isEmpty()) {
      throw new InvalidInputException("file", file, "is empty; expected a header line");
    }
    Map<String, Integer> header = new HashMap<>();
    for (int i = 0; i < lines.get(0).size(); i++) {
      header.put(lines.get(0).get(i).trim(), i);
    }
    int[] positions = new int[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      Integer at = header.get(fields.names().get(i));
      if (at == null && !fields.mayBeAbsent(i)) {
        throw new InvalidInputException("column", fields.names().get(i), "missing from the header of " + file);
      }
      positions[i] = at == null ? Integer.MAX_VALUE : at; // absent: every line's cell reads as empty
    }
    List<T> out = new ArrayList<>();
    for (int line = 1; line < lines.size(); line++) {
      List<String> cells = lines.get(line);
      if (cells.size() == 1 && cells.get(0).isEmpty()) {
        continue; // a blank line
      }
      Object[] values = new Object[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        String cell = positions[i] < cells.size() ? cells.get(positions[i]) : "";
        values[i] = fields.parse(i, cell, "at line " + (line + 1) + " of " + file);
      }
      out.add(fields.create(values));
    }
    return out;
  }

  /** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. */
  public static List<List<String>> parse(String text, Object file) {
    List<List<String>> lines = new ArrayList<>();
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      any = true;
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        cells.add(cell.toString());
        cell.setLength(0);
        lines.add(cells);
        cells = new ArrayList<>();
        any = false;
      } else {
        cell.append(c);
      }
    }
    if (quoted) {
      throw new InvalidInputException("file", file, "ends inside a quoted field");
    }
    if (any) {
      cells.add(cell.toString());
      lines.add(cells);
    }
    return lines;
  }
}
