package org.padfree.layout;

import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * The padded contiguous (DeepGEMM-style) layout: expert e's rows start at {@code groupStarts[e]}, a
 * multiple of 128, and are followed by zero rows up to the next multiple of 128.
 * {@code groupIndex[r]} is row r's expert or -1 for padding; {@code rowSource[r]} is the routed
 * slot copied into row r by the pad operation, or -1 for a padding row.
 */
public record PaddedLayout(int numExperts, int[] groupStarts, int[] groupIndex, int[] rowSource) {

  public PaddedLayout {
    Validate.notNull("group_starts", groupStarts);
    Validate.notNull("row_source", rowSource);
    Validate.length("group_starts", groupStarts.length, (long) numExperts + 1, "num_experts plus one");
    LayoutChecks.checkPaddedGroupIndex(groupIndex, rowSource.length, numExperts);
    for (int r = 0; r < rowSource.length; r++) {
      if ((rowSource[r] < 0) != (groupIndex[r] < 0)) { // per row: the message is built only on failure
        throw new InvalidInputException("row_source[" + r + "]", rowSource[r],
            "padding rows (group_index -1) and only they have row_source -1");
      }
    }
  }

  /** Rows of the padded A and D, valid and padding. */
  public int paddedRows() {
    return rowSource.length;
  }

  public int paddingRows() {
    int n = 0;
    for (int g : groupIndex) {
      if (g < 0) {
        n++;
      }
    }
    return n;
  }
}
