package org.padfree.report;

/**
 * The figures of one group of result rows, as {@link ResultAggregator} computes them. A key of
 * {@link #ALL} means "every value": the run's total row has all three keys set to it.
 *
 * <p>Counts are over every row of the group. Everything else is over its non-error rows only (an
 * error row measured nothing), skipping values that are NaN or infinite, and is NaN when nothing
 * is left. Percentiles follow {@link Percentiles}.
 *
 * @param batches rows in the group (one per batch and GEMM)
 * @param failures {@code errors + mismatches}
 * @param bitIdenticalRate fraction of non-error rows whose padded and padding-free outputs agree bit
 *     for bit on every valid row
 * @param speedupP50 per-row speedup, (pad + padded GEMM) / padding-free GEMM
 * @param savingP50 per-row saved fraction of the padded path's peak memory
 * @param savedBytesP50 per-row saved bytes
 * @param meanLoadImbalance mean over rows of (largest group / mean group size)
 * @param usefulTflops sum of useful FLOPs / sum of padding-free GEMM time, in TFLOP/s
 * @param paddedPathTflops sum of useful FLOPs / sum of (pad + padded GEMM) time, in TFLOP/s, over the
 *     same rows as {@code usefulTflops}
 */
public record GroupSummary(
    String model, String gemm, String distribution,
    long batches, long errors, long mismatches, long failures,
    double bitIdenticalRate,
    double speedupP50, double speedupP90, double speedupMin,
    double savingP50, double savingMax, double savedBytesP50,
    double meanLoadImbalance,
    double usefulTflops, double paddedPathTflops) {

  /** The key value of an aggregate over every model, GEMM or distribution. */
  public static final String ALL = "*";

  /** Whether this is the run's total row. */
  public boolean isTotal() {
    return ALL.equals(model) && ALL.equals(gemm) && ALL.equals(distribution);
  }
}
