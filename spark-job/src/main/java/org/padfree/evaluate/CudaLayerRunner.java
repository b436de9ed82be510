package org.padfree.evaluate;

import org.padfree.backend.CudaBackend;
import org.padfree.cuda.CudaDevice;
import org.padfree.moe.CpuMoeLayer;
import org.padfree.moe.CudaMoeLayer;
import org.padfree.moe.MoeLayerWeights;
import org.padfree.quant.QuantizedActivations;
import org.padfree.routing.RoutedBatch;

/**
 * The layer on the GPU the task's GEMM backend runs on ({@link CudaMoeLayer}): both forms unfused,
 * timed with CUDA events (median of {@code timedRuns} after a warm-up), and with {@code fused} also
 * the padding-free form with the fused SwiGLU-FP8 gate_up epilogue.
 *
 * <p>The layer and its uploaded weights stay on the device for the executor's lifetime
 * ({@link #RESIDENT}: one {@code CudaMoeLayer} per device, one weight set per model), so only a
 * model's first batch uploads. Runs hold the GEMM backend's lock: the layer never shares the GPU with
 * a GEMM run, and tasks running at once in one executor take turns.
 */
final class CudaLayerRunner implements LayerRunner {
  /** Per executor JVM: never made on the driver (nothing is opened until a task runs a layer). */
  static final ResidentLayers<CudaMoeLayer, CudaMoeLayer.DeviceWeights> RESIDENT = new ResidentLayers<>();

  private final CudaBackend backend;
  private final int timedRuns;
  private final boolean fused;

  CudaLayerRunner(CudaBackend backend, int timedRuns, boolean fused) {
    this.backend = backend;
    this.timedRuns = timedRuns;
    this.fused = fused;
  }

  @Override
  public String label() {
    return "cuda";
  }

  @Override
  public String device() {
    return backend.device();
  }

  @Override
  public Runs run(WeightsKey key, MoeLayerWeights weights, RoutedBatch batch, QuantizedActivations tokens, float[] routing) {
    CudaDevice device = backend.cudaDevice();
    synchronized (backend) {
      return RESIDENT.use(device.ordinal(), () -> new CudaMoeLayer(device), key, layer -> layer.upload(weights),
          (layer, resident) -> {
            CpuMoeLayer.Run free = layer.run(CpuMoeLayer.Form.PADDING_FREE, batch, resident, tokens, routing, timedRuns);
            CpuMoeLayer.Run padded = layer.run(CpuMoeLayer.Form.PADDED, batch, resident, tokens, routing, timedRuns);
            CpuMoeLayer.Run fusedRun = fused
                ? layer.run(CpuMoeLayer.Form.PADDING_FREE, batch, resident, tokens, routing, timedRuns, true) : null;
            return new Runs(free, padded, free.millis(), fusedRun);
          });
    }
  }

  @Override
  public long heapBytes(RoutedBatch batch, int hidden, int intermediate) {
    return HeapBudget.gpuLayerBytes(batch, hidden, fused ? 3 : 2);
  }
}
