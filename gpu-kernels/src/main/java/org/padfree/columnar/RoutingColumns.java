package org.padfree.columnar;

import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.layout.LayoutChecks;

/**
 * A routed batch's grouped layouts built from its expert id column with {@link ColumnOps}: on the GPU
 * with cuDF, so that the kernels read index arrays that never visit the host. Each result is exactly
 * what the host builds, element for element (checked on the CPU with {@link HostColumnOps} against
 * {@code LayoutBuilder}, {@code GroupedGemmProblem} and {@code DeviceGemmOperands.blockTable}, and on
 * the H200 with cuDF):
 * <ul>
 *   <li>{@code rowSource}: the stable permutation of routed slots (token * topK + j) by expert, a sort
 *       of (expert, slot) pairs (the slot as second key makes any sort stable);</li>
 *   <li>{@code tokenOfRow} = rowSource / topK;</li>
 *   <li>{@code offsets} (E + 1): the first sorted position of each expert id 0..E, i.e. the prefix sums
 *       of the counts; {@code counts} their differences;</li>
 *   <li>the padded layout: group sizes rounded up to 128, their prefix sums ({@code groupStarts}), and
 *       per padded row its expert or -1 ({@code groupIndex}) and the dispatched row it copies or -1
 *       ({@code padSource});</li>
 *   <li>{@code maskedSource}: per row of the [E][maxRows] masked A, its dispatched row or -1;</li>
 *   <li>{@code blockTable}: the padding-free kernel's M-block table, in the kernel's order (each
 *       expert's pairs of blocks first, then the odd blocks).</li>
 * </ul>
 * Only the E + 1 offsets come to the host (to size buffers and launches); everything per row stays.
 */
public final class RoutingColumns {
  private RoutingColumns() {}

  /** The built columns, and the few host figures derived from the offsets. */
  public record Built<C>(C rowSource, C tokenOfRow, C offsets, C counts, C groupStarts, C groupIndex,
      C padSource, C maskedSource, C blockTable, int[] hostOffsets, int[] hostGroupStarts, int maxRows,
      int paddedRows, int blocks) {

    public java.util.List<C> columns() {
      return java.util.List.of(rowSource, tokenOfRow, offsets, counts, groupStarts, groupIndex, padSource,
          maskedSource, blockTable);
    }
  }

  /**
   * Builds every layout of a batch from its expert ids ({@code ids}: token-major, {@code numTokens *
   * topK} rows). The ids are checked on the device first, as {@code RoutedBatch} checks them on the
   * host: each in [0, E), no token routed to one expert twice. Intermediate columns are released;
   * the caller owns the results (release them with the ops).
   */
  public static <C> Built<C> build(ColumnOps<C> ops, C ids, int numExperts, int topK, String batchId) {
    Validate.positive("num_experts", numExperts);
    Validate.require(numExperts < (1 << 23), "num_experts", numExperts, "the block table packs experts in 23 bits");
    Validate.require(topK >= 1 && topK <= numExperts, "top_k", topK, "must be in [1, num_experts=" + numExperts + "]");
    long rowCount = ops.rows(ids);
    Validate.require(rowCount % topK == 0, "expert_ids", rowCount + " ids",
        "must be num_tokens x top_k=" + topK + " (batch " + batchId + ")");
    int rows = Math.toIntExact(rowCount);
    int align = LayoutChecks.PADDED_ALIGNMENT;
    int blockM = GemmHeuristics.BLOCK_M;
    java.util.List<C> keep = new java.util.ArrayList<>();
    keep.add(ids);

    C slots = ops.sequence(0, rows);
    if (rows > 0) {
      check(ops, ids, slots, numExperts, topK, rows, batchId);
    }
    C[] sorted = ops.sortPairs(ids, slots);
    C sortedIds = sorted[0];
    C rowSource = sorted[1];
    C tokenOfRow = ops.divScalar(rowSource, topK);

    C offsets = ops.lowerBound(sortedIds, ops.sequence(0, numExperts + 1));
    int[] hostOffsets = ops.toHost(offsets); // E + 1 ints: the host sizes buffers and launches by them
    LayoutChecks.checkOffsets(hostOffsets, rows, numExperts);
    C counts = ops.sub(ops.slice(offsets, 1, numExperts + 1), ops.slice(offsets, 0, numExperts));

    // Padded layout: sizes rounded up to the alignment, their prefix sums, then per padded row.
    C paddedSizes = ops.mulScalar(ops.divScalar(ops.addScalar(counts, align - 1), align), align);
    C groupStarts = prefixWithZero(ops, paddedSizes);
    int[] hostGroupStarts = new int[numExperts + 1];
    int maxRows = 1;
    long blocks = 0;
    for (int e = 0; e < numExperts; e++) {
      int count = hostOffsets[e + 1] - hostOffsets[e];
      long padded = ((long) count + align - 1) / align * align;
      Validate.require(hostGroupStarts[e] + padded <= Integer.MAX_VALUE, "padded_rows", hostGroupStarts[e] + padded,
          "the padded layout of batch " + batchId + " exceeds 2^31-1 rows");
      hostGroupStarts[e + 1] = hostGroupStarts[e] + (int) padded;
      maxRows = Math.max(maxRows, count);
      blocks += (count + blockM - 1) / blockM;
    }
    int paddedRows = hostGroupStarts[numExperts];
    C padRow = ops.sequence(0, paddedRows);
    C padExpert = ops.upperBound(ops.slice(groupStarts, 1, numExperts + 1), padRow);
    C padWithin = ops.sub(padRow, ops.gather(groupStarts, padExpert));
    C padValid = ops.lessThan(padWithin, ops.gather(counts, padExpert));
    C groupIndex = ops.ifElseScalar(padValid, padExpert, -1);
    C padSource = ops.ifElseScalar(padValid, ops.add(ops.gather(offsets, padExpert), padWithin), -1);

    // Masked layout: [E][maxRows], expert e's first counts[e] rows are its dispatched rows.
    int maskedRows = Validate.product("num_experts x max_rows", numExperts, maxRows);
    C maskedRow = ops.sequence(0, maskedRows);
    C maskedExpert = ops.divScalar(maskedRow, maxRows);
    C maskedWithin = ops.sub(maskedRow, ops.mulScalar(maskedExpert, maxRows));
    C maskedValid = ops.lessThan(maskedWithin, ops.gather(counts, maskedExpert));
    C maskedSource = ops.ifElseScalar(maskedValid, ops.add(ops.gather(offsets, maskedExpert), maskedWithin), -1);

    C blockTable = blockTable(ops, offsets, counts, numExperts, Math.toIntExact(blocks), blockM);

    keep.addAll(java.util.List.of(rowSource, tokenOfRow, offsets, counts, groupStarts, groupIndex, padSource,
        maskedSource, blockTable));
    ops.release(keep);
    return new Built<>(rowSource, tokenOfRow, offsets, counts, groupStarts, groupIndex, padSource, maskedSource,
        blockTable, hostOffsets, hostGroupStarts, maxRows, paddedRows, Math.toIntExact(blocks));
  }

  /**
   * The padding-free M-block table (see {@code DeviceGemmOperands.blockTable}, row order): block g, the
   * b-th of expert e's, covers rows offsets[e] + 128 b on; entry {2 g, 2 g + 1} = {first row,
   * e << 8 | valid rows}.
   */
  private static <C> C blockTable(ColumnOps<C> ops, C offsets, C counts, int numExperts, int blocks, int blockM) {
    C perExpert = ops.divScalar(ops.addScalar(counts, blockM - 1), blockM);
    C blockStarts = prefixWithZero(ops, perExpert);

    C block = ops.sequence(0, blocks);
    C expert = ops.upperBound(ops.slice(blockStarts, 1, numExperts + 1), block);
    C within = ops.sub(block, ops.gather(blockStarts, expert));
    C firstRow = ops.add(ops.gather(offsets, expert), ops.mulScalar(within, blockM));
    C left = ops.sub(ops.gather(ops.slice(offsets, 1, numExperts + 1), expert), firstRow);
    C validRows = ops.ifElseScalar(ops.lessThanScalar(left, blockM), left, blockM);
    C packed = ops.add(ops.mulScalar(expert, 256), validRows);
    C even = ops.mulScalar(block, 2);
    return ops.scatter(ops.concat(firstRow, packed), ops.concat(even, ops.addScalar(even, 1)), 2 * blocks);
  }

  /** 0 followed by the inclusive prefix sums of {@code sizes}: E + 1 starts. */
  private static <C> C prefixWithZero(ColumnOps<C> ops, C sizes) {
    return ops.concat(ops.constant(0, 1), ops.scanSum(sizes));
  }

  /**
   * The checks RoutedBatch makes on the host, on the device: ids in [0, E) (min and max), and no token
   * routed to one expert twice ((token, expert) pairs all distinct).
   */
  private static <C> void check(ColumnOps<C> ops, C ids, C slots, int numExperts, int topK, int rows, String batchId) {
    int min = ops.min(ids);
    int max = ops.max(ids);
    if (min < 0 || max >= numExperts) {
      throw new InvalidInputException("expert_ids", min < 0 ? min : max,
          "expert id must be in [0, " + numExperts + ") (batch " + batchId + ")");
    }
    long distinct = ops.distinctPairs(ops.divScalar(slots, topK), ids);
    if (distinct != rows) {
      throw new InvalidInputException("expert_ids", (rows - distinct) + " repeated",
          "a token is routed to the same expert twice (batch " + batchId + ")");
    }
  }
}
