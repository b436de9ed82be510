package org.padfree.moe;

import java.util.Arrays;
import org.padfree.Validate;

/**
 * The two maps between a layout's rows and a batch's (token, slot) pairs that dispatch and combine
 * use, from the layout's rowSource (row r holds slot rowSource[r] = token * topK + j, or -1 for a
 * padding row). Shared by the CPU and GPU layers so both dispatch and combine the same way.
 */
final class DispatchRows {
  private DispatchRows() {}

  /** Row r's token (rowSource[r] / topK), or -1 for a padding row. */
  static int[] tokenOf(int[] rowSource, int topK) {
    int[] token = new int[rowSource.length];
    for (int r = 0; r < rowSource.length; r++) {
      token[r] = rowSource[r] < 0 ? -1 : rowSource[r] / topK;
    }
    return token;
  }

  /** The row each (token, slot) was dispatched to; every slot must have one. */
  static int[] rowOfSlot(int[] rowSource, int slots) {
    int[] row = new int[slots];
    Arrays.fill(row, -1);
    for (int r = 0; r < rowSource.length; r++) {
      if (rowSource[r] >= 0) {
        row[rowSource[r]] = r;
      }
    }
    for (int s = 0; s < slots; s++) {
      Validate.require(row[s] >= 0, "slot " + s, -1, "was not dispatched to any row");
    }
    return row;
  }
}
