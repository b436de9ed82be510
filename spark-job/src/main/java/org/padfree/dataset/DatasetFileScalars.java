package org.padfree.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.paths.SparkPath;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The scalar columns of one dataset file (batch id, model, distribution, sizes, seed), each row with its
 * position in the file, read on the driver with parquet-mr: no Spark job, and {@code expert_ids}' pages
 * are never read. Planning uses it where the evaluating tasks read the rows from their files themselves,
 * so the driver needs only these columns and where each row lies.
 *
 * <p>The file's schema is checked as Spark's read of the dataset checks it
 * ({@link DatasetSchema#requireColumns} on the schema Spark derives from the footer), so after the check
 * every scalar has its expected type.
 */
public final class DatasetFileScalars {
  private DatasetFileScalars() {}

  /**
   * One row: the file as Spark names it in {@code _metadata.file_path} (a URL string), the row's position
   * in the file, and its scalar columns by name (a Row with a schema).
   */
  public record Scalars(String file, long row, Row values) {}

  /** What one file holds for planning: its rows (of the chosen models) and whether it has activations. */
  public record FileScalars(List<Scalars> rows, boolean activations) {}

  /**
   * Reads {@code path}'s scalar columns.
   *
   * @param models lower-case model names to keep; empty keeps every row
   * @throws org.padfree.InvalidInputException when the file lacks a column or has one of the wrong type
   * @throws UncheckedIOException when the file cannot be read
   */
  public static FileScalars read(Path path, Configuration conf, Set<String> models) {
    try {
      Path qualified = path.getFileSystem(conf).makeQualified(path);
      MessageType schema = ParquetProjection.footerSchema(qualified, conf);
      StructType sparkSchema = new ParquetToSparkSchemaConverter(SQLConf.get()).convert(schema);
      DatasetSchema.requireColumns(sparkSchema);
      List<String> names = DatasetSchema.scalarColumnNames();
      StructField[] rowFields = new StructField[names.size()];
      for (int c = 0; c < names.size(); c++) {
        rowFields[c] = DataTypes.createStructField(names.get(c), DatasetSchema.SCHEMA.apply(names.get(c)).dataType(), true);
      }
      StructType rowSchema = new StructType(rowFields);
      String file = SparkPath.fromPath(qualified).urlEncoded();
      List<Scalars> rows = new ArrayList<>();
      try (ParquetReader<Group> reader = ParquetProjection.reader(qualified, conf, schema, names)) {
        Group g;
        for (long position = 0; (g = reader.read()) != null; position++) {
          Object[] values = new Object[names.size()];
          for (int c = 0; c < values.length; c++) {
            values[c] = value(g, names.get(c), rowFields[c].dataType());
          }
          Object model = values[names.indexOf(DatasetSchema.MODEL)];
          if (models.isEmpty() || (model != null && models.contains(model.toString().toLowerCase(Locale.ROOT)))) {
            rows.add(new Scalars(file, position, new GenericRowWithSchema(values, rowSchema)));
          }
        }
      }
      return new FileScalars(rows, DatasetSchema.hasActivations(sparkSchema));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /** A scalar as Spark hands it in a Row (String, Integer or Long here), or null where the value is. */
  private static Object value(Group g, String name, DataType type) {
    if (g.getFieldRepetitionCount(name) == 0) {
      return null;
    }
    if (type.equals(DataTypes.StringType)) {
      return g.getString(name, 0);
    }
    if (type.equals(DataTypes.IntegerType)) {
      return g.getInteger(name, 0);
    }
    if (type.equals(DataTypes.LongType)) {
      return g.getLong(name, 0);
    }
    throw new IllegalStateException("no scalar reader for " + name + " of type " + type.simpleString());
  }
}
