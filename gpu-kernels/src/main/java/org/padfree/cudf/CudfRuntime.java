package org.padfree.cudf;

import ai.rapids.cudf.Cuda;
import ai.rapids.cudf.Rmm;
import ai.rapids.cudf.RmmAllocationMode;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;

/**
 * cuDF's memory manager (RMM) in this JVM: initialised once, on the executor's GPU, in that device's
 * primary context (cuDF uses the CUDA runtime, which binds the primary context padfree retains, so
 * both see the same memory). With a pool size, RMM takes a fixed pool of that many bytes at once and
 * never more, so cuDF's columns fit beside the resident weights and padfree's workspace; 0 lets cuDF
 * allocate from the device directly (cudaMalloc per column).
 */
public final class CudfRuntime {
  private CudfRuntime() {}

  private static int device = -1;
  private static long pool = -1;

  /**
   * Initialises RMM on {@code gpu} with a pool of {@code poolBytes} (rounded up to whole MiB; 0 = no
   * pool), or checks that it already is on that device. RMM serves one device per JVM: one GPU per
   * executor, as padfree's GPU settings give.
   */
  public static synchronized void initialize(CudaDevice gpu, long poolBytes) {
    Validate.notNull("gpu", gpu);
    Validate.require(poolBytes >= 0, "spark.padfree.cudf.poolBytes", poolBytes, "must be >= 0");
    if (device >= 0) {
      requireDevice(gpu);
      return;
    }
    gpu.makeCurrent();
    Cuda.setDevice(gpu.ordinal()); // the runtime's current device = the primary context made current above
    long rounded = (poolBytes + (1L << 20) - 1) >>> 20 << 20;
    if (!Rmm.isInitialized()) {
      Rmm.initialize(rounded > 0 ? RmmAllocationMode.POOL : RmmAllocationMode.CUDA_DEFAULT, null, rounded);
    }
    device = gpu.ordinal();
    pool = rounded;
  }

  /** Fails unless RMM was initialised here, on {@code gpu}. */
  static synchronized void requireDevice(CudaDevice gpu) {
    Validate.require(device >= 0, "cudf", "not initialised", "call CudfRuntime.initialize on the executor's GPU first");
    Validate.require(device == gpu.ordinal(), "gpu ordinal", gpu.ordinal(), "cuDF's memory pool is on device " + device
        + " in this JVM; the cudf routing path needs one GPU per executor (spark.executor.resource.gpu.amount=1)");
  }

  /** The pool's bytes (0 = no pool), or -1 before initialisation. */
  public static synchronized long poolBytes() {
    return pool;
  }
}
