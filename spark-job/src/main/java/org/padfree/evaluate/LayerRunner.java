package org.padfree.evaluate;

import org.padfree.backend.CudaBackend;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.moe.CpuMoeLayer;
import org.padfree.moe.MoeLayerWeights;
import org.padfree.quant.QuantizedActivations;
import org.padfree.routing.RoutedBatch;

/**
 * Where the layer stage runs a batch's whole MoE layer: the executor's GPU where its GEMM backend is
 * CUDA ({@link CudaLayerRunner}), else the CPU reference ({@link CpuLayerRunner}). Both return the two
 * forms' runs; {@link LayerEvaluator} checks them the same way.
 */
interface LayerRunner {

  /**
   * One batch's layer runs: both forms, and, where the GPU measured them, the padding-free layer's
   * unfused time and its fused run (null where not measured: the CPU has no GPU layer to time, and
   * the fused one runs only with spark.padfree.layers.fused).
   */
  record Runs(CpuMoeLayer.Run paddingFree, CpuMoeLayer.Run padded, Double unfusedMs, CpuMoeLayer.Run fused) {}

  /** The weights a layer runs on, as the weight bank names them: a GPU keeps one device copy per key. */
  record WeightsKey(String model, int hidden, int intermediate, int experts, int bank, long seed) {}

  /** The row's backend column: cpu or cuda. */
  String label();

  /** The row's device column. */
  String device();

  Runs run(WeightsKey key, MoeLayerWeights weights, RoutedBatch batch, QuantizedActivations tokens, float[] routing);

  /** Executor heap one batch's layer needs on this runner, weights excluded. */
  long heapBytes(RoutedBatch batch, int hidden, int intermediate);

  /**
   * The runner for a task whose GEMM backend is {@code backend}: the GPU layer on a CUDA backend's
   * device, the CPU reference on a CPU backend. Any other backend is a programming error, named.
   */
  static LayerRunner forBackend(GroupedGemmBackend backend, EvaluateSettings settings, int cpuThreads) {
    if (backend instanceof CudaBackend cuda) {
      return new CudaLayerRunner(cuda, settings.repetitionsFor(cuda.kind()), settings.layersFused());
    }
    if (backend.kind() == org.padfree.backend.BackendKind.CPU) {
      return new CpuLayerRunner(cpuThreads);
    }
    throw new IllegalStateException("no MoE layer runs on backend " + backend.name() + " (" + backend.device()
        + "): the layer stage knows the CPU reference and CudaBackend");
  }
}
