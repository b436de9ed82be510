package org.padfree.evaluate;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.padfree.dataset.DatasetSchema;

/**
 * One input batch on its way to an executor: its position among all inputs (the exactly-once key),
 * where it came from, and either its dataset row or the reason it could not even be read.
 *
 * @param batch a row of the routed-batch schema (datasets/README.md), unvalidated; null when {@code error} is set
 * @param batchIdHint the batch id if known, for error rows
 */
public record EvalInput(long index, String dataset, Row batch, String batchIdHint, String error) implements Serializable {

  public static EvalInput of(long index, String dataset, Row batch) {
    return new EvalInput(index, dataset, batch, null, null);
  }

  public static EvalInput failed(long index, String dataset, String batchIdHint, String error) {
    return new EvalInput(index, dataset, null, batchIdHint, error);
  }

  /**
   * The batch id as far as it can be read, for planning and error rows: the row's (unvalidated), else
   * the hint, else empty. The one place that digs it out of an input.
   */
  public String batchId() {
    if (batch == null) {
      return batchIdHint == null ? "" : batchIdHint;
    }
    return rawText(batch, DatasetSchema.BATCH_ID);
  }

  /** A column of this input's raw row as text; empty without a row. */
  public String rawText(String column) {
    return batch == null ? "" : rawText(batch, column);
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
