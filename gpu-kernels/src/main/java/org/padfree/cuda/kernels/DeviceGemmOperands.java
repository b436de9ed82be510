package org.padfree.cuda.kernels;

import org.padfree.cuda.DeviceBuffer;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;

/**
 * Uploads CPU-quantized operands in the layouts the GPU kernels read: A row-major FP8, A scales
 * M-major and TMA-aligned, B as one [E][N][K] FP8 block, B scales as [E][ceil(N/128)][ceil(K/128)].
 */
public final class DeviceGemmOperands {
  private DeviceGemmOperands() {}

  public static DeviceBuffer activations(QuantizedActivations a, String label) {
    return DeviceBuffer.allocate(Sm90Fp8GroupedGemm.activationBytes(a.rows(), a.k()), label).copyFrom(a.values());
  }

  public static DeviceBuffer activationScales(QuantizedActivations a, String label) {
    float[] scales = a.tmaAlignedScales();
    return DeviceBuffer.allocate(4L * Math.max(scales.length, 4), label).copyFrom(scales);
  }

  public static DeviceBuffer weights(QuantizedWeights b, String label) {
    long perExpert = (long) b.n() * b.k();
    DeviceBuffer buffer = DeviceBuffer.allocate(perExpert * b.experts(), label);
    byte[] all = new byte[Math.toIntExact(perExpert * b.experts())];
    for (int e = 0; e < b.experts(); e++) {
      System.arraycopy(b.values()[e], 0, all, (int) (e * perExpert), (int) perExpert);
    }
    return buffer.copyFrom(all);
  }

  public static DeviceBuffer weightScales(QuantizedWeights b, String label) {
    int perExpert = b.nBlocks() * b.kBlocks();
    float[] all = new float[perExpert * b.experts()];
    for (int e = 0; e < b.experts(); e++) {
      System.arraycopy(b.scales()[e], 0, all, e * perExpert, perExpert);
    }
    return DeviceBuffer.allocate(4L * all.length, label).copyFrom(all);
  }

  /**
   * The padding-free layout's M-block table the kernel reads (sm90_grouped_layouts.cuh): for each block
   * of up to 128 rows of one expert, {first row, expert << 8 | valid rows}, two ints per block.
   * The offsets are checked first (start at 0, never decrease; at most 2^23 experts fit the packing),
   * so a table the kernel reads always describes a valid layout.
   *
   * <p>Order: row order, expert by expert, as the padded layout's blocks come. The scheduler hands out
   * tiles M-block major, so a wave covers a few consecutive M-blocks; an expert's blocks then run at
   * about the same time and share its B slices in L2. (An earlier order put every expert's pairs first
   * and the odd residual blocks last, so that B multicast, which pairs entries 2p and 2p + 1, always
   * found two blocks of one expert; but each residual block then re-read its expert's whole B from
   * memory at the end: with DeepSeek-V3's 256 experts of ~3 blocks each, gate_up's padding-free GEMM
   * ran 0.72-0.88x the padded one's speed in a 1-GPU job on the H200. B multicast is never the
   * heuristic's choice; with this order its pairs that straddle two experts load B separately.) Every
   * entry names its own rows, so the order changes which tiles share loads, never the result.
   */
  public static int[] blockTable(int[] offsets) {
    org.padfree.Validate.notNull("offsets", offsets);
    org.padfree.Validate.require(offsets.length >= 1 && offsets.length - 1 < (1 << 23), "offsets.length", offsets.length,
        "must be experts + 1 with 0 <= experts < 2^23");
    org.padfree.layout.LayoutChecks.checkOffsets(offsets, offsets[offsets.length - 1], offsets.length - 1);
    int[] starts = blockStarts(offsets);
    int blocks = starts[starts.length - 1];
    int[] table = new int[2 * blocks];
    for (int e = 0; e + 1 < offsets.length; e++) {
      for (int slot = starts[e]; slot < starts[e + 1]; slot++) {
        int row = offsets[e] + (slot - starts[e]) * GemmHeuristics.BLOCK_M;
        table[2 * slot] = row;
        table[2 * slot + 1] = e << 8 | Math.min(GemmHeuristics.BLOCK_M, offsets[e + 1] - row);
      }
    }
    return table;
  }

  /** Padding-free M-block starts: block_starts[e] = sum over earlier experts of ceil(size / 128). */
  public static int[] blockStarts(int[] offsets) {
    int[] starts = new int[offsets.length];
    for (int e = 0; e + 1 < offsets.length; e++) {
      starts[e + 1] = starts[e] + (offsets[e + 1] - offsets[e] + GemmHeuristics.BLOCK_M - 1) / GemmHeuristics.BLOCK_M;
    }
    return starts;
  }
}
