package org.padfree.layout;

import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * Validation of the grouped-GEMM index arrays, shared by every backend so that an invalid layout is
 * rejected (with the field and value named) before any kernel, CPU or GPU, sees it.
 */
public final class LayoutChecks {
  private LayoutChecks() {}

  /** Groups of the padded layout start at multiples of this many rows (DeepGEMM's BLOCK_M alignment). */
  public static final int PADDED_ALIGNMENT = 128;

  /**
   * Padding-free offsets: {@code numExperts + 1} entries, {@code offsets[0] == 0}, non-decreasing,
   * {@code offsets[E] == rows}.
   */
  public static void checkOffsets(int[] offsets, int rows, int numExperts) {
    Validate.notNull("offsets", offsets);
    Validate.length("offsets", offsets.length, (long) numExperts + 1, "num_experts=" + numExperts + " plus one");
    Validate.require(offsets[0] == 0, "offsets[0]", offsets[0], "must be 0");
    for (int e = 0; e < numExperts; e++) {
      Validate.require(offsets[e + 1] >= offsets[e], "offsets[" + (e + 1) + "]", offsets[e + 1],
          "offsets must not decrease (offsets[" + e + "] = " + offsets[e] + ")");
    }
    Validate.require(offsets[numExperts] == rows, "offsets[" + numExperts + "]", offsets[numExperts],
        "must equal the number of A rows, " + rows);
  }

  /**
   * Padded group index: one entry per A row, each in [-1, E); cut into 128-row blocks, every block's
   * valid rows belong to one expert and come first, padding (-1) only after them; a group does not
   * continue past a block that ends in padding, and an expert owns at most one run of blocks.
   */
  public static void checkPaddedGroupIndex(int[] groupIndex, int rows, int numExperts) {
    Validate.notNull("group_index", groupIndex);
    Validate.length("group_index", groupIndex.length, rows, "one entry per A row");
    Validate.require(rows % PADDED_ALIGNMENT == 0, "rows", rows,
        "the padded layout needs a multiple of " + PADDED_ALIGNMENT + " rows");
    boolean[] seen = new boolean[numExperts];
    int previousExpert = -1;
    boolean previousEndedInPadding = true;
    for (int block = 0; block < rows; block += PADDED_ALIGNMENT) {
      int expert = groupIndex[block];
      int valid = 0;
      for (int r = block; r < block + PADDED_ALIGNMENT; r++) {
        // Per row (10^5 per batch): the messages are built only on failure.
        int g = groupIndex[r];
        if (g < -1 || g >= numExperts) {
          throw new InvalidInputException("group_index[" + r + "]", g,
              "must be -1 (padding) or an expert in [0, " + numExperts + ")");
        }
        if (g >= 0) {
          if (r != block + valid) {
            throw new InvalidInputException("group_index[" + r + "]", g, "a valid row after padding in the block starting at row "
                + block + "; groups must start at multiples of " + PADDED_ALIGNMENT);
          }
          if (g != expert) {
            throw new InvalidInputException("group_index[" + r + "]", g, "block starting at row " + block + " mixes experts "
                + expert + " and " + g + "; groups must start at multiples of " + PADDED_ALIGNMENT);
          }
          valid++;
        }
      }
      if (expert < 0) {
        previousEndedInPadding = true;
        previousExpert = -1;
        continue;
      }
      boolean continues = expert == previousExpert && !previousEndedInPadding;
      if (!continues) {
        Validate.require(!seen[expert], "group_index[" + block + "]", expert,
            "expert " + expert + " already owns an earlier group; each expert's rows must be contiguous");
        seen[expert] = true;
      }
      previousExpert = expert;
      previousEndedInPadding = valid < PADDED_ALIGNMENT;
    }
  }

  /** Masked counts: one per expert, each in [0, maxRows]; A holds numExperts * maxRows rows. */
  public static void checkMaskedCounts(int[] counts, int maxRows, int rows, int numExperts) {
    Validate.notNull("counts", counts);
    Validate.nonNegative("max_rows", maxRows);
    Validate.length("counts", counts.length, numExperts, "one count per expert");
    Validate.require((long) numExperts * maxRows == rows, "rows", rows,
        "masked A must hold num_experts=" + numExperts + " x max_rows=" + maxRows + " rows");
    for (int e = 0; e < numExperts; e++) {
      Validate.require(counts[e] >= 0 && counts[e] <= maxRows, "counts[" + e + "]", counts[e],
          "must be in [0, max_rows=" + maxRows + "]");
    }
  }
}
