package org.padfree.sweep;

import java.util.List;
import org.padfree.Validate;
import org.padfree.backend.BackendKind;

/**
 * When a grid point counts as regressed against a reference run (the previous run, or the pinned
 * baseline). Correctness is not configurable: a point with any failed check or errored batch is
 * always a regression, whatever the reference says.
 *
 * <p>Throughput and speedup are compared as a relative drop: {@code (ref - now) / ref > threshold}.
 * Memory saving is a deterministic function of the routing, so it is compared as an absolute drop of
 * the saved fraction; a layer row's (sweeps with layers) speedup and saved fraction likewise. Every
 * metric is compared and shown; only those listed for the backend can fail
 * the run. CPU timings are wall times of the exact reference on a shared machine: measured here, two
 * identical nightly runs differed by up to 10x on single small batches (JIT warm-up and neighbours'
 * work land inside one timed call), so by default the CPU backend fails only on memory and
 * correctness, and its timing changes are reported for information. A team with a quiet CPU runner
 * can add the timing metrics to {@code cpu_metrics}; they then use the wide {@code cpu_threshold}.
 *
 * @param threshold relative drop of a timing metric that is a regression on a GPU backend
 * @param cpuThreshold the same on the CPU backend
 * @param memoryThreshold absolute drop of the saved fraction of peak memory (0.01 = one point)
 * @param metrics the metrics that fail a run on GPU backends, of {@link #METRICS}
 * @param cpuMetrics the metrics that fail a run on the CPU backend
 */
public record RegressionPolicy(double threshold, double cpuThreshold, double memoryThreshold, List<String> metrics,
    List<String> cpuMetrics) {

  public static final String PADDING_FREE_TFLOPS = "padding_free_tflops";
  public static final String SPEEDUP = "speedup";
  public static final String MEMORY_SAVED = "memory_saved";
  /** A layer row's median speedup of the padding-free layer over the padded one; a timing metric. */
  public static final String LAYER_SPEEDUP = "layer_speedup";
  /** A layer row's median saved fraction of the padded layer's peak; compared like memory_saved. */
  public static final String LAYER_MEMORY_SAVED = "layer_memory_saved";
  public static final List<String> GEMM_METRICS = List.of(PADDING_FREE_TFLOPS, SPEEDUP, MEMORY_SAVED);
  public static final List<String> LAYER_METRICS = List.of(LAYER_SPEEDUP, LAYER_MEMORY_SAVED);
  public static final List<String> METRICS = List.of(PADDING_FREE_TFLOPS, SPEEDUP, MEMORY_SAVED, LAYER_SPEEDUP,
      LAYER_MEMORY_SAVED);

  /** Every metric gates GPU runs; on the CPU only the deterministic memory figures do (see above). */
  public static final RegressionPolicy DEFAULT =
      new RegressionPolicy(0.10, 0.50, 0.01, METRICS, List.of(MEMORY_SAVED, LAYER_MEMORY_SAVED));

  public RegressionPolicy {
    Validate.require(threshold > 0 && threshold < 1, "regression.threshold", threshold, "must be in (0, 1), e.g. 0.10 for 10%");
    Validate.require(cpuThreshold > 0 && cpuThreshold < 1, "regression.cpu_threshold", cpuThreshold,
        "must be in (0, 1), e.g. 0.50 for 50%");
    Validate.require(memoryThreshold >= 0 && memoryThreshold < 1, "regression.memory_threshold", memoryThreshold,
        "must be in [0, 1), e.g. 0.01 for one percentage point");
    Validate.notNull("regression.metrics", metrics);
    for (int i = 0; i < metrics.size(); i++) {
      Validate.require(METRICS.contains(metrics.get(i)), "regression.metrics[" + i + "]", metrics.get(i),
          "unknown metric; known: " + METRICS);
    }
    Validate.notNull("regression.cpu_metrics", cpuMetrics);
    for (int i = 0; i < cpuMetrics.size(); i++) {
      Validate.require(METRICS.contains(cpuMetrics.get(i)), "regression.cpu_metrics[" + i + "]", cpuMetrics.get(i),
          "unknown metric; known: " + METRICS);
    }
    metrics = List.copyOf(metrics);
    cpuMetrics = List.copyOf(cpuMetrics);
  }

  /**
   * Whether {@code metric} is a saved fraction of peak memory, compared as an absolute drop against
   * {@link #memoryThreshold} (timing metrics are compared as a relative drop).
   */
  public static boolean isMemoryMetric(String metric) {
    return metric.equals(MEMORY_SAVED) || metric.equals(LAYER_MEMORY_SAVED);
  }

  /** Whether a change of {@code metric} beyond its threshold fails a run on {@code backend}. */
  public boolean gates(String metric, String backend) {
    return (BackendKind.CPU.labels(backend) ? cpuMetrics : metrics).contains(metric);
  }

  /** The relative threshold for timing metrics measured on {@code backend}. */
  public double timingThreshold(String backend) {
    return BackendKind.CPU.labels(backend) ? cpuThreshold : threshold;
  }
}
