package org.padfree.backend;

import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.cuda.kernels.DeviceGemmOperands;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.layout.LayoutChecks;
import org.padfree.quant.ScaleBlocks;

/**
 * The host-side half of a GPU run, made before anything touches the device: every layout of the
 * problem re-validated with {@link LayoutChecks} (the arrays are mutable, so construction-time checks
 * are not enough), the layouts checked against each other, and the index arrays the kernels read
 * (pad and masked-gather sources, the padding-free M-block table) derived and range-checked. A bad
 * layout fails here, naming the field and value, and never reaches a kernel.
 *
 * <p>A problem routed on the GPU ({@link DeviceRouting}) has no per-row arrays on the host: its plan
 * holds the E + 1 offsets only (checked here, with the padded group starts, by the DeviceRouting
 * record), the per-row arrays are null, and the kernels read the routing's device buffers, whose
 * contents the builder guarantees (and CudfRoutingGpuSuite checks against the host's).
 */
record CudaRunPlan(
    int rows, int paddedRows, int experts, int maxRows, int n, int k,
    int[] offsets, int[] blockTable, int freeMBlocks, int[] groupIndex, int[] padSource,
    int[] counts, int[] maskedSource, DeviceRouting device) {

  static CudaRunPlan of(GroupedGemmProblem p) {
    Validate.notNull("problem", p);
    if (p.deviceRouting() != null) {
      return onDevice(p, p.deviceRouting());
    }
    int experts = p.batch().numExperts();
    int rows = p.rows();
    int[] offsets = p.paddingFree().offsets().clone();
    int[] groupIndex = p.padded().groupIndex().clone();
    int[] counts = p.masked().counts().clone();
    int paddedRows = groupIndex.length;
    int maxRows = p.masked().maxRows();
    Validate.require(p.paddingFree().numExperts() == experts && p.padded().numExperts() == experts
        && p.masked().numExperts() == experts, "num_experts", experts, "every layout must have the batch's experts");
    LayoutChecks.checkOffsets(offsets, rows, experts);
    LayoutChecks.checkPaddedGroupIndex(groupIndex, paddedRows, experts);
    LayoutChecks.checkMaskedCounts(counts, maxRows, p.masked().rowSource().length, experts);
    int[] padSource = p.padSource();
    Validate.length("pad_source", padSource.length, paddedRows, "one entry per padded row");
    // Per row (10^5 per batch): the messages are built only on failure.
    for (int r = 0; r < paddedRows; r++) {
      if (padSource[r] < -1 || padSource[r] >= rows) {
        throw new InvalidInputException("pad_source[" + r + "]", padSource[r], "must be -1 or a dispatched row in [0, " + rows + ")");
      }
      if ((padSource[r] < 0) != (groupIndex[r] < 0)) {
        throw new InvalidInputException("pad_source[" + r + "]", padSource[r], "padding rows (group_index -1) and only they have no source");
      }
    }
    for (int e = 0; e < experts; e++) {
      Validate.require(counts[e] == offsets[e + 1] - offsets[e], "counts[" + e + "]", counts[e],
          "the masked layout must hold the padding-free group's " + (offsets[e + 1] - offsets[e]) + " rows");
    }
    int[] maskedSource = p.maskedSource();
    for (int r = 0; r < maskedSource.length; r++) {
      if (maskedSource[r] < -1 || maskedSource[r] >= rows) {
        throw new InvalidInputException("masked_source[" + r + "]", maskedSource[r],
            "must be -1 or a dispatched row in [0, " + rows + ")");
      }
    }
    int[] blockTable = DeviceGemmOperands.blockTable(offsets);
    int freeMBlocks = blockTable.length / 2;
    return new CudaRunPlan(rows, paddedRows, experts, maxRows, p.n(), p.k(), offsets, blockTable, freeMBlocks,
        groupIndex, padSource, counts, maskedSource, null);
  }

  private static CudaRunPlan onDevice(GroupedGemmProblem p, DeviceRouting d) {
    int experts = p.batch().numExperts();
    int[] offsets = d.hostOffsets().clone();
    LayoutChecks.checkOffsets(offsets, p.rows(), experts);
    int blocks = DeviceGemmOperands.blockStarts(offsets)[experts];
    Validate.require(d.blocks() == blocks, "block_table", d.blocks() + " blocks",
        "the offsets make " + blocks + " M-blocks of " + GemmHeuristics.BLOCK_M + " rows");
    int[] counts = new int[experts];
    for (int e = 0; e < experts; e++) {
      counts[e] = offsets[e + 1] - offsets[e];
    }
    return new CudaRunPlan(p.rows(), d.paddedRows(), experts, d.maxRows(), p.n(), p.k(), offsets, null, blocks,
        null, null, counts, null, d);
  }

  int kBlocks() {
    return ScaleBlocks.blocks(k);
  }

  int maskedRows() {
    return experts * maxRows;
  }

  int maskedMBlocks() {
    return experts * ((maxRows + GemmHeuristics.BLOCK_M - 1) / GemmHeuristics.BLOCK_M);
  }

  /** Bytes of M-major, TMA-aligned scales for {@code m} rows (at least 4 rows, as the tensor map needs). */
  long scaleBytes(int m) {
    return 4L * kBlocks() * Math.max(4, ScaleBlocks.roundUp(m, ScaleBlocks.TMA_SCALE_ALIGN));
  }
}
