package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a GPU executor keeps for the layer stage between batches: one layer object per device, opened
 * by the first batch that needs it, and per device one uploaded weight set per
 * {@link LayerRunner.WeightsKey} (a model's weight bank), uploaded by the first batch of that model.
 * Both live until {@link #close} (in an executor: its lifetime; the process's exit frees the device
 * memory, as it does the GEMM backend's resident weights).
 *
 * <p>The cache owns what it opens: callers borrow the layer and weights inside {@link #use} and never
 * close them. An open or upload that throws leaves nothing behind, so the next batch tries again
 * (a batch's failure stays that batch's). Calls on one device are serialised (one layer object, one
 * stream); different devices run independently.
 *
 * @param <L> the layer (CudaMoeLayer on executors, a stand-in in tests)
 * @param <W> its uploaded weights
 */
final class ResidentLayers<L extends AutoCloseable, W extends AutoCloseable> implements AutoCloseable {

  /** What a batch does with the borrowed layer and weights. */
  @FunctionalInterface
  interface Work<L, W, T> {
    T run(L layer, W weights);
  }

  /** One device's layer (null until opened) and its weight sets. */
  private final class Slot {
    L layer;
    final Map<LayerRunner.WeightsKey, W> weights = new LinkedHashMap<>();
  }

  private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Runs {@code work} on device {@code device}'s layer and the weights of {@code key}, opening the
   * layer with {@code open} and uploading the weights with {@code upload} on first use.
   */
  <T> T use(int device, Supplier<L> open, LayerRunner.WeightsKey key, Function<L, W> upload, Work<L, W, T> work) {
    Slot slot = slots.computeIfAbsent(device, d -> new Slot());
    synchronized (slot) {
      if (closed) {
        throw new IllegalStateException("the executor's resident MoE layers are closed (device " + device + ")");
      }
      if (slot.layer == null) {
        slot.layer = open.get();
      }
      W weights = slot.weights.get(key);
      if (weights == null) {
        weights = upload.apply(slot.layer);
        slot.weights.put(key, weights);
      }
      return work.run(slot.layer, weights);
    }
  }

  /** Layers opened so far (0 or 1 per device). */
  int layers() {
    return (int) slots.values().stream().filter(s -> s.layer != null).count();
  }

  /** Weight sets resident on {@code device}. */
  int weightSets(int device) {
    Slot slot = slots.get(device);
    return slot == null ? 0 : slot.weights.size();
  }

  /**
   * Closes every weight set, then its device's layer (the weights were uploaded through it); a close
   * that throws does not keep the others open, and the first failure is rethrown at the end.
   */
  @Override
  public void close() {
    closed = true;
    List<Exception> failures = new ArrayList<>();
    for (Slot slot : slots.values()) {
      synchronized (slot) {
        for (W w : slot.weights.values()) {
          closeQuietly(w, failures);
        }
        slot.weights.clear();
        if (slot.layer != null) {
          closeQuietly(slot.layer, failures);
          slot.layer = null;
        }
      }
    }
    if (!failures.isEmpty()) {
      IllegalStateException e = new IllegalStateException("closing the resident MoE layers: " + failures.get(0).getMessage(),
          failures.get(0));
      failures.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable c, List<Exception> failures) {
    try {
      c.close();
    } catch (Exception e) {
      failures.add(e);
    }
  }
}
