package org.padfree.backend;

import java.util.Map;
import org.padfree.Validate;
import org.padfree.cuda.Cuda;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaEvent;
import org.padfree.cuda.CudaException;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.cuda.kernels.Fp8Quantize;
import org.padfree.cuda.kernels.SyntheticInputs;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Layout;
import org.padfree.quant.QuantizedWeights;
import org.padfree.quant.ScaleBlocks;

/**
 * The padded, padding-free and masked paths on one Hopper GPU: the backend's lifecycle. It owns the
 * device's streams and events, the resident expert weights ({@link ResidentWeights}: they stay on the
 * device between calls), the reused, geometrically growing buffers ({@link DeviceWorkspace}) and the
 * timeline of GPU work; per call it validates the layouts on the host ({@link CudaRunPlan}), checks the
 * batch fits in device memory, runs it ({@link CudaBatchRun}: upload, prepare, timed loop, download or
 * device compare) and, when the device runs out of memory, frees all but the batch's weights and
 * tries once more. Kernels come from the JVM's shared JIT, whose disk cache every executor on the
 * node shares; all three paths use one kernel configuration (chosen for the padding-free problem), so
 * their times compare like for like.
 *
 * <p>One instance per device per JVM; calls are serialised (one GPU, one workspace). Each call makes
 * the device's primary context current on the calling thread, as Spark runs tasks on pool threads.
 */
public final class CudaBackend implements GroupedGemmBackend {
  private final CudaDevice device;
  private final KernelJit jit;
  private final String description;
  private final CudaStream compute;
  private final CudaStream copies;
  private final CudaEvent[] pathDone = new CudaEvent[3];
  private final DeviceWorkspace workspace;
  private final ResidentWeights weights = new ResidentWeights();
  private final GpuTimeline timeline = new GpuTimeline();
  private final SyntheticInputs synthetic = new SyntheticInputs();
  private final Fp8Quantize quantize = new Fp8Quantize();
  private boolean closed;

  /** A backend on {@code device} using the JVM's shared kernel JIT. */
  public CudaBackend(CudaDevice device) {
    this(device, KernelJit.shared());
  }

  public CudaBackend(CudaDevice device, KernelJit jit) {
    this.device = Validate.notNull("device", device);
    this.jit = Validate.notNull("jit", jit);
    Validate.require(device.isHopper(), "gpu", device.describe(), "the FP8 grouped GEMM needs a Hopper GPU (sm_90)");
    device.makeCurrent();
    this.description = device.describe() + ", CUDA driver " + Cuda.driverVersion();
    this.compute = new CudaStream();
    this.copies = new CudaStream();
    for (int i = 0; i < pathDone.length; i++) {
      pathDone[i] = new CudaEvent();
    }
    this.workspace = new DeviceWorkspace();
  }

  @Override
  public BackendKind kind() {
    return BackendKind.CUDA;
  }

  @Override
  public String device() {
    return description;
  }

  /** The GPU this backend runs on. */
  public CudaDevice cudaDevice() {
    return device;
  }

  /** Weight sets resident on the device now. */
  public synchronized int residentWeightSets() {
    return weights.size();
  }

  @Override
  public synchronized PathOutputs run(GroupedGemmProblem p, int repetitions) {
    return run(p, repetitions, null);
  }

  /**
   * With {@code checkRows}, the paths are compared on the device (valid rows, bit for bit) and only
   * those padding-free rows come back: D's of hundreds of megabytes stay on the GPU.
   */
  @Override
  public synchronized PathOutputs run(GroupedGemmProblem p, int repetitions, int[] checkRows) {
    Validate.positive("repetitions", repetitions);
    if (checkRows != null) {
      for (int i = 0; i < checkRows.length; i++) {
        Validate.require(checkRows[i] >= 0 && checkRows[i] < p.rows(), "check_rows[" + i + "]",
            checkRows[i], "must be a row of the batch, in [0, " + p.rows() + ")");
      }
    }
    requireOpen();
    long start = System.nanoTime();
    CudaRunPlan plan = CudaRunPlan.of(p); // before any upload: a bad layout never reaches a kernel
    GemmHeuristics.Config config = GemmHeuristics.choose(plan.n(), plan.k(), plan.freeMBlocks(), device.multiprocessors());
    Map<Layout, Sm90Fp8GroupedGemm> gemms = Map.of(
        Layout.PADDED, new Sm90Fp8GroupedGemm(Layout.PADDED, plan.n(), plan.k(), config),
        Layout.PADDING_FREE, new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, plan.n(), plan.k(), config),
        Layout.MASKED, new Sm90Fp8GroupedGemm(Layout.MASKED, plan.n(), plan.k(), config));
    device.makeCurrent();
    DeviceMemoryEstimate memory = DeviceMemoryEstimate.of(plan, p.batch().numTokens(),
        p.syntheticSeed().isPresent() && !p.tokensOnHost(), checkRows == null ? -1 : checkRows.length,
        weights.contains(p.weights()) ? 0 : ResidentWeights.deviceBytes(p.weights()));
    requireFits(p, memory);
    try {
      return batchRun().run(p, plan, gemms, config, repetitions, start, checkRows);
    } catch (CudaException e) {
      if (!outOfMemory(e)) {
        throw e;
      }
      // Out of memory: keep only this problem's weights, drop the workspace, try once more.
      freeAllBut(p);
      try {
        return batchRun().run(p, plan, gemms, config, repetitions, start, checkRows);
      } catch (CudaException again) {
        if (!outOfMemory(again)) {
          throw again;
        }
        // This batch alone is too big for what the device has free (another process may hold the
        // rest): free its buffers so the next batch starts clean, and fail only this one.
        freeAllBut(p);
        long free = device.memoryInfo()[0];
        throw new DeviceMemoryException(again.getMessage() + ", after freeing this backend's other buffers; "
            + memory.tooLargeMessage(p.batch().batchId(), device.describe(), free, "free after freeing them"), again);
      }
    }
  }

  /**
   * Fails the batch before anything is allocated when its estimate exceeds all the memory this backend
   * could have: what is free now, plus its workspace and the other weight sets, which it would free.
   */
  private void requireFits(GroupedGemmProblem p, DeviceMemoryEstimate memory) {
    long free = device.memoryInfo()[0];
    long reusable = workspace.deviceBytes();
    long otherWeights = weights.bytesExcept(p.weights());
    long available = free + reusable + otherWeights;
    if (!memory.fits(available)) {
      throw new DeviceMemoryException(memory.tooLargeMessage(p.batch().batchId(), device.describe(), available,
          "free now " + free + " + this backend's buffers " + reusable + " + other weight sets " + otherWeights
              + ", less a reserve of " + DeviceMemoryEstimate.RESERVE + " kept free"));
    }
  }

  private static boolean outOfMemory(CudaException e) {
    return e.result() == jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY;
  }

  /** Frees every device buffer of this backend except {@code p}'s weights, once queued work is done. */
  private void freeAllBut(GroupedGemmProblem p) {
    compute.synchronize("after running out of device memory");
    copies.synchronize("after running out of device memory");
    weights.evictAllBut(p.weights(), compute);
    workspace.releaseDeviceBuffers();
  }

  /** Made on the device (synthetic_data.cuh, then the weight quantizer) and copied back: the host's bytes. */
  @Override
  public synchronized QuantizedWeights[] syntheticWeights(long[] seeds, int n, int k) {
    Validate.notNull("seeds", seeds);
    Validate.positive("n", n);
    Validate.positive("k", k);
    requireOpen();
    device.makeCurrent();
    int scaleCount = ScaleBlocks.blocks(n) * ScaleBlocks.blocks(k);
    QuantizedWeights[] made = new QuantizedWeights[seeds.length];
    try (DeviceBuffer x = DeviceBuffer.allocate(4L * n * k, "synthetic weights");
         DeviceBuffer q = DeviceBuffer.allocate((long) n * k, "synthetic weight codes");
         DeviceBuffer s = DeviceBuffer.allocate(4L * scaleCount, "synthetic weight scales")) {
      for (int m = 0; m < seeds.length; m++) {
        synthetic.weights(jit, device, compute, seeds[m], n, k, x);
        quantize.weights(jit, device, compute, x, q, s, 1, n, k);
        compute.synchronize("making synthetic weights " + n + "x" + k);
        made[m] = new QuantizedWeights(n, k, new byte[][] {q.toBytes()}, new float[][] {s.toFloats()});
      }
    }
    return made;
  }

  /** One batch's run on this backend's device, streams, workspace and resident weights. */
  private CudaBatchRun batchRun() {
    return new CudaBatchRun(device, jit, compute, copies, pathDone, workspace, weights, timeline);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("CUDA backend on " + description + " is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    device.makeCurrent();
    compute.synchronize("closing the CUDA backend");
    copies.synchronize("closing the CUDA backend");
    weights.close();
    workspace.close();
    timeline.close();
    for (CudaEvent e : pathDone) {
      e.close();
    }
    copies.close();
    compute.close();
  }
}
