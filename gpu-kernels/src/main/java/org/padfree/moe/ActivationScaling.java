package org.padfree.moe;

/**
 * How finely an activation matrix (tokens x columns) is given FP8 scales: which elements share one
 * {@code amax}. {@link QuantizationStudy} measures what each choice costs in accuracy.
 */
public enum ActivationScaling {
  /** One scale for the whole matrix, every token of the batch together. */
  PER_TENSOR("per-tensor", 0),
  /**
   * One scale per token row. The literature calls this "per-channel" as often as "per-token" (the
   * channel being the GEMM's M index), so the label carries both names.
   */
  PER_TOKEN("per-token (per-channel)", 0),
  /** One scale per row per 128 columns: DeepSeek-V3's and DeepGEMM's activation scaling. */
  BLOCK_1X128("1x128 block", 128),
  /** One scale per row per 64 columns. */
  BLOCK_1X64("1x64 block", 64);

  private final String label;
  private final int blockColumns;

  ActivationScaling(String label, int blockColumns) {
    this.label = label;
    this.blockColumns = blockColumns;
  }

  /** The name to print in reports. */
  public String label() {
    return label;
  }

  /**
   * Columns of one row that share a scale, for a matrix {@code columns} wide: the whole row unless
   * the scaling is blocked (a narrower tail block covers what is left of the row).
   */
  public int groupColumns(int columns) {
    return blockColumns == 0 ? columns : Math.min(blockColumns, columns);
  }

  /** Whether one scale spans all rows (its amax is taken over the whole matrix, not per row). */
  public boolean spansRows() {
    return this == PER_TENSOR;
  }
}
