package org.padfree.evaluate;

import org.padfree.moe.CpuMoeLayer;
import org.padfree.moe.MoeLayerWeights;
import org.padfree.quant.QuantizedActivations;
import org.padfree.routing.RoutedBatch;

/** The layer on the exact CPU reference: both forms' wall times; no GPU times (null, never made up). */
final class CpuLayerRunner implements LayerRunner {
  private final int threads;

  CpuLayerRunner(int threads) {
    this.threads = threads;
  }

  @Override
  public String label() {
    return "cpu";
  }

  @Override
  public String device() {
    return "CPU: " + threads + " threads";
  }

  @Override
  public Runs run(WeightsKey key, MoeLayerWeights weights, RoutedBatch batch, QuantizedActivations tokens, float[] routing) {
    try (CpuMoeLayer layer = new CpuMoeLayer(threads)) {
      CpuMoeLayer.Run free = layer.run(CpuMoeLayer.Form.PADDING_FREE, batch, weights, tokens, routing);
      CpuMoeLayer.Run padded = layer.run(CpuMoeLayer.Form.PADDED, batch, weights, tokens, routing);
      return new Runs(free, padded, null, null);
    }
  }

  @Override
  public long heapBytes(RoutedBatch batch, int hidden, int intermediate) {
    return HeapBudget.cpuLayerBytes(batch, hidden, intermediate);
  }
}
