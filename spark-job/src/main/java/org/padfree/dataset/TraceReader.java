package org.padfree.dataset;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.model.ModelShape;
import org.padfree.routing.RoutedBatch;

/**
 * Reads users' routing traces (Parquet or CSV) into routed batches. Two forms, told apart by their
 * columns (names ignore case):
 * <ul>
 *   <li>tokens: {@code batch_id, token, expert}, one row per (token, routed expert); a batch's top_k
 *       is its rows per token and must be the same for every token;</li>
 *   <li>counts: {@code batch_id, expert, count}, tokens per expert (missing experts count 0); top_k
 *       is the model's.</li>
 * </ul>
 * The model gives num_experts. Spark parses the values and finds the first bad row in one pass; the
 * batches are then assembled on the driver ({@link TraceBatchAssembler}) so that every error can name
 * the field, value and batch directly instead of surfacing as a failed task.
 */
public final class TraceReader {
  private TraceReader() {}

  public static final String TOKEN = "token";
  public static final String EXPERT = "expert";
  public static final String COUNT = "count";
  /** The distribution recorded for batches read from a trace. */
  public static final String TRACE_DISTRIBUTION = "trace";

  /** The two trace layouts, by their required columns. */
  public enum Form {
    TOKENS(List.of(DatasetSchema.BATCH_ID, TOKEN, EXPERT)),
    COUNTS(List.of(DatasetSchema.BATCH_ID, EXPERT, COUNT));

    final List<String> columns;

    Form(List<String> columns) {
      this.columns = columns;
    }
  }

  /** File formats; {@link #of} takes an explicit name or, when it is blank, the path's extension. */
  public enum Format {
    PARQUET, CSV;

    public static Format of(String name, String path) {
      if (name != null && !name.isBlank()) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
          case "parquet" -> PARQUET;
          case "csv" -> CSV;
          default -> throw new InvalidInputException("format", name, "must be parquet or csv");
        };
      }
      String lower = path.replaceAll("/+$", "").toLowerCase(Locale.ROOT);
      if (lower.endsWith(".parquet")) {
        return PARQUET;
      }
      if (lower.endsWith(".csv") || lower.endsWith(".csv.gz")) {
        return CSV;
      }
      throw new InvalidInputException("trace", path,
          "cannot tell the format from the extension (.parquet, .csv); give the format explicitly");
    }
  }

  /**
   * Reads the trace at {@code path}.
   *
   * @param format "parquet", "csv", or null/blank to go by the extension
   * @param seed batch i (in batch-id order) gets the i-th value of a SplittableRandom seeded with this
   */
  public static List<RoutedBatch> read(SparkSession spark, String path, String format, ModelShape model,
      long seed) {
    return read(load(spark, path, format), model, seed, path);
  }

  /**
   * Reads a trace already loaded as a DataFrame; {@code source} names it in errors. Throws on the first
   * bad batch (in batch-id order); {@link #readEach} reports every batch separately instead.
   */
  public static List<RoutedBatch> read(Dataset<Row> trace, ModelShape model, long seed, String source) {
    List<RoutedBatch> batches = new ArrayList<>();
    for (TraceBatch b : readEach(trace, model, seed, source)) {
      if (!b.isOk()) {
        throw b.error();
      }
      batches.add(b.batch());
    }
    return batches;
  }

  /**
   * Every batch of the trace, each built or failed on its own, sorted by batch id. Problems with the
   * whole trace (no recognisable form, wrong column types, no rows) still throw.
   */
  public static List<TraceBatch> readEach(SparkSession spark, String path, String format, ModelShape model,
      long seed) {
    return readEach(load(spark, path, format), model, seed, path);
  }

  /** As {@link #readEach(SparkSession, String, String, ModelShape, long)}, for a loaded DataFrame. */
  public static List<TraceBatch> readEach(Dataset<Row> trace, ModelShape model, long seed, String source) {
    Validate.notNull("trace", trace);
    Validate.notNull("model", model);
    Form form = detectForm(trace.schema(), source);
    Dataset<Row> typed = typed(trace, form, source);
    Column bad = badRow(form, model);
    // The first bad row of each batch explains why that batch fails; the other batches go on.
    Map<String, InvalidInputException> failed = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
    for (Row row : typed.filter(bad).collectAsList()) {
      failed.putIfAbsent(row.getAs(DatasetSchema.BATCH_ID), explain(row, form, model, source));
    }
    // One row per batch holding its (token, expert) or (expert, count) pairs.
    List<Row> grouped = typed.filter(functions.not(bad)).groupBy(DatasetSchema.BATCH_ID)
        .agg(collect_list(struct(col(form.columns.get(1)), col(form.columns.get(2)))).as("pairs"))
        .orderBy(DatasetSchema.BATCH_ID)
        .collectAsList();
    grouped = grouped.stream().filter(r -> !failed.containsKey(r.getString(0))).toList();
    Validate.require(!grouped.isEmpty() || !failed.isEmpty(), "trace", source, "has no rows");
    List<TraceBatch> out = new ArrayList<>(TraceBatchAssembler.assemble(grouped, form, model, seed));
    failed.forEach((batchId, error) -> out.add(TraceBatch.failed(batchId == null ? "" : batchId, error)));
    out.sort(Comparator.comparing(TraceBatch::batchId));
    return out;
  }

  private static Dataset<Row> load(SparkSession spark, String path, String format) {
    Validate.require(path != null && !path.isBlank(), "trace", path, "must be a non-empty path");
    Format resolved = Format.of(format, path);
    DatasetIO.requireExists(spark, path, "trace");
    Dataset<Row> trace = switch (resolved) {
      case PARQUET -> spark.read().parquet(path);
      // Every CSV column is read as a string and parsed below, so bad values get our error messages.
      case CSV -> spark.read().option("header", "true").option("inferSchema", "false").csv(path);
    };
    return trace;
  }

  /** The form the columns describe; an error lists the missing columns of both forms otherwise. */
  static Form detectForm(StructType schema, String source) {
    Map<String, String> columns = columnsByLowerName(schema);
    boolean tokens = columns.keySet().containsAll(Form.TOKENS.columns);
    boolean counts = columns.keySet().containsAll(Form.COUNTS.columns);
    List<String> actual = Arrays.asList(schema.fieldNames());
    Validate.require(!(tokens && counts), "columns", actual,
        "trace " + source + " has both a token and a count column; keep only the columns of one form");
    if (!tokens && !counts) {
      throw new InvalidInputException("columns", actual, "trace " + source + " matches no form: missing "
          + missing(columns, Form.TOKENS) + " for the tokens form " + Form.TOKENS.columns + ", or missing "
          + missing(columns, Form.COUNTS) + " for the counts form " + Form.COUNTS.columns);
    }
    return tokens ? Form.TOKENS : Form.COUNTS;
  }

  /**
   * batch_id as a string, each number column parsed with try_cast (null when not an integer), and the
   * raw text of each number column kept alongside for error messages.
   */
  private static Dataset<Row> typed(Dataset<Row> trace, Form form, String source) {
    Map<String, String> columns = columnsByLowerName(trace.schema());
    List<Column> selected = new ArrayList<>();
    selected.add(col(quoted(columns.get(DatasetSchema.BATCH_ID))).cast(DataTypes.StringType).as(DatasetSchema.BATCH_ID));
    for (String name : form.columns.subList(1, form.columns.size())) {
      StructField field = trace.schema().apply(columns.get(name));
      Validate.require(isIntegerOrText(field.dataType()), name, field.dataType().simpleString(),
          "trace " + source + " column must hold integers (an integer type, or text)");
      Column raw = col(quoted(field.name()));
      // Token ids may be global positions, so they get 64 bits; experts and counts fit in an int.
      DataType parsedType = name.equals(TOKEN) ? DataTypes.LongType : DataTypes.IntegerType;
      selected.add(raw.try_cast(parsedType).as(name));
      selected.add(raw.cast(DataTypes.StringType).as(rawName(name)));
    }
    return trace.select(selected.toArray(Column[]::new));
  }

  /** A row with a missing batch id, a non-integer, an expert out of range or a negative count. */
  private static Column badRow(Form form, ModelShape model) {
    Column batch = col(DatasetSchema.BATCH_ID);
    Column expert = col(EXPERT);
    Column bad = batch.isNull().or(trim(batch).equalTo(""))
        .or(expert.lt(0)).or(expert.geq(model.experts()));
    bad = bad.or(col(form.columns.get(1)).isNull()).or(col(form.columns.get(2)).isNull());
    if (form == Form.COUNTS) {
      bad = bad.or(col(COUNT).lt(0)).or(col(COUNT).gt(RoutedBatch.MAX_ROUTED_ROWS));
    }
    // try_cast leaves nulls, and a null in a condition is neither true nor false: count it as bad.
    return functions.coalesce(bad, functions.lit(true));
  }

  private static InvalidInputException explain(Row row, Form form, ModelShape model, String source) {
    String batchId = row.getAs(DatasetSchema.BATCH_ID);
    if (batchId == null || batchId.isBlank()) {
      return new InvalidInputException(DatasetSchema.BATCH_ID, batchId, "is missing in a row of trace " + source);
    }
    String where = " (batch " + batchId + ", trace " + source + ")";
    for (String name : form.columns.subList(1, form.columns.size())) {
      if (row.isNullAt(row.fieldIndex(name))) {
        String raw = row.getAs(rawName(name));
        String why = raw == null ? "is missing"
            : raw.strip().matches("[+-]?[0-9]+") ? "is out of range (" + rangeOf(name) + ")" : "is not an integer";
        return new InvalidInputException(name, raw, why + where);
      }
    }
    int expert = row.<Integer>getAs(EXPERT);
    if (expert < 0 || expert >= model.experts()) {
      return new InvalidInputException(EXPERT, expert, "must be in [0, " + model.experts() + ") for model "
          + model.name() + where);
    }
    int count = row.<Integer>getAs(COUNT);
    return new InvalidInputException(COUNT, count, (count < 0 ? "must be >= 0" : "is out of range (" + rangeOf(COUNT) + ")")
        + " (expert " + expert + ")" + where);
  }

  /** What a number column may hold, for "out of range" messages. */
  private static String rangeOf(String column) {
    return switch (column) {
      case COUNT -> "a count is at most " + RoutedBatch.MAX_ROUTED_ROWS + ", the most rows one batch may route";
      case TOKEN -> "token ids are 64-bit integers";
      default -> "expert ids are 32-bit integers";
    };
  }

  private static boolean isIntegerOrText(DataType type) {
    return type.equals(DataTypes.StringType) || type.equals(DataTypes.LongType)
        || type.equals(DataTypes.IntegerType) || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.ByteType);
  }

  private static Map<String, String> columnsByLowerName(StructType schema) {
    Map<String, String> columns = new HashMap<>();
    for (String name : schema.fieldNames()) {
      columns.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
    }
    return columns;
  }

  private static List<String> missing(Map<String, String> columns, Form form) {
    return form.columns.stream().filter(c -> !columns.containsKey(c)).toList();
  }

  private static String rawName(String column) {
    return column + "_text";
  }

  /** Backquotes a column name so that dots or spaces in users' headers are taken literally. */
  private static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
