package org.padfree.cuda.kernels;

import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.KernelSpec;
import org.padfree.cuda.jit.LoadedKernel;

/**
 * Launcher of {@code synthetic_data.cuh}: org.padfree.reference.SyntheticData's activations and
 * weights made on the GPU, the same FP32 values bit for bit. A batch's activations (10^8 values for
 * a large DeepSeek-V3 batch) then never cross PCIe, and the host makes only the tokens it checks.
 */
public final class SyntheticInputs {
  private static final int THREADS = 256;

  public KernelSpec activationSpec() {
    return new KernelSpec("padfree_synthetic_activations", "padfree/synthetic_data.cuh", "padfree::synthetic_activations",
        List.of(), List.of("unsigned long long seed", "int tokens", "int k", "float* x"), THREADS, 1)
        .withCall("padfree::synthetic_activations(seed, tokens, k, x)");
  }

  public KernelSpec weightSpec() {
    return new KernelSpec("padfree_synthetic_weights", "padfree/synthetic_data.cuh", "padfree::synthetic_weights",
        List.of(), List.of("unsigned long long seed", "int n", "int k", "float* w"), THREADS, 1)
        .withCall("padfree::synthetic_weights(seed, n, k, w)");
  }

  /** x [tokens][k] FP32 = SyntheticData.activations(seed, tokens, k). */
  public void activations(KernelJit jit, CudaDevice device, CudaStream stream, long seed, int tokens, int k,
      DeviceBuffer x) {
    Validate.nonNegative("tokens", tokens);
    Validate.positive("k", k);
    Validate.require(x.bytes() >= 4L * tokens * k, "x.bytes", x.bytes(), "needs tokens x k floats (tokens=" + tokens
        + ", k=" + k + ")");
    if (tokens == 0) {
      return;
    }
    jit.load(device, activationSpec()).launch(config(device, (long) tokens * k), stream, seed, tokens, k, x);
  }

  /** w [n][k] FP32 = SyntheticData.weights(seed, n, k). */
  public void weights(KernelJit jit, CudaDevice device, CudaStream stream, long seed, int n, int k, DeviceBuffer w) {
    Validate.positive("n", n);
    Validate.positive("k", k);
    Validate.require(w.bytes() >= 4L * n * k, "w.bytes", w.bytes(), "needs n x k floats (n=" + n + ", k=" + k + ")");
    jit.load(device, weightSpec()).launch(config(device, (long) n * k), stream, seed, n, k, w);
  }

  /** Grid-stride: enough blocks to fill the GPU a few times over, never more than there are values. */
  private static LoadedKernel.LaunchConfig config(CudaDevice device, long values) {
    int blocks = (int) Math.min((values + THREADS - 1) / THREADS, device.multiprocessors() * 16L);
    return LoadedKernel.LaunchConfig.linear(blocks, THREADS, 0);
  }
}
