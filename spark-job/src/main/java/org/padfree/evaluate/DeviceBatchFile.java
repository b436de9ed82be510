package org.padfree.evaluate;

import org.padfree.backend.DeviceRouting;
import org.padfree.backend.DeviceTokens;
import org.padfree.routing.RoutedBatch;

/**
 * One dataset file's per-batch columns read into the task's GPU memory (by cuDF, behind
 * {@link CudfTaskRouting}, so nothing else in the job links a cuDF class): read once for every batch
 * of the file the task evaluates, then each batch's routing built from its ids where they lie, and its
 * activations taken where they lie. Close what it hands out before closing the file.
 */
interface DeviceBatchFile extends AutoCloseable {

  /** The batch id of each row of the file, in row order (the only per-row text on the host). */
  String[] batchIds();

  /** Whether the file's activations columns were read. */
  boolean hasActivations();

  /**
   * The layouts of {@code batch} (its shape; its ids are row {@code row} of the file), built on the GPU;
   * a wrong length or a bad id is an error naming expert_ids and the batch.
   */
  DeviceRouting routing(long row, RoutedBatch batch);

  /**
   * The batch's tokens [numTokens][k] on the GPU, and what frees the memory made for them; null when the
   * batch's activations are null (it uses synthetic ones). A bad length is an error naming the column.
   */
  Tokens tokens(long row, String batchId, int numTokens, int k);

  /** Device tokens lent until closed. */
  interface Tokens extends AutoCloseable {
    DeviceTokens tokens();

    @Override
    void close();
  }

  @Override
  void close();
}
