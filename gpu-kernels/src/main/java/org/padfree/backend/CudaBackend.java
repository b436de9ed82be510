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
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.cuda.kernels.CompareRows;
import org.padfree.cuda.kernels.Fp8Quantize;
import org.padfree.cuda.kernels.SyntheticInputs;
import org.padfree.cuda.kernels.PadRows;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Layout;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.LayoutArgs;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Operands;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.quant.ScaleBlocks;
import org.padfree.reference.Bf16Matrix;

/**
 * The padded, padding-free and masked paths on one Hopper GPU. Per call: the layouts are validated on
 * the host ({@link CudaRunPlan}); the token activations are made on the device when synthetic (else
 * uploaded with their scales), the layout arrays go up through pinned staging buffers on the compute
 * stream, and the tokens are dispatched to grouped rows on the device; the masked A is gathered there
 * (untimed, as the CPU backend gathers it untimed on the host); every path runs once untimed (JIT
 * load, caches) and then {@code repetitions} times, timed with CUDA events per step (median); each
 * path's D goes back through pinned staging on a second stream while the next path computes.
 *
 * <p>Expert weights stay on the device between calls ({@link ResidentWeights}); device buffers are
 * reused and grow geometrically ({@link DeviceWorkspace}); kernels come from the JVM's shared JIT,
 * whose disk cache is shared by every executor on the node. All three paths use one kernel
 * configuration (chosen for the padding-free problem), so their times compare like for like.
 *
 * <p>One instance per device per JVM; calls are serialised (one GPU, one workspace). Each call makes
 * the device's primary context current on the calling thread, as Spark runs tasks on pool threads.
 */
public final class CudaBackend implements GroupedGemmBackend {
  private static final String PAD = "pad";
  private static final String PADDED_GEMM = "padded_gemm";
  private static final String FREE_GEMM = "padding_free_gemm";
  private static final String MASKED_GEMM = "masked_gemm";

  private final CudaDevice device;
  private final KernelJit jit;
  private final String description;
  private final CudaStream compute;
  private final CudaStream copies;
  private final CudaEvent[] pathDone = new CudaEvent[3];
  private final DeviceWorkspace workspace;
  private final ResidentWeights weights = new ResidentWeights();
  private final GpuTimeline timeline = new GpuTimeline();
  private final PadRows pad = new PadRows();
  private final CompareRows compare = new CompareRows();
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
  public String name() {
    return "cuda";
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
      return runOnDevice(p, plan, gemms, config, repetitions, start, checkRows);
    } catch (CudaException e) {
      if (!outOfMemory(e)) {
        throw e;
      }
      // Out of memory: keep only this problem's weights, drop the workspace, try once more.
      freeAllBut(p);
      try {
        return runOnDevice(p, plan, gemms, config, repetitions, start, checkRows);
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

  private PathOutputs runOnDevice(GroupedGemmProblem p, CudaRunPlan plan, Map<Layout, Sm90Fp8GroupedGemm> gemms,
      GemmHeuristics.Config config, int repetitions, long start, int[] checkRows) {
    timeline.begin(compute);
    ResidentWeights.Resident w = weights.get(p.weights(), workspace, compute, timeline,
        () -> device.memoryInfo()[0]);
    int n = plan.n();
    int k = plan.k();

    // Inputs: the token activations (top-k times smaller than the dispatched rows) and every layout
    // array; the MoE dispatch itself (token -> grouped rows) runs on the device with the pad kernel
    // as a gather, bit for bit the host's gather.
    int tokens = p.batch().numTokens();
    DeviceBuffer aTokens = workspace.buffer("tokens", (long) tokens * k);
    DeviceBuffer saTokens = workspace.buffer("token scales", plan.scaleBytes(tokens));
    putTokens(p, tokens, k, aTokens, saTokens);
    DeviceBuffer tokenOfRow = uploadInts("token of row", p.tokenOfRow());
    DeviceBuffer aFree = workspace.buffer("A", (long) plan.rows() * k);
    DeviceBuffer saFree = workspace.buffer("A scales", plan.scaleBytes(plan.rows()));
    GpuTimeline.Span dispatch = timeline.start("dispatch", false, compute);
    pad.run(jit, device, compute, aTokens, saTokens, tokens, aFree, saFree, tokenOfRow, plan.rows(), k);
    timeline.stop(dispatch, compute);
    DeviceBuffer offsets = uploadInts("offsets", plan.offsets());
    DeviceBuffer blockTable = uploadInts("block table", plan.blockTable());
    DeviceBuffer groupIndex = uploadInts("group index", plan.groupIndex());
    DeviceBuffer padSource = uploadInts("pad source", plan.padSource());
    DeviceBuffer counts = uploadInts("counts", plan.counts());
    DeviceBuffer maskedSource = uploadInts("masked source", plan.maskedSource());

    DeviceBuffer aPad = workspace.buffer("A padded", (long) plan.paddedRows() * k);
    DeviceBuffer saPad = workspace.buffer("A padded scales", plan.scaleBytes(plan.paddedRows()));
    DeviceBuffer aMasked = workspace.buffer("A masked", (long) plan.maskedRows() * k);
    DeviceBuffer saMasked = workspace.buffer("A masked scales", plan.scaleBytes(plan.maskedRows()));
    long dFreeBytes = 2L * plan.rows() * n;
    long dPadBytes = 2L * plan.paddedRows() * n;
    long dMaskedBytes = 2L * plan.maskedRows() * n;
    DeviceBuffer dFree = workspace.buffer("D", dFreeBytes);
    DeviceBuffer dPad = workspace.buffer("D padded", dPadBytes);
    DeviceBuffer dMasked = workspace.buffer("D masked", dMaskedBytes);

    // Untimed preparation: zero the D's (rows no kernel writes read as zeros, as on the CPU) and
    // gather the masked A, which is how a decode step receives its tokens.
    GpuTimeline.Span prep = timeline.start("prepare", false, compute);
    dFree.fillAsync((byte) 0, compute);
    dPad.fillAsync((byte) 0, compute);
    dMasked.fillAsync((byte) 0, compute);
    pad.run(jit, device, compute, aFree, saFree, plan.rows(), aMasked, saMasked, maskedSource, plan.maskedRows(), k);
    timeline.stop(prep, compute);

    Operands freeOps = new Operands(aFree, saFree, w.b(), w.scales(), dFree, plan.rows(), plan.experts());
    Operands padOps = new Operands(aPad, saPad, w.b(), w.scales(), dPad, plan.paddedRows(), plan.experts());
    Operands maskedOps = new Operands(aMasked, saMasked, w.b(), w.scales(), dMasked, plan.maskedRows(), plan.experts());
    LayoutArgs freeArgs = new LayoutArgs(offsets, blockTable, plan.freeMBlocks(), 0, plan.freeMBlocks());
    LayoutArgs padArgs = new LayoutArgs(groupIndex, null, plan.paddedRows(), 0, plan.paddedRows() / GemmHeuristics.BLOCK_M);
    LayoutArgs maskedArgs = new LayoutArgs(counts, null, plan.experts(), plan.maxRows(), plan.maskedMBlocks());
    // Prepared once (checks, tensor maps, marshalled arguments): each enqueue is then one driver call,
    // so the events time the GPU and not host preparation.
    LoadedKernel.PreparedLaunch padLaunch = pad.prepare(jit, device, aFree, saFree, plan.rows(), aPad, saPad, padSource,
        plan.paddedRows(), k);
    LoadedKernel.PreparedLaunch paddedLaunch = gemms.get(Layout.PADDED).prepare(jit, device, padOps, padArgs);
    LoadedKernel.PreparedLaunch freeLaunch = gemms.get(Layout.PADDING_FREE).prepare(jit, device, freeOps, freeArgs);
    LoadedKernel.PreparedLaunch maskedLaunch = gemms.get(Layout.MASKED).prepare(jit, device, maskedOps, maskedArgs);
    Runnable padStep = () -> padLaunch.enqueue(compute);
    Runnable paddedStep = () -> paddedLaunch.enqueue(compute);
    Runnable freeStep = () -> freeLaunch.enqueue(compute);
    Runnable maskedStep = () -> maskedLaunch.enqueue(compute);

    // One untimed warm-up of every path (loads the kernels), then the timed runs path by path, so a
    // path's D can go back while the next path computes.
    step(PAD, false, padStep);
    step(PADDED_GEMM, false, paddedStep);
    step(FREE_GEMM, false, freeStep);
    step(MASKED_GEMM, false, maskedStep);
    for (int rep = 0; rep < repetitions; rep++) {
      step(PAD, true, padStep);
      step(PADDED_GEMM, true, paddedStep);
    }
    pathDone[0].record(compute);
    for (int rep = 0; rep < repetitions; rep++) {
      step(FREE_GEMM, true, freeStep);
    }
    pathDone[1].record(compute);
    for (int rep = 0; rep < repetitions; rep++) {
      step(MASKED_GEMM, true, maskedStep);
    }
    pathDone[2].record(compute);

    String kernelConfig = "sm90 fp8 grouped GEMM BLOCK_M=" + GemmHeuristics.BLOCK_M + " BLOCK_N=" + config.blockN()
        + " stages=" + config.stages() + " multicast=" + config.multicast() + " tmaStore="
        + gemms.get(Layout.PADDING_FREE).tmaStore() + " (all layouts); B resident ["
        + w.experts() + "][" + n + "][" + k + "] from " + w.distinct() + " distinct matrices";
    if (checkRows != null) {
      return checkedOnDevice(p, plan, dFree, dPad, dMasked, checkRows, kernelConfig, repetitions, start);
    }
    short[] padded = download(dPad, dPadBytes, pathDone[0]);
    short[] free = download(dFree, dFreeBytes, pathDone[1]);
    short[] masked = download(dMasked, dMaskedBytes, pathDone[2]);
    compute.synchronize("padded, padding-free and masked GEMMs, " + plan.rows() + " rows, N=" + n + " K=" + k);
    copies.synchronize("copying D back");

    Map<String, double[]> times = timeline.timedMillis();
    PathTimings timings = new PathTimings(PathTimings.median(times.get(PAD)), PathTimings.median(times.get(PADDED_GEMM)),
        PathTimings.median(times.get(FREE_GEMM)), PathTimings.median(times.get(MASKED_GEMM)), repetitions);
    double busyMs = timeline.busy().unionMs();
    return new PathOutputs(new Bf16Matrix(plan.paddedRows(), n, padded), new Bf16Matrix(plan.rows(), n, free),
        new Bf16Matrix(plan.maskedRows(), n, masked), timings, kernelConfig, busyMs, (System.nanoTime() - start) / 1e6);
  }

  /**
   * The paths compared on the device: padded and masked valid rows against padding-free, counted by
   * {@link CompareRows}; then only the requested padding-free rows come back (one small copy each).
   */
  private PathOutputs checkedOnDevice(GroupedGemmProblem p, CudaRunPlan plan, DeviceBuffer dFree, DeviceBuffer dPad,
      DeviceBuffer dMasked, int[] checkRows, String kernelConfig, int repetitions, long start) {
    int rows = plan.rows();
    int n = plan.n();
    int[] toPadded = new int[rows];
    int[] toMasked = new int[rows];
    int[] offsets = p.paddingFree().offsets();
    for (int e = 0; e < plan.experts(); e++) {
      for (int r = offsets[e]; r < offsets[e + 1]; r++) {
        toPadded[r] = p.padded().groupStarts()[e] + (r - offsets[e]);
        toMasked[r] = e * plan.maxRows() + (r - offsets[e]);
      }
    }
    GpuTimeline.Span span = timeline.start("check", false, compute);
    DeviceBuffer paddedMap = uploadInts("padded row map", toPadded);
    DeviceBuffer maskedMap = uploadInts("masked row map", toMasked);
    DeviceBuffer paddedCount = workspace.buffer("padded mismatch count", 8);
    DeviceBuffer maskedCount = workspace.buffer("masked mismatch count", 8);
    paddedCount.fillAsync((byte) 0, compute);
    maskedCount.fillAsync((byte) 0, compute);
    compare.run(jit, device, compute, dFree, dPad, plan.paddedRows(), paddedMap, rows, n, paddedCount);
    compare.run(jit, device, compute, dFree, dMasked, plan.maskedRows(), maskedMap, rows, n, maskedCount);
    timeline.stop(span, compute);
    compute.synchronize("comparing the paths on the device");
    long[] mismatches = {paddedCount.readLongs(1)[0], maskedCount.readLongs(1)[0]};
    short[] sampled = new short[checkRows.length * n];
    for (int i = 0; i < checkRows.length; i++) {
      System.arraycopy(dFree.readShorts(2L * checkRows[i] * n, n), 0, sampled, i * n, n);
    }
    Map<String, double[]> times = timeline.timedMillis();
    PathTimings timings = new PathTimings(PathTimings.median(times.get(PAD)), PathTimings.median(times.get(PADDED_GEMM)),
        PathTimings.median(times.get(FREE_GEMM)), PathTimings.median(times.get(MASKED_GEMM)), repetitions);
    return new PathOutputs(null, new Bf16Matrix(checkRows.length, n, sampled), null, timings, kernelConfig,
        timeline.busy().unionMs(), (System.nanoTime() - start) / 1e6, checkRows.clone(), mismatches[0], mismatches[1]);
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

  /**
   * The quantized tokens into {@code a}/{@code sa}: synthetic ones not yet on the host are made here,
   * generated and quantized on the device (the host's values bit for bit, see SyntheticInputs), so
   * 10^8 activations never cross PCIe; otherwise the host's tokens go up through pinned staging.
   */
  private void putTokens(GroupedGemmProblem p, int tokens, int k, DeviceBuffer a, DeviceBuffer sa) {
    if (p.syntheticSeed().isPresent() && !p.tokensOnHost()) {
      DeviceBuffer x = workspace.buffer("token floats", 4L * tokens * k);
      GpuTimeline.Span span = timeline.start("make inputs", false, compute);
      synthetic.activations(jit, device, compute, p.syntheticSeed().getAsLong(), tokens, k, x);
      quantize.activations(jit, device, compute, x, a, sa, tokens, k);
      timeline.stop(span, compute);
      return;
    }
    QuantizedActivations host = p.tokens();
    workspace.upload((long) tokens * k, DeviceWorkspace.bytes(host.values()), a, 0, compute, timeline);
    float[] scales = host.tmaAlignedScales();
    workspace.upload(4L * scales.length, DeviceWorkspace.floats(scales), sa, 0, compute, timeline);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("CUDA backend on " + description + " is closed");
    }
  }

  private void step(String name, boolean timed, Runnable launch) {
    GpuTimeline.Span span = timeline.start(name, timed, compute);
    launch.run();
    timeline.stop(span, compute);
  }

  private DeviceBuffer uploadInts(String name, int[] values) {
    DeviceBuffer b = workspace.buffer(name, 4L * values.length);
    workspace.upload(4L * values.length, DeviceWorkspace.ints(values), b, 0, compute, timeline);
    return b;
  }

  /** Copies D back on the copy stream once {@code ready} (its path's last run) has happened. */
  private short[] download(DeviceBuffer d, long bytes, CudaEvent ready) {
    short[] host = new short[Math.toIntExact(bytes / 2)];
    copies.waitFor(ready);
    workspace.download(d, bytes, DeviceWorkspace.shorts(host), copies, timeline);
    return host;
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
