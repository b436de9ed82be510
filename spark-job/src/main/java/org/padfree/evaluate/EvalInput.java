package org.padfree.evaluate;

import java.io.Serializable;
import org.apache.spark.sql.Row;

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
}
