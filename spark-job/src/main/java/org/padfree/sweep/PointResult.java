package org.padfree.sweep;

/**
 * One row of the sweep history: one grid point and GEMM (or, with layers, the point's whole MoE layer,
 * {@link #LAYER}) in one run, its batches aggregated
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
 * @param layerBitIdentical on a layer row ({@link #LAYER}), the batches whose padded and padding-free
 *     layer outputs were equal bit for bit; 0 on GEMM rows
 * @param layerErrorPassed on a layer row, the batches whose layer error against the double reference
 *     was within its bound; 0 on GEMM rows
 * @param paddedLayerMs on a layer row, the median of the padded layer's time per batch (the layer
 *     rows' backend's wall time); NaN on GEMM rows and where nothing passed
 * @param layerSpeedup median of padded / padding-free layer time per batch
 * @param paddedLayerPeakBytes median peak activation bytes of the padded layer (weights excluded)
 * @param layerSavedFraction median of 1 - padding-free / padded layer peak
 * @param layerErrorMax the largest layer error (DeepGEMM's measure) over the batches that ran
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
    double loadImbalance,
    int layerBitIdentical, int layerErrorPassed, double paddedLayerMs, double paddingFreeLayerMs, double layerSpeedup,
    long paddedLayerPeakBytes, long paddingFreeLayerPeakBytes, double layerSavedFraction, double layerErrorMax) {

  /**
   * The {@code gemm} of a point's layer row: with layers on, each grid point has one row per GEMM and
   * one for its whole MoE layer, whose figures are in the layer columns (its GEMM columns NaN or 0).
   */
  public static final String LAYER = "layer";

  /**
   * Columns added after history files were first written: older files (and points.csv baselines) read
   * them as "not recorded" (empty text, NaN, 0; {@link org.padfree.table.RecordFields#absentValue}).
   */
  static final java.util.Set<String> ADDED_LATER = java.util.Set.of("spark_application_id", "spark_event_log_dir",
      "layer_bit_identical", "layer_error_passed", "padded_layer_ms", "padding_free_layer_ms", "layer_speedup",
      "padded_layer_peak_bytes", "padding_free_layer_peak_bytes", "layer_saved_fraction", "layer_error_max");

  /** Whether this is a point's layer row rather than one of its GEMMs. */
  public boolean isLayer() {
    return LAYER.equals(gemm);
  }

  /** The regression metrics this row has: the GEMM metrics, or on a layer row the layer metrics. */
  public java.util.List<String> metrics() {
    return isLayer() ? RegressionPolicy.LAYER_METRICS : RegressionPolicy.GEMM_METRICS;
  }

  /** The value of a regression metric ({@link RegressionPolicy#METRICS}). */
  public double metric(String name) {
    return switch (name) {
      case RegressionPolicy.PADDING_FREE_TFLOPS -> paddingFreeTflops;
      case RegressionPolicy.SPEEDUP -> speedup;
      case RegressionPolicy.MEMORY_SAVED -> savedFraction;
      case RegressionPolicy.LAYER_SPEEDUP -> layerSpeedup;
      case RegressionPolicy.LAYER_MEMORY_SAVED -> layerSavedFraction;
      default -> throw new IllegalArgumentException("unknown metric " + name);
    };
  }
}
