package org.padfree.backend;

import java.util.Map;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaEvent;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.cuda.kernels.CompareRows;
import org.padfree.cuda.kernels.Fp8Quantize;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.cuda.kernels.PadRows;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Layout;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.LayoutArgs;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Operands;
import org.padfree.cuda.kernels.SyntheticInputs;
import org.padfree.quant.QuantizedActivations;
import org.padfree.reference.Bf16Matrix;

/**
 * One batch through the padded, padding-free and masked paths on {@link CudaBackend}'s GPU: the token
 * activations made on the device when synthetic, read where they are when cuDF put a dataset's there
 * ({@link DeviceTokens}), else uploaded with their scales, the layout arrays
 * up through pinned staging on the compute stream, the tokens dispatched to grouped rows on the
 * device, the masked A gathered there (untimed, as the CPU backend gathers it on the host); every
 * path once untimed and then {@code repetitions} times, timed with CUDA events per step (median);
 * each path's D back through pinned staging on the copy stream while the next path computes. The
 * backend owns everything this uses (device, streams, workspace, resident weights) and its lifetime.
 */
final class CudaBatchRun {
  private static final String PAD = "pad";
  private static final String PADDED_GEMM = "padded_gemm";
  private static final String FREE_GEMM = "padding_free_gemm";
  private static final String MASKED_GEMM = "masked_gemm";


  private final CudaDevice device;
  private final KernelJit jit;
  private final CudaStream compute;
  private final CudaStream copies;
  private final CudaEvent[] pathDone;
  private final DeviceWorkspace workspace;
  private final ResidentWeights weights;
  private final GpuTimeline timeline;
  private final PadRows pad = new PadRows();
  private final CompareRows compare = new CompareRows();
  private final SyntheticInputs synthetic = new SyntheticInputs();
  private final Fp8Quantize quantize = new Fp8Quantize();

  /** The run uses, and leaves open, the backend's device, JIT, streams, events, workspace, weights and timeline. */
  CudaBatchRun(CudaDevice device, KernelJit jit, CudaStream compute, CudaStream copies, CudaEvent[] pathDone,
      DeviceWorkspace workspace, ResidentWeights weights, GpuTimeline timeline) {
    this.device = device;
    this.jit = jit;
    this.compute = compute;
    this.copies = copies;
    this.pathDone = pathDone;
    this.workspace = workspace;
    this.weights = weights;
    this.timeline = timeline;
  }

  /**
   * Runs every path of {@code p} on the device: inputs up and dispatched, untimed warm-up, the timed
   * runs, then D back (or, with {@code checkRows}, the paths compared on the device). Device memory
   * errors propagate to the caller, which decides whether to free memory and retry.
   */
  PathOutputs run(GroupedGemmProblem p, CudaRunPlan plan, Map<Layout, Sm90Fp8GroupedGemm> gemms,
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
    // A dataset's activations read onto the GPU by cuDF are used where they are; others are made or uploaded.
    DeviceTokens onDevice = p.deviceTokens();
    DeviceBuffer aTokens = onDevice != null ? nonEmpty(onDevice.values(), "tokens")
        : workspace.buffer("tokens", (long) tokens * k);
    DeviceBuffer saTokens = onDevice != null ? nonEmpty(onDevice.mMajorScales(), "token scales")
        : workspace.buffer("token scales", plan.scaleBytes(tokens));
    if (onDevice == null) {
      putTokens(p, tokens, k, aTokens, saTokens);
    }
    // Layouts routed on the device (cuDF) are read where they are; otherwise the host's go up.
    DeviceRouting routed = plan.device();
    DeviceBuffer tokenOfRow = routed != null ? nonEmpty(routed.tokenOfRow(), "token of row")
        : uploadInts("token of row", p.tokenOfRow());
    DeviceBuffer aFree = workspace.buffer("A", Sm90Fp8GroupedGemm.activationBytes(plan.rows(), k));
    DeviceBuffer saFree = workspace.buffer("A scales", plan.scaleBytes(plan.rows()));
    GpuTimeline.Span dispatch = timeline.start("dispatch", false, compute);
    pad.run(jit, device, compute, aTokens, saTokens, tokens, aFree, saFree, tokenOfRow, plan.rows(), k);
    timeline.stop(dispatch, compute);
    DeviceBuffer offsets = routed != null ? routed.offsets() : uploadInts("offsets", plan.offsets());
    DeviceBuffer blockTable = routed != null ? nonEmpty(routed.blockTable(), "block table")
        : uploadInts("block table", plan.blockTable());
    DeviceBuffer groupIndex = routed != null ? nonEmpty(routed.groupIndex(), "group index")
        : uploadInts("group index", plan.groupIndex());
    DeviceBuffer padSource = routed != null ? nonEmpty(routed.padSource(), "pad source")
        : uploadInts("pad source", plan.padSource());
    DeviceBuffer counts = routed != null ? routed.counts() : uploadInts("counts", plan.counts());
    DeviceBuffer maskedSource = routed != null ? routed.maskedSource() : uploadInts("masked source", plan.maskedSource());

    DeviceBuffer aPad = workspace.buffer("A padded", (long) plan.paddedRows() * k);
    DeviceBuffer saPad = workspace.buffer("A padded scales", plan.scaleBytes(plan.paddedRows()));
    DeviceBuffer aMasked = workspace.buffer("A masked", Sm90Fp8GroupedGemm.activationBytes(plan.maskedRows(), k));
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
    int[] offsets = plan.offsets();
    int[] groupStarts = p.groupStarts();
    for (int e = 0; e < plan.experts(); e++) {
      for (int r = offsets[e]; r < offsets[e + 1]; r++) {
        toPadded[r] = groupStarts[e] + (r - offsets[e]);
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

  /**
   * {@code b}, or a one-byte workspace buffer when it is empty (a batch with no rows, or no padding-free
   * blocks): the host path's buffers are never null either, and no kernel reads past a zero count.
   */
  private DeviceBuffer nonEmpty(DeviceBuffer b, String name) {
    return b.bytes() > 0 ? b : workspace.buffer(name, 1);
  }

  /** Copies D back on the copy stream once {@code ready} (its path's last run) has happened. */
  private short[] download(DeviceBuffer d, long bytes, CudaEvent ready) {
    short[] host = new short[Math.toIntExact(bytes / 2)];
    copies.waitFor(ready);
    workspace.download(d, bytes, DeviceWorkspace.shorts(host), copies, timeline);
    return host;
  }
}
