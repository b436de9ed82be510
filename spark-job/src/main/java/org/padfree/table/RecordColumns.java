package org.padfree.table;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of a record for the machine-readable summaries: one per component, named the way
 * results.parquet names its columns (snake_case of the component), so that {@link GroupSummary}
 * and {@link RunInfo} stay the single definition of what summary.json and summary.csv hold.
 */
public final class RecordColumns {
  private RecordColumns() {}

  public record Column(String name, Object value) {}

  public static List<String> names(Class<? extends Record> type) {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      names.add(snakeCase(c.getName()));
    }
    return names;
  }

  /** The components of {@code record} in declaration order, with boxed values. */
  public static List<Column> of(Record record) {
    List<Column> columns = new ArrayList<>();
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      try {
        columns.add(new Column(snakeCase(c.getName()), c.getAccessor().invoke(record)));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass(), e);
      }
    }
    return columns;
  }

  /**
   * {@code speedupP50} becomes {@code speedup_p50}: the one naming rule for record fields in files
   * (results.parquet columns, JSON keys, CSV headers). It lives here, not in ResultSchema, because
   * ResultSchema's initialisation loads Spark, which report writing does not need.
   */
  public static String snakeCase(String component) {
    StringBuilder out = new StringBuilder(component.length() + 4);
    for (char c : component.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
