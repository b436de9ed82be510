package org.padfree.results;

/**
 * How a result row ended. Its text form ({@link #toString()}: ok, mismatch, error) is what
 * results.parquet, the CSV files and the reports hold.
 */
public enum BatchStatus {
  /** Every check passed. */
  OK("ok"),
  /** It ran, but a layout's output differs from padding-free or the reference is out of bounds. */
  MISMATCH("mismatch"),
  /** It could not be evaluated (bad input, too large, a backend failure); the row says why. */
  ERROR("error");

  private final String text;

  BatchStatus(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }
}
