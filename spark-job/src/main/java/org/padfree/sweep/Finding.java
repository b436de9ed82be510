package org.padfree.sweep;

/**
 * One observation of the trend check about one grid point and GEMM.
 *
 * @param against "correctness", "previous" or "baseline"
 * @param metric a {@link RegressionPolicy} metric, or "correctness"
 * @param change relative change for timing metrics, absolute change of the fraction for memory_saved
 * @param limit the threshold the change was held against (as a negative number), NaN when not compared
 * @param regression whether this finding fails the run
 * @param note why it was or was not compared, or the failure reason
 */
public record Finding(String pointKey, String against, String metric, double now, double reference, double change,
    double limit, boolean regression, String note) {}
