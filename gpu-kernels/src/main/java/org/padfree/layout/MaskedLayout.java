package org.padfree.layout;

import org.padfree.Validate;

/**
 * The masked (decode) layout: A is [E][maxRows][K]; expert e's first {@code counts[e]} rows are its
 * tokens, {@code rowSource[e*maxRows + i]} the routed slot of each, -1 past the count.
 */
public record MaskedLayout(int numExperts, int maxRows, int[] counts, int[] rowSource) {

  public MaskedLayout {
    Validate.notNull("row_source", rowSource);
    LayoutChecks.checkMaskedCounts(counts, maxRows, rowSource.length, numExperts);
  }
}
