package org.padfree.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.padfree.results.BatchResult;

/**
 * Writes results.parquet from the driver, as one Parquet file in the schema of {@link ResultSchema}.
 * The results are already on the driver (they are aggregated there), and writing them here means
 * the run folder is complete on the driver's file system whatever the cluster's executors can reach.
 * Spark reads the file back as a normal Parquet dataset.
 */
public final class ResultsParquetWriter {
  private ResultsParquetWriter() {}

  static final MessageType PARQUET_SCHEMA = parquetSchema();

  public static void write(List<BatchResult> results, java.nio.file.Path file) {
    SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
    StructField[] fields = ResultSchema.SCHEMA.fields();
    // LocalOutputFile writes through java.nio: no Hadoop checksum side file next to the result.
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new Configuration())
        .withType(PARQUET_SCHEMA)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .build()) {
      for (BatchResult r : results) {
        Row row = ResultSchema.toRow(r);
        Group g = groups.newGroup();
        for (int i = 0; i < fields.length; i++) {
          Object v = row.get(i);
          String name = fields[i].name();
          DataType type = fields[i].dataType();
          if (v == null) {
            continue; // optional string left unset
          } else if (type.equals(DataTypes.StringType)) {
            g.append(name, (String) v);
          } else if (type.equals(DataTypes.IntegerType)) {
            g.append(name, (Integer) v);
          } else if (type.equals(DataTypes.LongType)) {
            g.append(name, (Long) v);
          } else if (type.equals(DataTypes.DoubleType)) {
            g.append(name, (Double) v);
          } else {
            g.append(name, (Boolean) v);
          }
        }
        writer.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static MessageType parquetSchema() {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (StructField f : ResultSchema.SCHEMA.fields()) {
      DataType t = f.dataType();
      if (t.equals(DataTypes.StringType)) {
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(f.name());
      } else if (t.equals(DataTypes.IntegerType)) {
        b.required(PrimitiveTypeName.INT32).named(f.name());
      } else if (t.equals(DataTypes.LongType)) {
        b.required(PrimitiveTypeName.INT64).named(f.name());
      } else if (t.equals(DataTypes.DoubleType)) {
        b.required(PrimitiveTypeName.DOUBLE).named(f.name());
      } else if (t.equals(DataTypes.BooleanType)) {
        b.required(PrimitiveTypeName.BOOLEAN).named(f.name());
      } else {
        throw new IllegalStateException("no Parquet mapping for " + t + " (column " + f.name() + ")");
      }
    }
    return b.named("padfree_result");
  }
}
