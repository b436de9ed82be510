package org.padfree.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.routing.RoutedBatch;

/**
 * The routed-batch dataset: one row per {@link RoutedBatch}, documented in datasets/README.md.
 * Columns are looked up by name, so extra columns and any column order are accepted on read.
 */
public final class DatasetSchema {
  private DatasetSchema() {}

  public static final String BATCH_ID = "batch_id";
  public static final String MODEL = "model";
  public static final String DISTRIBUTION = "distribution";
  public static final String NUM_EXPERTS = "num_experts";
  public static final String TOP_K = "top_k";
  public static final String NUM_TOKENS = "num_tokens";
  public static final String SEED = "seed";
  /** Token-major: token t's experts are elements t*top_k .. t*top_k+top_k-1. */
  public static final String EXPERT_IDS = "expert_ids";
  /**
   * Optional: the batch's token activations as FP8 E4M3 codes, token-major [num_tokens][hidden], one
   * byte each (hidden = K of the model's gate_up GEMM).
   */
  public static final String ACTIVATIONS_FP8 = "activations_fp8";
  /** Optional, with {@link #ACTIVATIONS_FP8}: FP32 1x128 scales, token-major [num_tokens][ceil(hidden/128)]. */
  public static final String ACTIVATION_SCALES = "activation_scales";

  public static final StructType SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField(BATCH_ID, DataTypes.StringType, false),
      DataTypes.createStructField(MODEL, DataTypes.StringType, false),
      DataTypes.createStructField(DISTRIBUTION, DataTypes.StringType, false),
      DataTypes.createStructField(NUM_EXPERTS, DataTypes.IntegerType, false),
      DataTypes.createStructField(TOP_K, DataTypes.IntegerType, false),
      DataTypes.createStructField(NUM_TOKENS, DataTypes.IntegerType, false),
      DataTypes.createStructField(SEED, DataTypes.LongType, false),
      DataTypes.createStructField(EXPERT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false),
  });

  /** The optional activations columns: present together or not at all. */
  public static final StructField[] ACTIVATION_FIELDS = {
      DataTypes.createStructField(ACTIVATIONS_FP8, DataTypes.BinaryType, true),
      DataTypes.createStructField(ACTIVATION_SCALES, DataTypes.createArrayType(DataTypes.FloatType, false), true),
  };

  /** {@link #SCHEMA} with the activations columns after it. */
  public static final StructType SCHEMA_WITH_ACTIVATIONS = SCHEMA.add(ACTIVATION_FIELDS[0]).add(ACTIVATION_FIELDS[1]);

  /** Column names in schema order. */
  public static List<String> columnNames() {
    return Arrays.asList(SCHEMA.fieldNames());
  }

  /**
   * Throws unless {@code actual} has every dataset column (names are exact) with the right type,
   * nullability aside: Parquet files read back as nullable. The error lists all missing columns.
   */
  public static void requireColumns(StructType actual) {
    Validate.notNull("schema", actual);
    Set<String> present = new HashSet<>(Arrays.asList(actual.fieldNames()));
    List<String> missing = new ArrayList<>();
    for (String name : SCHEMA.fieldNames()) {
      if (!present.contains(name)) {
        missing.add(name);
      }
    }
    Validate.require(missing.isEmpty(), "columns", missing,
        "missing from the routed-batch dataset, which has " + Arrays.toString(actual.fieldNames()));
    for (StructField expected : SCHEMA.fields()) {
      requireType(actual, expected);
    }
    boolean values = present.contains(ACTIVATIONS_FP8);
    boolean scales = present.contains(ACTIVATION_SCALES);
    Validate.require(values == scales, values ? ACTIVATION_SCALES : ACTIVATIONS_FP8, "missing",
        "the activations columns come together: " + ACTIVATIONS_FP8 + " (binary) and " + ACTIVATION_SCALES
            + " (array<float>)");
    if (values) {
      for (StructField expected : ACTIVATION_FIELDS) {
        requireType(actual, expected);
      }
    }
  }

  private static void requireType(StructType actual, StructField expected) {
    DataType type = actual.apply(actual.getFieldIndex(expected.name()).get()).dataType();
    Validate.require(sameTypeIgnoringNulls(type, expected.dataType()), expected.name(), type.simpleString(),
        "column must have type " + expected.dataType().simpleString());
  }

  /** Whether a dataset of this schema carries the activations columns (checked by {@link #requireColumns}). */
  public static boolean hasActivations(StructType schema) {
    return Arrays.asList(schema.fieldNames()).contains(ACTIVATIONS_FP8);
  }

  /** The columns the evaluation reads of a dataset with this schema: the schema's, and the activations if present. */
  public static List<String> readColumnNames(StructType schema) {
    List<String> names = new ArrayList<>(columnNames());
    if (hasActivations(schema)) {
      names.add(ACTIVATIONS_FP8);
      names.add(ACTIVATION_SCALES);
    }
    return names;
  }

  /** The batch as a row; the int[] goes in as is, which Spark's row encoder converts without boxing. */
  public static Row toRow(RoutedBatch batch) {
    Validate.notNull("batch", batch);
    // Rows carry the schema so that fromRow can find columns by name without a DataFrame.
    return new GenericRowWithSchema(new Object[] {batch.batchId(), batch.model(), batch.distribution(),
        batch.numExperts(), batch.topK(), batch.numTokens(), batch.seed(), batch.expertIds().clone()}, SCHEMA);
  }

  /** The batch with its activations (FP8 codes and row-major 1x128 scales) as a row of {@link #SCHEMA_WITH_ACTIVATIONS}. */
  public static Row toRow(RoutedBatch batch, byte[] activations, float[] scales) {
    Validate.notNull("batch", batch);
    return new GenericRowWithSchema(new Object[] {batch.batchId(), batch.model(), batch.distribution(),
        batch.numExperts(), batch.topK(), batch.numTokens(), batch.seed(), batch.expertIds().clone(), activations,
        scales}, SCHEMA_WITH_ACTIVATIONS);
  }

  /**
   * Every column but expert_ids, in schema order: what planning reads, so that it never reads or
   * decodes the id lists (Parquet skips the pruned column's pages).
   */
  public static List<String> scalarColumnNames() {
    return columnNames().stream().filter(name -> !name.equals(EXPERT_IDS)).toList();
  }

  /**
   * A row as Spark's Parquet reader hands it over internally ({@code Dataset.queryExecution().toRdd()};
   * {@code schema} is the Dataset's), as a Row whose int arrays are int[]: the decoded ids are copied
   * once, in bulk, with no boxed Integer per routed slot and no Scala sequence in between. An array
   * holding a null comes back as a list with the null in it, for {@link #fromRow} to reject by name;
   * other columns convert as Spark converts them for a Row. Reads {@code row} before returning only,
   * so a reader may reuse it.
   */
  public static Row fromInternal(InternalRow row, StructType schema) {
    Validate.notNull("schema", schema);
    Object[] values = new Object[schema.length()];
    for (int c = 0; c < values.length; c++) {
      DataType type = schema.fields()[c].dataType();
      if (row.isNullAt(c)) {
        values[c] = null;
      } else if (type instanceof ArrayType array && array.elementType().equals(DataTypes.IntegerType)) {
        values[c] = ints(row.getArray(c));
      } else if (type instanceof ArrayType array && array.elementType().equals(DataTypes.FloatType)) {
        values[c] = floats(row.getArray(c));
      } else {
        values[c] = CatalystTypeConverters.convertToScala(row.get(c, type), type);
      }
    }
    return new GenericRowWithSchema(values, schema);
  }

  private static Object ints(ArrayData array) {
    int n = array.numElements();
    for (int i = 0; i < n; i++) {
      if (array.isNullAt(i)) {
        List<Integer> boxed = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
          boxed.add(array.isNullAt(j) ? null : array.getInt(j));
        }
        return boxed;
      }
    }
    return array.toIntArray();
  }

  private static Object floats(ArrayData array) {
    int n = array.numElements();
    for (int i = 0; i < n; i++) {
      if (array.isNullAt(i)) {
        List<Float> boxed = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
          boxed.add(array.isNullAt(j) ? null : array.getFloat(j));
        }
        return boxed;
      }
    }
    return array.toFloatArray();
  }

  /**
   * The batch a row describes, found by column name. Nulls and inconsistent values are errors that
   * name the column and the batch id.
   */
  public static RoutedBatch fromRow(Row row) {
    Validate.notNull("row", row);
    String batchId = row.isNullAt(index(row, BATCH_ID)) ? null : row.getString(index(row, BATCH_ID));
    Validate.require(batchId != null, BATCH_ID, null, "is null in a routed-batch row");
    String context = " (batch " + batchId + ")";
    int[] ids = expertIds(notNull(row, EXPERT_IDS, batchId), context);
    try {
      return new RoutedBatch(batchId,
          notNull(row, MODEL, batchId).getString(index(row, MODEL)),
          notNull(row, DISTRIBUTION, batchId).getString(index(row, DISTRIBUTION)),
          notNull(row, NUM_EXPERTS, batchId).getInt(index(row, NUM_EXPERTS)),
          notNull(row, TOP_K, batchId).getInt(index(row, TOP_K)),
          notNull(row, NUM_TOKENS, batchId).getInt(index(row, NUM_TOKENS)),
          ids,
          notNull(row, SEED, batchId).getLong(index(row, SEED)));
    } catch (InvalidInputException e) {
      // RoutedBatch names the batch in most messages; add it where it does not.
      throw e.getMessage().contains("batch " + batchId) ? e : e.withContext(context);
    }
  }

  /**
   * The batch a row's scalar columns describe, with its expert ids elsewhere ({@link
   * RoutedBatch#idsElsewhere}: read onto a GPU from the dataset file and checked there). Nulls and bad
   * sizes are errors naming the column and the batch id, as in {@link #fromRow}.
   */
  public static RoutedBatch shapeFromRow(Row row) {
    Validate.notNull("row", row);
    String batchId = row.isNullAt(index(row, BATCH_ID)) ? null : row.getString(index(row, BATCH_ID));
    Validate.require(batchId != null, BATCH_ID, null, "is null in a routed-batch row");
    try {
      return RoutedBatch.idsElsewhere(batchId,
          notNull(row, MODEL, batchId).getString(index(row, MODEL)),
          notNull(row, DISTRIBUTION, batchId).getString(index(row, DISTRIBUTION)),
          notNull(row, NUM_EXPERTS, batchId).getInt(index(row, NUM_EXPERTS)),
          notNull(row, TOP_K, batchId).getInt(index(row, TOP_K)),
          notNull(row, NUM_TOKENS, batchId).getInt(index(row, NUM_TOKENS)),
          notNull(row, SEED, batchId).getLong(index(row, SEED)));
    } catch (InvalidInputException e) {
      throw e.getMessage().contains("batch " + batchId) ? e : e.withContext(" (batch " + batchId + ")");
    }
  }

  /**
   * expert_ids as int[]: rows from {@link #toRow} hold an int[], rows read by Spark a Scala Seq, and
   * rows users build in Java may hold a java.util.List.
   */
  private static int[] expertIds(Row row, String context) {
    Object value = row.get(index(row, EXPERT_IDS));
    if (value instanceof int[] ids) {
      return ids.clone();
    }
    List<?> boxed;
    if (value instanceof List<?> list) {
      boxed = list;
    } else if (value instanceof scala.collection.Seq<?>) {
      boxed = row.getList(index(row, EXPERT_IDS));
    } else {
      throw new InvalidInputException(EXPERT_IDS, value.getClass().getName(), "must be an array of int" + context);
    }
    int[] ids = new int[boxed.size()];
    for (int i = 0; i < ids.length; i++) {
      // Per routed slot (10^5 per batch): the message is built only on failure.
      if (!(boxed.get(i) instanceof Integer id)) {
        throw new InvalidInputException(EXPERT_IDS + "[" + i + "]", boxed.get(i), "must be an int" + context);
      }
      ids[i] = id;
    }
    return ids;
  }

  private static int index(Row row, String column) {
    Validate.require(row.schema() != null, "row", row, "has no schema; build rows against DatasetSchema.SCHEMA");
    scala.Option<Object> index = row.schema().getFieldIndex(column);
    Validate.require(index.isDefined(), "columns", column, "missing from the routed-batch row");
    return (Integer) index.get();
  }

  private static Row notNull(Row row, String column, String batchId) {
    Validate.require(!row.isNullAt(index(row, column)), column, null, "is null (batch " + batchId + ")");
    return row;
  }

  private static boolean sameTypeIgnoringNulls(DataType actual, DataType expected) {
    if (actual instanceof ArrayType a && expected instanceof ArrayType e) {
      return sameTypeIgnoringNulls(a.elementType(), e.elementType());
    }
    return actual.equals(expected);
  }
}
