package org.padfree.dataset;

import org.padfree.InvalidInputException;
import org.padfree.routing.RoutedBatch;

/**
 * One batch of a trace as read: the routed batch, or why it could not be built. A bad batch does not
 * stop the others; the evaluation job turns it into result rows with the error.
 */
public record TraceBatch(String batchId, RoutedBatch batch, InvalidInputException error) {

  public static TraceBatch ok(RoutedBatch batch) {
    return new TraceBatch(batch.batchId(), batch, null);
  }

  public static TraceBatch failed(String batchId, InvalidInputException error) {
    return new TraceBatch(batchId, null, error);
  }

  public boolean isOk() {
    return error == null;
  }
}
