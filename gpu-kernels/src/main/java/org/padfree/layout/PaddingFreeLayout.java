package org.padfree.layout;

import org.padfree.Validate;

/**
 * The padding-free contiguous layout of a routed batch: row r of the grouped A is routed slot
 * {@code rowSource[r]} (slot = token * topK + j), rows grouped by expert with expert e owning
 * {@code [offsets[e], offsets[e+1])}. No padding: A and D have exactly {@code rows()} rows.
 */
public record PaddingFreeLayout(int numExperts, int[] offsets, int[] rowSource) {

  public PaddingFreeLayout {
    Validate.notNull("row_source", rowSource);
    LayoutChecks.checkOffsets(offsets, rowSource.length, numExperts);
  }

  public int rows() {
    return rowSource.length;
  }

  public int groupSize(int expert) {
    return offsets[expert + 1] - offsets[expert];
  }
}
