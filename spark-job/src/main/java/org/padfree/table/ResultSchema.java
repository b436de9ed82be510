package org.padfree.table;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.padfree.results.BatchResult;

/**
 * The Spark schema of results.parquet, derived from {@link BatchResult}'s components so the record is
 * the single definition: component {@code paddedGemmMs} becomes column {@code padded_gemm_ms}.
 */
public final class ResultSchema {
  private ResultSchema() {}

  private static final RecordComponent[] COMPONENTS = BatchResult.class.getRecordComponents();
  public static final StructType SCHEMA = schema();

  /** The column name of a record component: camelCase to snake_case, as the report writers name fields. */
  public static String columnName(String component) {
    return org.padfree.table.RecordColumns.snakeCase(component);
  }

  public static List<String> columnNames() {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : COMPONENTS) {
      names.add(columnName(c.getName()));
    }
    return names;
  }

  public static Row toRow(BatchResult r) {
    Object[] values = new Object[COMPONENTS.length];
    for (int i = 0; i < COMPONENTS.length; i++) {
      try {
        values[i] = COMPONENTS[i].getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + COMPONENTS[i].getName(), e);
      }
    }
    return RowFactory.create(values);
  }

  public static BatchResult fromRow(Row row) {
    Object[] args = new Object[COMPONENTS.length];
    for (int i = 0; i < COMPONENTS.length; i++) {
      args[i] = row.get(row.fieldIndex(columnName(COMPONENTS[i].getName())));
    }
    try {
      Class<?>[] types = new Class<?>[COMPONENTS.length];
      for (int i = 0; i < COMPONENTS.length; i++) {
        types[i] = COMPONENTS[i].getType();
      }
      Constructor<BatchResult> constructor = BatchResult.class.getDeclaredConstructor(types);
      return constructor.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot rebuild a BatchResult from " + row, e);
    }
  }

  private static StructType schema() {
    List<StructField> fields = new ArrayList<>();
    for (RecordComponent c : COMPONENTS) {
      fields.add(DataTypes.createStructField(columnName(c.getName()), sparkType(c.getType()), c.getType() == String.class));
    }
    return DataTypes.createStructType(fields);
  }

  private static DataType sparkType(Class<?> type) {
    if (type == String.class) {
      return DataTypes.StringType;
    } else if (type == int.class) {
      return DataTypes.IntegerType;
    } else if (type == long.class) {
      return DataTypes.LongType;
    } else if (type == double.class) {
      return DataTypes.DoubleType;
    } else if (type == boolean.class) {
      return DataTypes.BooleanType;
    }
    throw new IllegalStateException("BatchResult has a component of unsupported type " + type);
  }
}
