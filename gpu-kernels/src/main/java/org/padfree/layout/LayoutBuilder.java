package org.padfree.layout;

import org.padfree.Validate;
import org.padfree.routing.RoutedBatch;

/**
 * Builds the grouped-GEMM layouts of a routed batch. Within an expert, rows keep routed-slot order
 * (token, then rank within the token's top-k), so every layout orders a group's rows identically
 * and the row a token lands in is predictable.
 */
public final class LayoutBuilder {
  private LayoutBuilder() {}

  public static PaddingFreeLayout paddingFree(RoutedBatch batch) {
    Validate.notNull("batch", batch);
    int[] counts = batch.expertCounts();
    int[] offsets = new int[counts.length + 1];
    for (int e = 0; e < counts.length; e++) {
      offsets[e + 1] = offsets[e] + counts[e];
    }
    int[] next = offsets.clone();
    int[] ids = batch.expertIds();
    int[] rowSource = new int[ids.length];
    for (int slot = 0; slot < ids.length; slot++) {
      rowSource[next[ids[slot]]++] = slot;
    }
    return new PaddingFreeLayout(counts.length, offsets, rowSource);
  }

  /** The padded layout with groups aligned to {@link LayoutChecks#PADDED_ALIGNMENT} rows. */
  public static PaddedLayout padded(RoutedBatch batch) {
    PaddingFreeLayout free = paddingFree(batch);
    int experts = free.numExperts();
    int align = LayoutChecks.PADDED_ALIGNMENT;
    int[] starts = new int[experts + 1];
    for (int e = 0; e < experts; e++) {
      long padded = ((long) free.groupSize(e) + align - 1) / align * align;
      Validate.require(starts[e] + padded <= Integer.MAX_VALUE, "padded_rows", starts[e] + padded,
          "the padded layout of batch " + batch.batchId() + " exceeds 2^31-1 rows");
      starts[e + 1] = starts[e] + (int) padded;
    }
    int[] groupIndex = new int[starts[experts]];
    int[] rowSource = new int[starts[experts]];
    java.util.Arrays.fill(groupIndex, -1);
    java.util.Arrays.fill(rowSource, -1);
    for (int e = 0; e < experts; e++) {
      for (int i = 0; i < free.groupSize(e); i++) {
        groupIndex[starts[e] + i] = e;
        rowSource[starts[e] + i] = free.rowSource()[free.offsets()[e] + i];
      }
    }
    return new PaddedLayout(experts, starts, groupIndex, rowSource);
  }

  /** The masked layout with {@code maxRows} rows per expert; every expert's count must fit. */
  public static MaskedLayout masked(RoutedBatch batch, int maxRows) {
    PaddingFreeLayout free = paddingFree(batch);
    int experts = free.numExperts();
    int[] counts = new int[experts];
    int[] rowSource = new int[Validate.product("num_experts x max_rows", experts, maxRows)];
    java.util.Arrays.fill(rowSource, -1);
    for (int e = 0; e < experts; e++) {
      counts[e] = free.groupSize(e);
      Validate.require(counts[e] <= maxRows, "max_rows", maxRows,
          "expert " + e + " of batch " + batch.batchId() + " has " + counts[e] + " rows");
      System.arraycopy(free.rowSource(), free.offsets()[e], rowSource, e * maxRows, counts[e]);
    }
    return new MaskedLayout(experts, maxRows, counts, rowSource);
  }

  /** The smallest max_rows that fits the batch: its largest group (at least 1). */
  public static int largestGroup(RoutedBatch batch) {
    int max = 1;
    for (int c : batch.expertCounts()) {
      max = Math.max(max, c);
    }
    return max;
  }

  /**
   * The pad operation's gather map: for each row of {@code padded}, the row of the padding-free
   * layout copied there, or -1 for padding. Both layouts must come from the same batch.
   */
  public static int[] padSource(PaddingFreeLayout free, PaddedLayout padded) {
    Validate.require(free.numExperts() == padded.numExperts(), "num_experts", padded.numExperts(),
        "the padded layout is not of the same batch (padding-free has " + free.numExperts() + ")");
    int[] source = new int[padded.paddedRows()];
    java.util.Arrays.fill(source, -1);
    for (int e = 0; e < free.numExperts(); e++) {
      int start = padded.groupStarts()[e];
      Validate.require(padded.groupStarts()[e + 1] - start >= free.groupSize(e), "group_starts[" + (e + 1) + "]",
          padded.groupStarts()[e + 1], "expert " + e + " has " + free.groupSize(e) + " rows, more than its padded group");
      for (int i = 0; i < free.groupSize(e); i++) {
        source[start + i] = free.offsets()[e] + i;
      }
    }
    return source;
  }
}
