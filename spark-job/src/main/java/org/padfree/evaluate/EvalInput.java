package org.padfree.evaluate;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.padfree.routing.RoutedBatch;
import org.padfree.dataset.DatasetSchema;

/**
 * One input batch on its way to an executor: its position among all inputs (the exactly-once key),
 * where it came from, and what it is. Exactly one of four:
 * <ul>
 *   <li>a dataset row ({@code batch}) with its expert_ids as an int[]: read from Parquet and decoded
 *       once, on an executor, when the evaluation places it ({@link DatasetInputReader}; the driver
 *       planned from its scalar columns only), and validated by the task that evaluates it;</li>
 *   <li>a reference to a dataset row ({@code batch} holds the scalar columns planning read, {@code
 *       source} the file and row): the task that evaluates it reads the per-batch columns from the file
 *       itself ({@link FileInputs}: with cuDF onto its GPU, else on the host), so the placing step moves
 *       no expert ids at all;</li>
 *   <li>a routed batch already in memory ({@code routed}: a trace's, a sweep's), evaluated as it is,
 *       never turned into a Spark Row;</li>
 *   <li>a named failure ({@code error}): an input that could not even be read, with its batch id if
 *       known ({@code batchIdHint}).</li>
 * </ul>
 */
public record EvalInput(long index, String dataset, Row batch, RoutedBatch routed, String batchIdHint, String error,
    FileRow source) implements Serializable {

  /**
   * Where a referenced dataset row lies: its data file (as Spark lists it), its row position there, and
   * whether the dataset has the activations columns (read with the row).
   */
  public record FileRow(String file, long row, boolean activations) implements Serializable {}

  public EvalInput {
    int kinds = (batch != null ? 1 : 0) + (routed != null ? 1 : 0) + (error != null ? 1 : 0);
    if (kinds != 1 || source != null && batch == null) {
      throw new IllegalArgumentException("an input is exactly one of a dataset row, a reference to one, a routed"
          + " batch or an error");
    }
  }

  public static EvalInput of(long index, String dataset, Row batch) {
    return new EvalInput(index, dataset, batch, null, null, null, null);
  }

  /** A reference to row {@code row} of {@code file}, with the scalar columns planning read of it. */
  public static EvalInput inFile(long index, String dataset, Row scalars, FileRow source) {
    return new EvalInput(index, dataset, scalars, null, null, null, source);
  }

  public static EvalInput ready(long index, String dataset, RoutedBatch batch) {
    return new EvalInput(index, dataset, null, batch, null, null, null);
  }

  public static EvalInput failed(long index, String dataset, String batchIdHint, String error) {
    return new EvalInput(index, dataset, null, null, batchIdHint, error, null);
  }

  /** Whether this is a reference whose per-batch columns are still in its file. */
  public boolean inFile() {
    return source != null;
  }

  /**
   * The batch id as far as it can be read, for planning and error rows: the batch's, the row's
   * (unvalidated), else the hint, else empty. The one place that digs it out of an input.
   */
  public String batchId() {
    if (routed != null) {
      return routed.batchId();
    }
    if (batch == null) {
      return batchIdHint == null ? "" : batchIdHint;
    }
    return rawText(batch, DatasetSchema.BATCH_ID);
  }

  /** A column of this input as text (a routed batch's model, distribution or id); empty if it has none. */
  public String rawText(String column) {
    if (routed != null) {
      return switch (column) {
        case DatasetSchema.BATCH_ID -> routed.batchId();
        case DatasetSchema.MODEL -> routed.model();
        case DatasetSchema.DISTRIBUTION -> routed.distribution();
        default -> "";
      };
    }
    return batch == null ? "" : rawText(batch, column);
  }

  /** The routed batch: the ready one, or the dataset row decoded (which throws, naming the field, if bad). */
  public RoutedBatch decode() {
    if (routed != null) {
      return routed;
    }
    if (batch == null) {
      throw new IllegalStateException("input " + index + " failed before it could be decoded: " + error);
    }
    if (source != null) {
      throw new IllegalStateException("input " + index + " is a reference to row " + source.row() + " of "
          + source.file() + "; its task reads the row from the file first (FileInputs)");
    }
    return DatasetSchema.fromRow(batch);
  }

  /** A column of a raw dataset row as text, tolerating a missing column, a wrong type or a null (empty then). */
  static String rawText(Row row, String column) {
    try {
      Object v = row.get(row.fieldIndex(column));
      return v == null ? "" : v.toString();
    } catch (RuntimeException e) {
      return "";
    }
  }
}
