package org.padfree.report;

/**
 * The memory accounting definition as README.md's "Memory accounting" section states it, so every
 * report says what its byte figures mean. A test keeps this text and the README's in step.
 */
final class MemoryAccountingText {
  private MemoryAccountingText() {}

  static final String LEAD = "Counted per batch and GEMM at each path's peak (while its grouped GEMM runs); "
      + "weights are identical in both paths and left out (`MemoryAccounting`):";

  static final String FORMULA = String.join("\n",
      "padding-free:  A M*K + A scales 4*ceil(K/128)*roundUp(M,4) + offsets 4*(E+1) + D 2*M*N",
      "padded:        A M*K + A scales 4*ceil(K/128)*roundUp(M,4)         (the unpadded input, still live)",
      "             + padded A Mpad*K + its scales 4*ceil(K/128)*roundUp(Mpad,4)   (made by the pad op)",
      "             + group index 4*Mpad + D 2*Mpad*N");

  static final String DIFFERENCE = "The difference is padding rows x (K + 4K/128 + 2N) + the layout index + "
      + "the padded copy of A's valid rows; it is reported per tensor and in total, as bytes and as a "
      + "fraction of the padded path's peak.";

  /** The whole definition as plain text: lead, formula and difference, separated by blank lines. */
  static String plainText() {
    return LEAD + "\n\n" + FORMULA + "\n\n" + DIFFERENCE;
  }
}
