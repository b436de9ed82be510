package org.padfree.cuda.kernels;

import java.util.List;
import java.util.Map;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.KernelSpec;
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.cuda.tma.TensorMap;
import org.padfree.cuda.tma.TensorMapEncoder;
import org.padfree.cuda.tma.TensorMapSpec;

/**
 * Launcher of {@code sm90_fp8_grouped_gemm.cuh} for every layout. Operands live on the device:
 * A [rows][K] FP8, its scales M-major [ceil(K/128)][roundUp(rows, 4)] FP32, B [E][N][K] FP8 contiguous,
 * B's scales [E][ceil(N/128)][ceil(K/128)] FP32, D [rows][N] BF16. Callers validate layouts first
 * (org.padfree.layout.LayoutChecks); this class checks what TMA and the kernel need.
 */
public final class Sm90Fp8GroupedGemm {
  /** The layout policies of sm90_grouped_layouts.cuh. */
  public enum Layout {
    DENSE("DenseLayout"), PADDING_FREE("PaddingFreeLayout"), PADDED("PaddedLayout"), MASKED("MaskedLayout");

    final String policy;

    Layout(String policy) {
      this.policy = policy;
    }
  }

  /**
   * What the epilogue writes. BF16: D = A . B^T as BF16. SWIGLU_FP8 (an MoE layer's gate_up GEMM, B's
   * rows interleaved gate/up): the intermediate h = silu(gate) * up quantized to FP8 with 1x128 scales
   * straight from the FP32 accumulators (sm90_swiglu_fp8_epilogue.cuh); D is then q [rows][N/2] bytes
   * and the scales go to the buffer given to {@link #prepare(KernelJit, CudaDevice, Operands, LayoutArgs,
   * DeviceBuffer)}. Needs BLOCK_N 128, A multicast (clusters pair the two halves of a scale block) and
   * N a multiple of 256.
   */
  public enum Output { BF16, SWIGLU_FP8 }

  /** Device operands of one call. */
  public record Operands(DeviceBuffer a, DeviceBuffer aScales, DeviceBuffer b, DeviceBuffer bScales, DeviceBuffer d,
      int rows, int experts) {}

  /**
   * The layout's index arrays and counts, as the kernel's generic layout parameters (see
   * sm90_grouped_layouts.cuh): dense x = rows; padding-free indexB = DeviceGemmOperands.blockTable,
   * x = M-blocks; padded indexA = group index, x = padded rows; masked indexA = counts, x = experts,
   * y = max rows.
   */
  public record LayoutArgs(DeviceBuffer indexA, DeviceBuffer indexB, int x, int y, int mBlocks) {}

  private static final int THREADS = 384;
  /**
   * Bytes to allocate for an A operand of {@code rows} rows: the rows plus BLOCK_M - 1 rows of slack,
   * so the 128-row TMA box of a group's last block never reaches past the allocation. The kernel maps
   * A over the slack (see {@link #prepare}) and never stores the slack rows' results. Why: boxes that
   * run out of bounds are filled by TMA at a fraction of its normal rate; on 16 groups of 8 rows
   * (N=4096, K=7168, H200) padding-free took 174 us with them and 128 us without (NOTES.md).
   */
  public static long activationBytes(long rows, long k) {
    return (rows + GemmHeuristics.BLOCK_M - 1) * k;
  }

  /** StoreMapPool::kHeights: box heights 64, 32, 16, 8, 4, 2, 1. */
  private static final int STORE_BOX_HEIGHTS = 7;
  private final Layout layout;
  private final int n;
  private final int k;
  private final GemmHeuristics.Config config;
  private final Output output;

  public Sm90Fp8GroupedGemm(Layout layout, int n, int k, GemmHeuristics.Config config) {
    this(layout, n, k, config, Output.BF16);
  }

  public Sm90Fp8GroupedGemm(Layout layout, int n, int k, GemmHeuristics.Config config, Output output) {
    this.layout = Validate.notNull("layout", layout);
    Validate.require(n > 0 && n % 8 == 0, "n", n, "must be a positive multiple of 8 (BF16 pairs, wgmma N)");
    Validate.require(k > 0 && k % 16 == 0, "k", k, "must be a positive multiple of 16 (TMA row alignment of FP8)");
    Validate.require(GemmHeuristics.BLOCK_NS.contains(config.blockN()), "block_n", config.blockN(),
        "must be one of " + GemmHeuristics.BLOCK_NS);
    boolean multicastA = config.multicast() == GemmHeuristics.Multicast.A;
    Validate.require(!multicastA || config.blockN() == 128, "multicast", "a",
        "is built for BLOCK_N 128 only (with 64 the producer spills registers), not " + config.blockN());
    Validate.require(!multicastA || ((n + config.blockN() - 1) / config.blockN()) % 2 == 0, "multicast", "a",
        "A multicast pairs N-blocks, but N=" + n + " has an odd number of " + config.blockN() + "-wide blocks");
    this.output = Validate.notNull("output", output);
    if (output == Output.SWIGLU_FP8) {
      Validate.require(config.blockN() == 128 && multicastA, "block_n", config.blockN() + "/" + config.multicast(),
          "the fused SwiGLU epilogue needs BLOCK_N 128 with A multicast (two tiles make one 128-channel scale block)");
      Validate.require(n % 256 == 0, "n", n, "the fused SwiGLU epilogue needs 2I with I a multiple of 128");
    }
    this.n = n;
    this.k = k;
    this.config = config;
  }

  /** The epilogue's output mode. */
  public Output output() {
    return output;
  }

  public KernelSpec spec() {
    boolean fused = output == Output.SWIGLU_FP8;
    String templateArgs = "padfree::sm90::" + layout.policy + ", " + n + ", " + k + ", " + config.blockN() + ", "
        + config.stages() + ", " + config.multicast().cpp() + (fused ? ", true" : "");
    List<String> templateList = new java.util.ArrayList<>(List.of("padfree::sm90::" + layout.policy, Integer.toString(n),
        Integer.toString(k), Integer.toString(config.blockN()), Integer.toString(config.stages()), config.multicast().cpp()));
    if (fused) {
      templateList.add("true");
    }
    return new KernelSpec(
        "padfree_fp8_gemm_" + layout.name().toLowerCase(java.util.Locale.ROOT) + "_n" + n + "_k" + k + "_bn"
            + config.blockN() + "_s" + config.stages() + config.multicast().suffix() + (fused ? "_swiglu_fp8" : ""),
        "padfree/sm90_fp8_grouped_gemm.cuh",
        "padfree::sm90::fp8_grouped_gemm",
        templateList,
        parameters(),
        THREADS, 1,
        Map.of("padfree_dynamic_smem_bytes", "padfree::sm90::GemmSharedLayout<128, " + config.blockN() + ", "
            + config.stages() + ">::kAllocBytes"))
        .withCall("padfree::sm90::fp8_grouped_gemm<" + templateArgs + ">(map_a, map_b, map_sa, sb, d, "
            + (tmaStore() ? "&d_maps" : "nullptr") + ", tile_counters, padfree::sm90::" + layout.policy
            + "(layout_a, layout_b, layout_x, layout_y)" + (fused ? ", q_scales, q_scale_stride" : "") + ")")
        .withClusterSize(config.multicast().clusterSize());
  }

  /** Whether this configuration stores D with TMA from the descriptor pool (else direct stores). */
  public boolean tmaStore() {
    return output == Output.BF16 && config.blockN() % 64 == 0;
  }

  private List<String> parameters() {
    List<String> p = new java.util.ArrayList<>(List.of("const __grid_constant__ CUtensorMap map_a",
        "const __grid_constant__ CUtensorMap map_b", "const __grid_constant__ CUtensorMap map_sa", "const float* sb",
        "__nv_bfloat16* d"));
    if (tmaStore()) {
      p.add("const __grid_constant__ padfree::sm90::StoreMapPool d_maps");
    }
    p.addAll(List.of("unsigned int* tile_counters", "const int* layout_a", "const int* layout_b", "int layout_x",
        "int layout_y"));
    if (output == Output.SWIGLU_FP8) {
      p.addAll(List.of("float* q_scales", "int q_scale_stride"));
    }
    return p;
  }

  /** Enqueues the GEMM on {@code stream}: {@link #prepare} then enqueue. */
  public void run(KernelJit jit, CudaDevice device, CudaStream stream, Operands o, LayoutArgs l) {
    prepare(jit, device, o, l).enqueue(stream);
  }

  /**
   * Checks the operands, encodes the tensor maps and marshals the launch once; enqueueing the result
   * is then one driver call (what timings measure, and what a backend repeats on the same buffers).
   */
  public LoadedKernel.PreparedLaunch prepare(KernelJit jit, CudaDevice device, Operands o, LayoutArgs l) {
    Validate.require(output == Output.BF16, "output", output, "the fused epilogue also needs its scales buffer");
    return prepare(jit, device, o, l, null);
  }

  /**
   * As {@link #prepare(KernelJit, CudaDevice, Operands, LayoutArgs)}; for {@link Output#SWIGLU_FP8}, D
   * (o.d) receives q [rows][N/2] FP8 and {@code qScales} its scales [N/256][roundUp(rows, 4)].
   */
  public LoadedKernel.PreparedLaunch prepare(KernelJit jit, CudaDevice device, Operands o, LayoutArgs l, DeviceBuffer qScales) {
    boolean fused = output == Output.SWIGLU_FP8;
    int kBlocks = (k + 127) / 128;
    int alignedRows = (o.rows() + 3) / 4 * 4;
    Validate.require(o.a().bytes() >= (long) o.rows() * k, "a.bytes", o.a().bytes(), "A needs rows x K = " + (long) o.rows() * k);
    Validate.require(o.aScales().bytes() >= 4L * kBlocks * alignedRows, "a_scales.bytes", o.aScales().bytes(),
        "needs 4 x ceil(K/128) x roundUp(rows, 4)");
    Validate.require(o.b().bytes() >= (long) o.experts() * n * k, "b.bytes", o.b().bytes(), "B needs E x N x K");
    if (fused) {
      Validate.require(o.d().bytes() >= (long) o.rows() * (n / 2), "d.bytes", o.d().bytes(), "q needs rows x N/2 bytes");
      Validate.require(qScales != null && qScales.bytes() >= 4L * (n / 256) * alignedRows, "q_scales.bytes",
          qScales == null ? "null" : qScales.bytes(), "needs 4 x N/256 x roundUp(rows, 4)");
    } else {
      Validate.require(o.d().bytes() >= 2L * o.rows() * n, "d.bytes", o.d().bytes(), "D needs rows x N x 2");
    }
    Validate.require(o.bScales().bytes() >= 4L * o.experts() * ((n + 127) / 128) * kBlocks, "b_scales.bytes",
        o.bScales().bytes(), "needs 4 x E x ceil(N/128) x ceil(K/128)");
    int tiles = l.mBlocks() * ((n + config.blockN() - 1) / config.blockN());
    if (tiles == 0) {
      return LoadedKernel.PreparedLaunch.NONE;
    }
    // A is mapped over the slack rows its buffer has (activationBytes), up to the last row a box can
    // reach; a buffer without slack still works, its boxes then filled out of bounds (slower).
    long mappedRows = Math.max(1, Math.min(o.a().bytes() / k, (long) o.rows() + GemmHeuristics.BLOCK_M - 1));
    TensorMap mapA = TensorMapEncoder.encode(TensorMapSpec.matrix(TensorMapSpec.DataType.UINT8, o.a().address(),
        mappedRows, k, k,
        config.multicast() == GemmHeuristics.Multicast.A ? GemmHeuristics.BLOCK_M / 2 : GemmHeuristics.BLOCK_M, 128,
        TensorMapSpec.Swizzle.B128));
    // With B multicast, B tiles are loaded as two halves (one per block of a cluster, or both by one).
    TensorMap mapB = TensorMapEncoder.encode(TensorMapSpec.matrix(TensorMapSpec.DataType.UINT8, o.b().address(),
        (long) o.experts() * n, k, k,
        config.multicast() == GemmHeuristics.Multicast.B ? config.blockN() / 2 : config.blockN(), 128,
        TensorMapSpec.Swizzle.B128));
    TensorMap mapScales = TensorMapEncoder.encode(new TensorMapSpec(TensorMapSpec.DataType.FLOAT32, o.aScales().address(),
        new long[] {Math.max(4, alignedRows), kBlocks}, new long[] {4L * Math.max(4, alignedRows)},
        new int[] {GemmHeuristics.BLOCK_M + 4, 1}, new int[] {1, 1}, TensorMapSpec.Interleave.NONE,
        TensorMapSpec.Swizzle.NONE, TensorMapSpec.L2Promotion.B256, TensorMapSpec.OobFill.ZERO));
    LoadedKernel kernel = jit.load(device, spec());
    int smem = kernel.constant("padfree_dynamic_smem_bytes");
    int blocks = Math.min(tiles, device.multiprocessors());
    if (config.multicast() != GemmHeuristics.Multicast.NONE) {
      // Whole clusters, each with at least one unit of work (A: a row block's pair of N-blocks; B: a pair
      // of row blocks x one N-block), and no more than fit at once: a cluster lives in one GPC, so fewer
      // than SMs / 2 may be resident, and a surplus cluster would run as a second wave.
      int units = config.multicast() == GemmHeuristics.Multicast.A ? tiles / 2
          : (l.mBlocks() + 1) / 2 * ((n + config.blockN() - 1) / config.blockN());
      int resident = kernel.maxActiveClusters(THREADS, smem);
      Validate.require(resident >= 1, "multicast", config.multicast(), spec().entry() + " fits no cluster on " + device.describe());
      blocks = 2 * Math.max(1, Math.min(units, resident));
    }
    java.util.List<Object> args = new java.util.ArrayList<>(List.of(mapA, mapB, mapScales, o.bScales(), o.d()));
    if (tmaStore()) {
      args.add(storeMapPool(o.d(), o.rows()));
    }
    // the stream's counters, which the dynamic tile schedule needs (unused by the static one)
    args.add(LoadedKernel.StreamArgument.WORK_COUNTERS);
    args.addAll(List.of(l.indexA() == null ? o.d() : l.indexA(), l.indexB() == null ? o.d() : l.indexB(), l.x(), l.y()));
    if (fused) {
      args.addAll(List.of(qScales, alignedRows));
    }
    return kernel.prepare(LoadedKernel.LaunchConfig.linear(blocks, THREADS, smem), args.toArray());
  }

  /**
   * The TMA epilogue's descriptor pool (sm90_gemm_epilogue.cuh): maps of D with boxes of 64 columns
   * and 64, 32, ..., 1 rows, so a group's residual rows are stored exactly by a few boxes.
   */
  private TensorMap[] storeMapPool(DeviceBuffer d, int rows) {
    TensorMap[] pool = new TensorMap[STORE_BOX_HEIGHTS];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = TensorMapEncoder.encode(TensorMapSpec.matrix(TensorMapSpec.DataType.BFLOAT16, d.address(),
          Math.max(1, rows), n, 2L * n, 64 >> i, 64, TensorMapSpec.Swizzle.B128));
    }
    return pool;
  }

  public GemmHeuristics.Config config() {
    return config;
  }
}
