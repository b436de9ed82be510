package org.padfree.bench;

import java.util.List;

/**
 * One shape to benchmark: rows per group (explicit, or generated from {@code distribution} and
 * {@code seed}), the GEMM's N and K, the paths to time and how often.
 *
 * @param distribution the routing distribution's text form when the counts were generated, else
 *     "explicit"
 * @param seed seeds the synthetic activations and weights (and the counts when generated)
 */
public record BenchCase(String name, int n, int k, int[] counts, String distribution, long seed,
    List<BenchPath> paths, int runs, int warmup) {

  public int groups() {
    return counts.length;
  }

  /** Valid (dispatched) rows: the sum of the counts. */
  public int rows() {
    int rows = 0;
    for (int c : counts) {
      rows += c;
    }
    return rows;
  }

  /** Rows of the padded layout: every group rounded up to a multiple of 128. */
  public int paddedRows() {
    return rowsRoundedUpTo(128);
  }

  /**
   * The fewest rows a grouped GEMM whose tensor-core instruction has M = 64 (Hopper's wgmma) can
   * compute: every group's rows rounded up to a multiple of 64. No padding-free kernel on this
   * hardware does less tensor-core work than this.
   */
  public int wgmmaRows() {
    return rowsRoundedUpTo(64);
  }

  /** The sum of every group's rows rounded up to a multiple of {@code multiple}. */
  private int rowsRoundedUpTo(int multiple) {
    int rows = 0;
    for (int c : counts) {
      rows += (c + multiple - 1) / multiple * multiple;
    }
    return rows;
  }

  /**
   * The most a padding-free GEMM can gain over a padded GEMM that computes every padded row, at the
   * same tensor-core rate: padded rows / wgmma rows (NaN without rows). A target above it can only be
   * met by a faster tensor-core rate, not by skipping padding.
   */
  public double speedupBoundVsPadded() {
    int wgmma = wgmmaRows();
    return wgmma == 0 ? Double.NaN : (double) paddedRows() / wgmma;
  }

  /** Floating-point operations of the useful work: 2 x valid rows x N x K. */
  public double usefulFlops() {
    return 2.0 * rows() * n * k;
  }

  public boolean times(BenchPath path) {
    return paths.contains(path);
  }
}
