package org.padfree.table;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.padfree.InvalidInputException;
import org.padfree.table.RecordColumns;

/**
 * A flat record type (String, int, long, double and boolean components) as named columns, for the
 * sweep's files: the history table, points.csv and baseline files. The record is the one definition
 * of the columns, named by the project's snake_case rule, like results.parquet.
 */
public final class RecordFields<T extends Record> {
  private final Class<T> type;
  private final RecordComponent[] components;
  private final Constructor<T> constructor;
  private final java.util.Set<String> addedLater;

  public RecordFields(Class<T> type) {
    this(type, java.util.Set.of());
  }

  /**
   * @param addedLater String columns added after files were first written: a file without one reads
   *     it as empty instead of failing (every other column must be present)
   */
  public RecordFields(Class<T> type, java.util.Set<String> addedLater) {
    this.type = type;
    this.addedLater = java.util.Set.copyOf(addedLater);
    this.components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      if (!List.of(String.class, int.class, long.class, double.class, boolean.class).contains(types[i])) {
        throw new IllegalStateException(type + " has a component of unsupported type " + types[i]);
      }
    }
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("no canonical constructor in " + type, e);
    }
  }

  public List<String> names() {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : components) {
      names.add(RecordColumns.snakeCase(c.getName()));
    }
    return names;
  }

  /** Whether column {@code i} may be absent from a file (it then reads as empty). */
  public boolean mayBeAbsent(int i) {
    return typeAt(i) == String.class && addedLater.contains(names().get(i));
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

  public T create(Object[] values) {
    try {
      return constructor.newInstance(values);
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
    Class<?> t = typeAt(i);
    String column = names().get(i);
    try {
      if (t == String.class) {
        return text;
      } else if (t == double.class) {
        return text.isEmpty() ? Double.NaN : Double.parseDouble(text);
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
}
