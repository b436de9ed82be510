package org.padfree.results;

import java.util.List;
import org.padfree.Validate;
import org.padfree.results.EvaluationTimings;

/**
 * Facts about one evaluation run that the result rows do not carry, for the report headers.
 *
 * @param startedAt ISO-8601 instant, e.g. {@code 2025-06-01T12:00:00Z}
 * @param wallSeconds driver wall time of the whole run
 * @param timings how that wall time divides into planning, placing inputs, the evaluation stage and
 *     collecting, and when each executor ran its tasks; {@link EvaluationTimings#UNKNOWN} if not measured
 * @param requestedBackend {@code spark.padfree.backend} as given: auto, cpu or cuda
 * @param backends backends that produced rows
 * @param devices devices that produced rows (CPU model or GPU name)
 * @param sparkApplicationId the Spark application's id, as the History Server lists it
 * @param sparkEventLogDir where its event log is written ({@code spark.eventLog.dir}), null when
 *     event logging is off
 * @param executors Spark executor ids that produced rows
 * @param gemms GEMM names evaluated per batch, e.g. gate_up and down
 * @param repetitions timed runs per path, of which rows report the median
 * @param referenceRows rows per batch checked against the double-precision reference
 * @param weightBank number of distinct generated weight sets the batches draw from
 * @param inputBatches batches read from the datasets
 * @param resultRows rows written; {@code inputBatches x gemms} when none went missing
 * @param notes what the numbers do not mean; writers print them prominently, before any figure
 */
public record RunInfo(
    String runId, String startedAt, double wallSeconds, EvaluationTimings timings,
    String requestedBackend, List<String> backends, List<String> devices,
    String sparkMaster, String sparkApplicationId, String sparkEventLogDir, List<String> executors,
    List<String> datasets, List<String> gemms,
    int repetitions, int referenceRows, int weightBank,
    long inputBatches, long resultRows, long errors, long mismatches,
    List<String> notes) {

  public RunInfo {
    Validate.require(runId != null && !runId.isBlank(), "run_id", runId, "must be non-empty");
    Validate.notNull("timings", timings);
    backends = List.copyOf(Validate.notNull("backends", backends));
    devices = List.copyOf(Validate.notNull("devices", devices));
    executors = List.copyOf(Validate.notNull("executors", executors));
    datasets = List.copyOf(Validate.notNull("datasets", datasets));
    gemms = List.copyOf(Validate.notNull("gemms", gemms));
    notes = List.copyOf(Validate.notNull("notes", notes));
  }

  /**
   * The notes every run with rows from the CPU reference backend must carry, because its figures
   * look like the GPU's but measure something else.
   */
  public static List<String> cpuCaveats() {
    return List.of(
        "CPU timings are wall times of the exact CPU reference backend, not GPU figures.",
        "Speedups measured on the CPU say nothing about the padding-free kernel on Hopper GPUs.",
        "The padded CPU path skips the padding rows in its GEMM, so its GEMM time is not the GPU's: "
            + "a GPU computes those rows.",
        "Memory figures are exact for any backend: they are counted from the layouts, not measured.");
  }
}
