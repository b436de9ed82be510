package org.padfree.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;

/**
 * The per-batch columns of chosen rows of one dataset file, read on the host with parquet-mr (no Spark
 * session: it runs inside a task): the batch id, {@code expert_ids} and, where the file has them, the
 * activations columns. Used when an input was placed as a reference to its row of a file (the GPU
 * path reads those rows with cuDF) but must be evaluated on the host: a task that routes on the host,
 * and the layer stage. Only the needed columns are read (a projection of the file's schema).
 *
 * <p>Values come back as {@link DatasetSchema#fromRow} takes them: int[] / float[] lists, or a list
 * holding nulls where an element is null, so a bad row is refused by name exactly as Spark's rows are.
 */
public final class DatasetFileRows {
  private DatasetFileRows() {}

  /** One row's per-batch columns (null where the file has none or the value is null). */
  public record Values(String batchId, Object expertIds, byte[] activations, Object activationScales) {}

  /**
   * The values of rows {@code rows} (row positions in the file) of the file at {@code path}, by row position;
   * rows past the file's end are absent. Errors are the reader's, unwrapped by the caller.
   */
  public static Map<Long, Values> read(Path path, java.util.Set<Long> rows, Configuration conf) {
    String file = path.toString();
    try {
      MessageType schema = ParquetProjection.footerSchema(path, conf);
      List<String> columns = List.of(DatasetSchema.BATCH_ID, DatasetSchema.EXPERT_IDS, DatasetSchema.ACTIVATIONS_FP8,
          DatasetSchema.ACTIVATION_SCALES);
      long last = rows.stream().mapToLong(Long::longValue).max().orElse(-1);
      Map<Long, Values> out = new HashMap<>();
      try (ParquetReader<Group> reader = ParquetProjection.reader(path, conf, schema, columns)) {
        Group g;
        for (long row = 0; row <= last && (g = reader.read()) != null; row++) {
          if (rows.contains(row)) {
            out.put(row, values(g));
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * The full dataset row of a batch: the scalar columns planning read ({@code scalars}, by name) and the
   * per-batch columns read from the file; with the activations columns when {@code activations}. The
   * same row, for {@link DatasetSchema#fromRow}, as Spark's read of the file gives.
   */
  public static org.apache.spark.sql.Row toRow(org.apache.spark.sql.Row scalars, Values read, boolean activations) {
    org.apache.spark.sql.types.StructType schema = activations ? DatasetSchema.SCHEMA_WITH_ACTIVATIONS : DatasetSchema.SCHEMA;
    Object[] values = new Object[schema.length()];
    for (int c = 0; c < values.length; c++) {
      String name = schema.fields()[c].name();
      values[c] = switch (name) {
        case DatasetSchema.BATCH_ID -> read.batchId();
        case DatasetSchema.EXPERT_IDS -> read.expertIds();
        case DatasetSchema.ACTIVATIONS_FP8 -> read.activations();
        case DatasetSchema.ACTIVATION_SCALES -> read.activationScales();
        default -> scalars.get(scalars.fieldIndex(name));
      };
    }
    return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, schema);
  }

  private static Values values(Group g) {
    String batchId = present(g, DatasetSchema.BATCH_ID) ? g.getString(DatasetSchema.BATCH_ID, 0) : null;
    Object ids = present(g, DatasetSchema.EXPERT_IDS) ? list(g.getGroup(DatasetSchema.EXPERT_IDS, 0), false) : null;
    byte[] activations = present(g, DatasetSchema.ACTIVATIONS_FP8)
        ? g.getBinary(DatasetSchema.ACTIVATIONS_FP8, 0).getBytes() : null;
    Object scales = present(g, DatasetSchema.ACTIVATION_SCALES)
        ? list(g.getGroup(DatasetSchema.ACTIVATION_SCALES, 0), true) : null;
    return new Values(batchId, ids, activations, scales);
  }

  private static boolean present(Group g, String field) {
    return g.getType().containsField(field) && g.getFieldRepetitionCount(field) > 0;
  }

  /**
   * A list column's elements (Parquet's three-level LIST: a repeated group holding one element field):
   * int[] or float[], or a list with nulls where an element is null.
   */
  private static Object list(Group list, boolean floats) {
    GroupType type = list.getType();
    String repeated = type.getFieldName(0);
    int n = list.getFieldRepetitionCount(repeated);
    int[] ints = floats ? null : new int[n];
    float[] reals = floats ? new float[n] : null;
    List<Object> withNulls = null;
    for (int i = 0; i < n; i++) {
      Group item = list.getGroup(repeated, i);
      String element = item.getType().getFieldName(0);
      boolean isNull = item.getFieldRepetitionCount(element) == 0;
      if (isNull && withNulls == null) {
        withNulls = new ArrayList<>(n);
        for (int j = 0; j < i; j++) {
          withNulls.add(floats ? (Object) reals[j] : (Object) ints[j]);
        }
      }
      if (floats) {
        float v = isNull ? 0f : item.getFloat(element, 0);
        reals[i] = v;
        if (withNulls != null) {
          withNulls.add(isNull ? null : v);
        }
      } else {
        int v = isNull ? 0 : item.getInteger(element, 0);
        ints[i] = v;
        if (withNulls != null) {
          withNulls.add(isNull ? null : v);
        }
      }
    }
    return withNulls != null ? withNulls : floats ? reals : ints;
  }
}
