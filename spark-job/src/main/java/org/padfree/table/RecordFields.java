package org.padfree.table;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.padfree.InvalidInputException;

/**
 * The one codec between records and named columns: one column per component, named by the project's
 * snake_case rule ({@link #snakeCase}), so each record type is the single definition of what its files
 * hold: results.parquet ({@code BatchResult}), summary.json and summary.csv ({@code RunInfo},
 * {@code GroupSummary}), the sweep's history, points.csv and baselines ({@code PointResult}).
 * Components of any type can be named and read ({@link #columns}, for JSON); the Parquet and CSV files
 * ({@link RecordParquet}, {@link RecordCsv}) need flat records (String, int, long, double, boolean, and
 * enums, held as their text: {@code toString()}; a boxed {@code Double} is a nullable number, for a
 * figure a backend does not measure at all, as opposed to a NaN that failed), which {@link #requireFlat}
 * checks.
 */
public final class RecordFields<T extends Record> {
  private static final List<Class<?>> FLAT = List.of(String.class, int.class, long.class, double.class, Double.class,
      boolean.class);
  private final Class<T> type;
  private final RecordComponent[] components;
  private final Constructor<T> constructor;
  private final java.util.Set<String> addedLater;

  /** A column's name and value. */
  public record Column(String name, Object value) {}

  public RecordFields(Class<T> type) {
    this(type, java.util.Set.of());
  }

  /**
   * @param addedLater columns added after files were first written: a file without one reads it as
   *     its type's "not recorded" value ({@link #absentValue}) instead of failing (every other column
   *     must be present)
   */
  public RecordFields(Class<T> type, java.util.Set<String> addedLater) {
    this.type = type;
    this.addedLater = java.util.Set.copyOf(addedLater);
    this.components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("no canonical constructor in " + type, e);
    }
  }

  /** Checks every component is a file column type (String, int, long, double, boolean); returns this. */
  public RecordFields<T> requireFlat() {
    for (RecordComponent c : components) {
      if (!FLAT.contains(c.getType()) && !c.getType().isEnum()) {
        throw new IllegalStateException(type + " has a component of unsupported type " + c.getType());
      }
    }
    return this;
  }

  /** The column names of {@code type}, in declaration order. */
  public static List<String> names(Class<? extends Record> type) {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      names.add(snakeCase(c.getName()));
    }
    return names;
  }

  /** The columns of {@code record} in declaration order, with boxed values (nested records and lists as they are). */
  public static List<Column> columns(Record record) {
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
   * (Parquet columns, JSON keys, CSV headers).
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

  public List<String> names() {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : components) {
      names.add(snakeCase(c.getName()));
    }
    return names;
  }

  /** Whether column {@code i} may be absent from a file (it then reads as {@link #absentValue}). */
  public boolean mayBeAbsent(int i) {
    return addedLater.contains(names().get(i));
  }

  /**
   * What an added-later column reads as in a file written before it existed: "" for text, NaN for a
   * double and null for a nullable Double (not measured), 0 for a count, false for a flag. The counts
   * and flags an added column holds must therefore mean "none" at 0 and false.
   */
  public Object absentValue(int i) {
    Class<?> t = typeAt(i);
    if (t == String.class) {
      return "";
    } else if (t == double.class) {
      return Double.NaN;
    } else if (t == Double.class) {
      return null;
    } else if (t == int.class) {
      return 0;
    } else if (t == long.class) {
      return 0L;
    } else if (t == boolean.class) {
      return false;
    }
    throw new IllegalStateException("column " + names().get(i) + " of type " + t + " cannot be added later");
  }

  public Class<?> typeAt(int i) {
    return components[i].getType();
  }

  public int size() {
    return components.length;
  }

  public Object valueAt(T record, int i) {
    try {
      return components[i].getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + components[i].getName() + " of " + type, e);
    }
  }

  /** A record from its column values, in order; an enum column may be given as its text. */
  public T create(Object[] values) {
    Object[] args = values.clone();
    for (int i = 0; i < args.length && i < components.length; i++) {
      if (components[i].getType().isEnum() && args[i] instanceof String text) {
        args[i] = enumOf(i, text, "");
      }
    }
    try {
      return constructor.newInstance(args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot build a " + type.getSimpleName(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build a " + type.getSimpleName(), e);
    }
  }

  /**
   * The value of column {@code i} parsed from text; an empty field is NaN for doubles and an error
   * for integers, naming the column, the value and {@code where}.
   */
  public Object parse(int i, String text, String where) {
    // (an enum column holds its constants' text, see enumOf)
    Class<?> t = typeAt(i);
    String column = names().get(i);
    try {
      if (t == String.class) {
        return text;
      } else if (t.isEnum()) {
        return enumOf(i, text, where);
      } else if (t == double.class) {
        return text.isEmpty() ? Double.NaN : Double.parseDouble(text);
      } else if (t == Double.class) {
        return text.isEmpty() ? null : Double.valueOf(text);
      } else if (t == int.class) {
        return Integer.parseInt(text);
      } else if (t == long.class) {
        return Long.parseLong(text);
      }
      if (!text.equals("true") && !text.equals("false")) {
        throw new NumberFormatException();
      }
      return Boolean.parseBoolean(text);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(column, text, "expected a " + t.getSimpleName() + " " + where);
    }
  }

  /** The constant of enum column {@code i} whose text ({@code toString()}) is {@code text}; an error naming the column otherwise. */
  private Object enumOf(int i, String text, String where) {
    for (Object constant : typeAt(i).getEnumConstants()) {
      if (constant.toString().equals(text)) {
        return constant;
      }
    }
    throw new InvalidInputException(names().get(i), text, "expected one of "
        + java.util.Arrays.toString(typeAt(i).getEnumConstants()) + (where.isEmpty() ? "" : " " + where));
  }
}
