package org.padfree.moe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaEvent;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.cuda.kernels.DeviceGemmOperands;
import org.padfree.cuda.kernels.Fp8Quantize;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.cuda.kernels.MoeLayerKernels;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.LayoutArgs;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Operands;
import org.padfree.layout.LayoutBuilder;
import org.padfree.layout.PaddedLayout;
import org.padfree.layout.PaddingFreeLayout;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.quant.ScaleBlocks;
import org.padfree.reference.Bf16Matrix;
import org.padfree.routing.RoutedBatch;

/**
 * The MoE expert layer on a Hopper GPU, unfused: every step of {@link CpuMoeLayer} on the device, in
 * the same order and numerics (dispatch gather, gate_up grouped GEMM, SwiGLU to a BF16 intermediate,
 * its 1x128 FP8 quantization, down grouped GEMM, top-k combine). The elementwise steps equal the CPU's
 * bit for bit; the GEMMs sum each 128-wide K block on the tensor cores in their own order (DESIGN.md),
 * so the layer is held to the double reference ({@link LayerReference}), and the padded and
 * padding-free forms to each other bit for bit (the same kernels on the same values, row by row).
 * A run is timed with CUDA events around the whole layer, after one untimed warm-up, as the median
 * of the timed runs.
 *
 * <p>Fused ({@code fused = true}): the gate_up GEMM's epilogue computes SwiGLU from its FP32
 * accumulators and writes the FP8 intermediate and its 1x128 scales directly
 * (Sm90Fp8GroupedGemm.Output.SWIGLU_FP8), so neither G nor h exists in BF16; it quantizes from FP32
 * rather than from BF16, so it may differ from the unfused layer in the last bits of h (the suites
 * report by how much), and it is held to the same double reference.
 */
public final class CudaMoeLayer implements AutoCloseable {
  private final CudaDevice device;
  private final CudaStream stream = new CudaStream();
  private final KernelJit jit = KernelJit.shared();
  private final MoeLayerKernels steps = new MoeLayerKernels();
  private final Fp8Quantize quantize = new Fp8Quantize();

  public CudaMoeLayer(CudaDevice device) {
    Validate.require(device.isHopper(), "device", device.describe(), "the FP8 grouped GEMM needs a Hopper GPU (sm_90)");
    this.device = device.makeCurrent();
  }

  /** A layer's quantized weights resident on the device, in the GEMM's layouts. */
  public static final class DeviceWeights implements AutoCloseable {
    final MoeLayerWeights host;
    final DeviceBuffer gateUp;
    final DeviceBuffer gateUpScales;
    final DeviceBuffer down;
    final DeviceBuffer downScales;

    DeviceWeights(MoeLayerWeights w, CudaStream stream) {
      this.host = w;
      this.gateUp = expertBlock(w.gateUp(), "gate_up weights", stream);
      this.gateUpScales = DeviceGemmOperands.weightScales(w.gateUp(), "gate_up weight scales");
      this.down = expertBlock(w.down(), "down weights", stream);
      this.downScales = DeviceGemmOperands.weightScales(w.down(), "down weight scales");
    }

    /**
     * B as one [E][N][K] block, built per distinct host matrix (experts of a weight bank share arrays):
     * each crosses PCIe once and is copied on the device into every slot that uses it. No host array
     * of the whole block is made: DeepSeek-V3's gate_up block is 7.5 GB, beyond a Java array.
     */
    private static DeviceBuffer expertBlock(QuantizedWeights b, String label, CudaStream stream) {
      long perExpert = (long) b.n() * b.k();
      DeviceBuffer block = DeviceBuffer.allocate(perExpert * b.experts(), label);
      try (DeviceBuffer staging = DeviceBuffer.allocate(perExpert, label + " (one matrix)")) {
        java.util.Set<byte[]> uploaded = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int e = 0; e < b.experts(); e++) {
          byte[] matrix = b.values()[e];
          if (!uploaded.add(matrix)) {
            continue;
          }
          stream.synchronize("copying " + label + " on the device");
          staging.copyFrom(matrix);
          for (int slot = e; slot < b.experts(); slot++) {
            if (b.values()[slot] == matrix) {
              block.copyFromDeviceAsync(staging, 0, slot * perExpert, perExpert, stream);
            }
          }
        }
        stream.synchronize("copying " + label + " on the device");
      } catch (RuntimeException e) {
        block.close();
        throw e;
      }
      return block;
    }

    @Override
    public void close() {
      for (DeviceBuffer b : List.of(gateUp, gateUpScales, down, downScales)) {
        b.close();
      }
    }
  }

  /** Uploads a layer's weights once, for any number of runs. */
  public DeviceWeights upload(MoeLayerWeights weights) {
    device.makeCurrent();
    return new DeviceWeights(weights, stream);
  }

  /**
   * Runs the layer in {@code form} on the batch ({@code timedRuns} >= 1 timed runs after a warm-up)
   * and returns its output (tokens x H), its rows, its peak activation bytes ({@link LayerMemory},
   * the CPU's accounting) and the median layer time.
   */
  public CpuMoeLayer.Run run(CpuMoeLayer.Form form, RoutedBatch batch, DeviceWeights weights, QuantizedActivations tokens,
      float[] routing, int timedRuns) {
    return run(form, batch, weights, tokens, routing, timedRuns, false);
  }

  /** As {@link #run(CpuMoeLayer.Form, RoutedBatch, DeviceWeights, QuantizedActivations, float[], int)}, fused or not. */
  public CpuMoeLayer.Run run(CpuMoeLayer.Form form, RoutedBatch batch, DeviceWeights weights, QuantizedActivations tokens,
      float[] routing, int timedRuns, boolean fused) {
    MoeLayerWeights w = weights.host;
    Validate.require(batch.numExperts() == w.experts(), "experts", batch.numExperts(),
        "the batch routes to " + batch.numExperts() + " experts, the layer has " + w.experts());
    Validate.require(tokens.rows() == batch.numTokens() && tokens.k() == w.hidden(), "tokens",
        tokens.rows() + " x " + tokens.k(), "must be num_tokens x H = " + batch.numTokens() + " x " + w.hidden());
    Validate.length("routing weights", routing.length, (long) batch.numTokens() * batch.topK(), "num_tokens x top_k");
    Validate.positive("timed runs", timedRuns);
    device.makeCurrent();
    int[] rowSource;
    int[] layoutIndex;
    int[] blockTable = null;
    int mBlocks;
    if (form == CpuMoeLayer.Form.PADDING_FREE) {
      PaddingFreeLayout layout = LayoutBuilder.paddingFree(batch);
      rowSource = layout.rowSource();
      layoutIndex = layout.offsets();
      blockTable = DeviceGemmOperands.blockTable(layoutIndex);
      mBlocks = blockTable.length / 2;
    } else {
      PaddedLayout layout = LayoutBuilder.padded(batch);
      rowSource = layout.rowSource();
      layoutIndex = layout.groupIndex();
      mBlocks = rowSource.length / GemmHeuristics.BLOCK_M;
    }
    int rows = rowSource.length;
    int hidden = w.hidden();
    int inter = w.intermediate();
    long peak = LayerMemory.peakBytes(batch.numTokens(), rows, hidden, inter);
    if (rows == 0) {
      return new CpuMoeLayer.Run(form, new Bf16Matrix(batch.numTokens(), hidden, new short[batch.numTokens() * hidden]), 0, peak, 0);
    }
    try (Held held = new Held()) {
      DeviceBuffer tokenValues = held.keep(DeviceGemmOperands.activations(tokens, "tokens"));
      DeviceBuffer tokenScales = held.keep(DeviceGemmOperands.activationScales(tokens, "token scales"));
      DeviceBuffer rowToken = held.ints(DispatchRows.tokenOf(rowSource, batch.topK()), "row tokens");
      DeviceBuffer rowOfSlot = held.ints(DispatchRows.rowOfSlot(rowSource, batch.numTokens() * batch.topK()), "slot rows");
      DeviceBuffer routingWeights = held.keep(DeviceBuffer.allocate(4L * Math.max(1, routing.length), "routing weights")
          .copyFrom(routing));
      DeviceBuffer a = held.alloc(Sm90Fp8GroupedGemm.activationBytes(rows, hidden), "dispatched tokens");
      DeviceBuffer aScales = held.alloc(scaleBytes(rows, hidden), "dispatched token scales");
      DeviceBuffer g = fused ? null : held.alloc(2L * rows * 2 * inter, "gate_up output").fill((byte) 0);
      DeviceBuffer h = fused ? null : held.alloc(2L * rows * inter, "intermediate (BF16)");
      DeviceBuffer q = held.alloc(Sm90Fp8GroupedGemm.activationBytes(rows, inter), "intermediate (FP8)");
      DeviceBuffer qScales = held.alloc(scaleBytes(rows, inter), "intermediate scales");
      DeviceBuffer d = held.alloc(2L * rows * hidden, "down output").fill((byte) 0);
      DeviceBuffer out = held.alloc(2L * Math.max(1, batch.numTokens()) * hidden, "layer output");
      Sm90Fp8GroupedGemm.Layout layout = form == CpuMoeLayer.Form.PADDING_FREE ? Sm90Fp8GroupedGemm.Layout.PADDING_FREE
          : Sm90Fp8GroupedGemm.Layout.PADDED;
      LayoutArgs args = form == CpuMoeLayer.Form.PADDING_FREE
          ? new LayoutArgs(held.ints(layoutIndex, "offsets"), held.ints(blockTable, "block table"), mBlocks, 0, mBlocks)
          : new LayoutArgs(held.ints(layoutIndex, "group index"), null, rows, 0, mBlocks);
      LoadedKernel.PreparedLaunch gateUp = fused
          ? new Sm90Fp8GroupedGemm(layout, 2 * inter, hidden, GemmHeuristics.withBlockN(128).withMulticast(
              GemmHeuristics.Multicast.A), Sm90Fp8GroupedGemm.Output.SWIGLU_FP8).prepare(jit, device,
              new Operands(a, aScales, weights.gateUp, weights.gateUpScales, q, rows, w.experts()), args, qScales)
          : gemm(layout, 2 * inter, hidden, mBlocks,
              new Operands(a, aScales, weights.gateUp, weights.gateUpScales, g, rows, w.experts()), args);
      LoadedKernel.PreparedLaunch down = gemm(layout, hidden, inter, mBlocks,
          new Operands(q, qScales, weights.down, weights.downScales, d, rows, w.experts()), args);
      // every launch marshalled before timing, so the events measure the GPU's work
      List<LoadedKernel.PreparedLaunch> layer = List.of(
          steps.gather(jit, device, tokenValues, tokenScales, tokens.rows(), rowToken, a, aScales, rows, hidden),
          gateUp,
          fused ? LoadedKernel.PreparedLaunch.NONE : steps.swiglu(jit, device, g, h, rows, inter),
          fused ? LoadedKernel.PreparedLaunch.NONE : quantize.activationsBf16(jit, device, h, q, qScales, rows, inter),
          down,
          steps.combine(jit, device, d, rowOfSlot, routingWeights, out, batch.numTokens(), batch.topK(), hidden));
      double millis = timeMedian(layer, timedRuns);
      short[] bits = out.readShorts(0, batch.numTokens() * hidden);
      return new CpuMoeLayer.Run(form, new Bf16Matrix(batch.numTokens(), hidden, bits), rows, peak, millis);
    }
  }

  private LoadedKernel.PreparedLaunch gemm(Sm90Fp8GroupedGemm.Layout layout, int n, int k, int mBlocks, Operands o,
      LayoutArgs args) {
    GemmHeuristics.Config config = GemmHeuristics.choose(n, k, mBlocks, device.multiprocessors());
    return new Sm90Fp8GroupedGemm(layout, n, k, config).prepare(jit, device, o, args);
  }

  /** The steps of a layer run, in order, as {@link #lastStepMillis()} names them. */
  public static final List<String> STEPS = List.of("dispatch", "gate_up", "swiglu", "quantize", "down", "combine");

  private double[] lastStepMillis = new double[STEPS.size()];

  /**
   * Each step's median time (ms) in the last {@link #run}, in {@link #STEPS} order (events between
   * steps); a fused run's swiglu and quantize are inside gate_up (about 0 here).
   */
  public double[] lastStepMillis() {
    return lastStepMillis.clone();
  }

  /**
   * One warm-up run, then the median of {@code runs} runs between CUDA events on the stream (the
   * layer's, and each step's between events recorded around it).
   */
  private double timeMedian(List<LoadedKernel.PreparedLaunch> steps, int runs) {
    steps.forEach(step -> step.enqueue(stream));
    stream.synchronize("the MoE layer's warm-up");
    double[] millis = new double[runs];
    double[][] stepMillis = new double[steps.size()][runs];
    List<CudaEvent> events = new ArrayList<>();
    try {
      for (int i = 0; i <= steps.size(); i++) {
        events.add(new CudaEvent());
      }
      for (int r = 0; r < runs; r++) {
        events.get(0).record(stream);
        for (int i = 0; i < steps.size(); i++) {
          steps.get(i).enqueue(stream);
          events.get(i + 1).record(stream);
        }
        events.get(steps.size()).synchronize();
        millis[r] = events.get(steps.size()).millisSince(events.get(0));
        for (int i = 0; i < steps.size(); i++) {
          stepMillis[i][r] = events.get(i + 1).millisSince(events.get(i));
        }
      }
    } finally {
      events.forEach(CudaEvent::close);
    }
    for (int i = 0; i < steps.size(); i++) {
      lastStepMillis[i] = median(stepMillis[i]);
    }
    return median(millis);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static long scaleBytes(int rows, int k) {
    return 4L * ScaleBlocks.blocks(k) * ScaleBlocks.roundUp(Math.max(rows, 1), ScaleBlocks.TMA_SCALE_ALIGN);
  }

  /** The device buffers of one run, freed when it returns. */
  private static final class Held implements AutoCloseable {
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    DeviceBuffer keep(DeviceBuffer b) {
      buffers.add(b);
      return b;
    }

    DeviceBuffer alloc(long bytes, String label) {
      return keep(DeviceBuffer.allocate(Math.max(bytes, 16), label));
    }

    DeviceBuffer ints(int[] values, String label) {
      return keep(DeviceBuffer.allocate(4L * Math.max(1, values.length), label).copyFrom(values));
    }

    @Override
    public void close() {
      buffers.forEach(DeviceBuffer::close);
    }
  }

  @Override
  public void close() {
    device.makeCurrent();
    stream.close();
  }
}
