package org.padfree.table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.padfree.InvalidInputException;

/**
 * Records to and from one Parquet file, written on the driver with parquet-hadoop like
 * results.parquet: the sweep's history is small (one row per grid point and run), lives on the
 * driver's file system, and is read by CapacityStudy without a Spark session. Spark, DuckDB or
 * pandas read the files (and the date=/run= partition folders) as an ordinary Parquet table.
 */
public final class RecordParquet<T extends Record> {
  private final RecordFields<T> fields;
  private final MessageType schema;

  public RecordParquet(Class<T> type, String messageName) {
    this(type, messageName, java.util.Set.of());
  }

  /** @param addedLater columns older files may lack (see {@link RecordFields#absentValue}) */
  public RecordParquet(Class<T> type, String messageName, java.util.Set<String> addedLater) {
    this.fields = new RecordFields<>(type, addedLater).requireFlat();
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (int i = 0; i < fields.size(); i++) {
      String name = fields.names().get(i);
      Class<?> t = fields.typeAt(i);
      if (t == String.class || t.isEnum()) { // an enum as its text
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
      } else if (t == int.class) {
        b.required(PrimitiveTypeName.INT32).named(name);
      } else if (t == long.class) {
        b.required(PrimitiveTypeName.INT64).named(name);
      } else if (t == double.class) {
        b.required(PrimitiveTypeName.DOUBLE).named(name);
      } else if (t == Double.class) { // nullable: null where nothing was measured
        b.optional(PrimitiveTypeName.DOUBLE).named(name);
      } else {
        b.required(PrimitiveTypeName.BOOLEAN).named(name);
      }
    }
    this.schema = b.named(messageName);
  }

  /** Writes a new file (it must not exist: callers write into a fresh temporary folder). */
  public void write(List<T> records, Path file) {
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new Configuration())
        .withType(schema)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .build()) {
      for (T record : records) {
        Group g = groups.newGroup();
        for (int i = 0; i < fields.size(); i++) {
          Object v = fields.valueAt(record, i);
          String name = fields.names().get(i);
          switch (v) {
            case null -> { } // an optional string or Double left unset
            case String s -> g.append(name, s);
            case Integer n -> g.append(name, n);
            case Long n -> g.append(name, n);
            case Double d -> g.append(name, d);
            case Boolean z -> g.append(name, z);
            case Enum<?> e -> g.append(name, e.toString());
            default -> throw new IllegalStateException("no Parquet mapping for " + v.getClass());
          }
        }
        writer.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Every row of {@code file}; a missing column is an error naming it and the file. */
  public List<T> read(Path file) {
    List<T> out = new ArrayList<>();
    org.apache.hadoop.fs.Path hadoopPath = new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri());
    try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), hadoopPath)
        .withConf(new Configuration()).build()) {
      for (Group g = reader.read(); g != null; g = reader.read()) {
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
          String name = fields.names().get(i);
          if (!g.getType().containsField(name)) {
            if (fields.mayBeAbsent(i)) {
              values[i] = fields.absentValue(i);
              continue;
            }
            throw new InvalidInputException("column", name, "missing from " + file + " (not a padfree sweep points file?)");
          }
          Class<?> t = fields.typeAt(i);
          boolean present = g.getFieldRepetitionCount(name) > 0;
          if (t == String.class || t.isEnum()) { // enums from their text, in create()
            values[i] = present ? g.getString(name, 0) : null;
          } else if (t == Double.class) {
            values[i] = present ? g.getDouble(name, 0) : null;
          } else if (!present) {
            throw new InvalidInputException("column", name, "has no value in a row of " + file);
          } else if (t == int.class) {
            values[i] = g.getInteger(name, 0);
          } else if (t == long.class) {
            values[i] = g.getLong(name, 0);
          } else if (t == double.class) {
            values[i] = g.getDouble(name, 0);
          } else {
            values[i] = g.getBoolean(name, 0);
          }
        }
        out.add(fields.create(values));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }
}
