package org.padfree.cuda.kernels;

import java.util.ArrayList;
import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Layout;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.LayoutArgs;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Operands;
import org.padfree.layout.LayoutChecks;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.Bf16Matrix;

/**
 * The FP8 grouped GEMM on a Hopper GPU from the JVM, for library users: host operands in, BF16 D out,
 * every layout, with the same methods and numerics as the CPU reference
 * ({@link org.padfree.reference.CpuGroupedGemm}), so either can stand in for the other. Each call
 * uploads its operands, runs the kernel the heuristics choose (JIT-compiled on first use, cached on
 * disk) and downloads D; layouts are checked before any kernel sees them. For repeated runs on
 * device-resident operands, use {@link Sm90Fp8GroupedGemm} directly (as the CUDA backend does).
 *
 * <pre>{@code
 * try (GroupedGemm gemm = GroupedGemm.open(0)) {
 *   Bf16Matrix d = gemm.paddingFreeContiguous(a, b, offsets);
 * }
 * }</pre>
 */
public final class GroupedGemm implements AutoCloseable {
  private final CudaDevice device;
  private final CudaStream stream;
  private final KernelJit jit;

  private GroupedGemm(CudaDevice device) {
    this.device = device.makeCurrent();
    this.stream = new CudaStream();
    this.jit = KernelJit.shared();
  }

  /** The GEMM on CUDA device {@code ordinal}, which must be a Hopper GPU (sm_90). */
  public static GroupedGemm open(int ordinal) {
    CudaDevice device = CudaDevice.byOrdinal(ordinal);
    Validate.require(device.isHopper(), "device", device.describe(), "the FP8 grouped GEMM needs a Hopper GPU (sm_90)");
    return new GroupedGemm(device);
  }

  /** The device it runs on. */
  public String device() {
    return device.describe();
  }

  /** Expert e owns rows [offsets[e], offsets[e+1]) of A and of D (no padding anywhere). */
  public Bf16Matrix paddingFreeContiguous(QuantizedActivations a, QuantizedWeights b, int[] offsets) {
    requireSameK(a, b);
    LayoutChecks.checkOffsets(offsets, a.rows(), b.experts());
    int[] table = DeviceGemmOperands.blockTable(offsets);
    int mBlocks = table.length / 2;
    return run(Layout.PADDING_FREE, a, b, mBlocks, buffers -> new LayoutArgs(buffers.ints(offsets),
        buffers.ints(table), mBlocks, 0, mBlocks));
  }

  /**
   * The padded (DeepGEMM-style) layout: groupIndex[r] is row r's expert or -1 for padding, groups
   * start at multiples of 128. Blocks of padding only are skipped (their D rows stay zero); padding
   * rows inside a block with valid rows hold the product of A's padding rows (zero when those are).
   */
  public Bf16Matrix paddedContiguous(QuantizedActivations a, QuantizedWeights b, int[] groupIndex) {
    requireSameK(a, b);
    LayoutChecks.checkPaddedGroupIndex(groupIndex, a.rows(), b.experts());
    int mBlocks = a.rows() / GemmHeuristics.BLOCK_M;
    return run(Layout.PADDED, a, b, mBlocks, buffers -> new LayoutArgs(buffers.ints(groupIndex), null, a.rows(), 0, mBlocks));
  }

  /** Masked (decode): A is [experts][maxRows][K]; expert e's first counts[e] rows are valid, the rest of D stays zero. */
  public Bf16Matrix masked(QuantizedActivations a, QuantizedWeights b, int maxRows, int[] counts) {
    requireSameK(a, b);
    LayoutChecks.checkMaskedCounts(counts, maxRows, a.rows(), b.experts());
    int mBlocks = b.experts() * ((maxRows + GemmHeuristics.BLOCK_M - 1) / GemmHeuristics.BLOCK_M);
    return run(Layout.MASKED, a, b, mBlocks, buffers -> new LayoutArgs(buffers.ints(counts), null, b.experts(), maxRows, mBlocks));
  }

  /** D = A x B^T for one weight matrix (b holds exactly one expert). */
  public Bf16Matrix dense(QuantizedActivations a, QuantizedWeights b) {
    requireSameK(a, b);
    Validate.require(b.experts() == 1, "experts", b.experts(), "a dense GEMM takes exactly one weight matrix");
    int mBlocks = (a.rows() + GemmHeuristics.BLOCK_M - 1) / GemmHeuristics.BLOCK_M;
    return run(Layout.DENSE, a, b, mBlocks, buffers -> new LayoutArgs(null, null, a.rows(), 0, mBlocks));
  }

  private interface ArgsOnDevice {
    LayoutArgs make(Buffers buffers);
  }

  /** The device buffers of one call, freed when it returns. */
  private static final class Buffers implements AutoCloseable {
    private final List<DeviceBuffer> held = new ArrayList<>();

    DeviceBuffer keep(DeviceBuffer b) {
      held.add(b);
      return b;
    }

    DeviceBuffer ints(int[] values) {
      return keep(DeviceBuffer.allocate(4L * Math.max(1, values.length), "layout array").copyFrom(values));
    }

    @Override
    public void close() {
      held.forEach(DeviceBuffer::close);
    }
  }

  private Bf16Matrix run(Layout layout, QuantizedActivations a, QuantizedWeights b, int mBlocks, ArgsOnDevice args) {
    int n = b.n();
    device.makeCurrent();
    GemmHeuristics.Config config = GemmHeuristics.choose(n, b.k(), mBlocks, device.multiprocessors());
    try (Buffers buffers = new Buffers()) {
      DeviceBuffer d = buffers.keep(DeviceBuffer.allocate(2L * Math.max(1, a.rows()) * n, "D")).fill((byte) 0);
      if (a.rows() > 0) {
        Operands operands = new Operands(buffers.keep(DeviceGemmOperands.activations(a, "A")),
            buffers.keep(DeviceGemmOperands.activationScales(a, "A scales")),
            buffers.keep(DeviceGemmOperands.weights(b, "B")), buffers.keep(DeviceGemmOperands.weightScales(b, "B scales")),
            d, a.rows(), b.experts());
        new Sm90Fp8GroupedGemm(layout, n, b.k(), config).run(jit, device, stream, operands, args.make(buffers));
        stream.synchronize("the " + layout.name().toLowerCase(java.util.Locale.ROOT) + " grouped GEMM");
      }
      short[] bits = a.rows() == 0 ? new short[0] : d.readShorts(0, a.rows() * n);
      return new Bf16Matrix(a.rows(), n, bits);
    }
  }

  private static void requireSameK(QuantizedActivations a, QuantizedWeights b) {
    Validate.notNull("a", a);
    Validate.notNull("b", b);
    Validate.require(a.k() == b.k(), "k", a.k(), "A has K=" + a.k() + " but B has K=" + b.k());
  }

  @Override
  public void close() {
    device.makeCurrent();
    stream.close();
  }
}
