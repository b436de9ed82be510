package org.padfree.dataset;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * A few named columns of one Parquet file, read with parquet-mr on the host (no Spark job): the file's
 * schema from its footer, and a reader of those columns only, so the pages of the others (a dataset's
 * {@code expert_ids} where only scalars are wanted) are never read.
 */
final class ParquetProjection {
  private ParquetProjection() {}

  /** The file's schema, from its footer. */
  static MessageType footerSchema(Path path, Configuration conf) throws IOException {
    try (ParquetFileReader footer = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
      return footer.getFooter().getFileMetaData().getSchema();
    }
  }

  /** A reader of the columns {@code names} of the file (those {@code schema}, its footer's, has), row by row. */
  static ParquetReader<Group> reader(Path path, Configuration conf, MessageType schema, List<String> names)
      throws IOException {
    List<Type> fields = new ArrayList<>();
    for (String name : names) {
      if (schema.containsField(name)) {
        fields.add(schema.getType(name));
      }
    }
    Configuration projected = new Configuration(conf);
    projected.set(ReadSupport.PARQUET_READ_SCHEMA, new MessageType(schema.getName(), fields).toString());
    return ParquetReader.builder(new GroupReadSupport(), path).withConf(projected).build();
  }
}
