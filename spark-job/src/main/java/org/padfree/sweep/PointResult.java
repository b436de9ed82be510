package org.padfree.sweep;

/**
 * One row of the sweep history: one grid point and GEMM in one run, its batches aggregated
 * (medians over the batches that passed). The columns of history Parquet files, points.csv and
 * baseline files are these components in snake_case; the date and run partition columns of the
 * history table are its folder names.
 *
 * <p>Run facts repeat on every row so that any one row says where and how it was measured.
 *
 * @param startedAt ISO-8601 instant the run started
 * @param gitRevision {@code git describe --always --dirty} of the checkout, or "unknown"
 * @param hardware devices and hosts that produced the point's rows
 * @param gpuDriver NVIDIA driver version on the Spark driver's host ("none" without one)
 * @param software padfree, JDK and Spark versions
 * @param sparkApplicationId the run's Spark application id (History Server); empty in rows written
 *     before it was recorded
 * @param sparkEventLogDir its event-log directory; empty when event logging was off (or not recorded)
 * @param pointKey {@link GridPoint#key}: what runs are matched on
 * @param requestedBackend the grid's backend value (auto, cpu, cuda); {@code backend} is what ran
 * @param repetitions the grid's value ("auto" or a count); {@code repetitionsUsed} what ran
 * @param failures batches whose checks failed or which errored; any is a regression
 * @param failure the first failure's reason, empty when none
 * @param paddedPathMs median of pad + padded GEMM time per batch
 */
public record PointResult(
    String runId, String sweep, String startedAt, String gitRevision, String hardware, String gpuDriver,
    String software, String sparkMaster, String sparkApplicationId, String sparkEventLogDir,
    String pointKey, String model, String baseModel, int experts, int topK, int tokens, String distribution,
    String gemm, int n, int k, String requestedBackend, String repetitions,
    String backend, String device, String kernelConfig, int repetitionsUsed, int batches, int failures,
    String failure,
    double paddingFreeTflops, double paddedPathTflops, double speedup, double paddingFreeGemmMs,
    double paddedPathMs, double savedFraction, long savedBytes, long paddingFreePeakBytes, long paddedPeakBytes,
    double loadImbalance) {

  /** Columns added after history files were first written: older files read them as empty. */
  static final java.util.Set<String> ADDED_LATER = java.util.Set.of("spark_application_id", "spark_event_log_dir");

  /** The value of a regression metric ({@link RegressionPolicy#METRICS}). */
  public double metric(String name) {
    return switch (name) {
      case RegressionPolicy.PADDING_FREE_TFLOPS -> paddingFreeTflops;
      case RegressionPolicy.SPEEDUP -> speedup;
      case RegressionPolicy.MEMORY_SAVED -> savedFraction;
      default -> throw new IllegalArgumentException("unknown metric " + name);
    };
  }
}
