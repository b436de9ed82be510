package org.padfree.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.padfree.render.Percentiles;
import org.padfree.results.BatchStatus;
import org.padfree.results.LayerResult;

/**
 * The figures of one group of layer rows (layers.parquet): per (model, distribution), then per model
 * over every distribution ({@link GroupSummary#ALL}), then the run's total. Counts are over every row;
 * everything else over the rows that ran (not errors), skipping NaN, and NaN when nothing is left.
 *
 * @param failedChecks rows that ran but failed a check (outputs not bit-identical, or the layer error
 *     against the double reference above its bound)
 * @param bitIdenticalRate share of the rows that ran whose padded and padding-free outputs are equal bit for bit
 * @param speedupP50 per row, padded layer time / padding-free layer time
 * @param savingP50 per row, 1 - padding-free peak activation bytes / padded peak
 * @param fusedMsP50 padding-free layer time with the fused SwiGLU-FP8 gate_up epilogue (GPU rows run with
 *     spark.padfree.layers.fused=true; NaN where none was timed)
 * @param fusedSpeedupP50 per row that timed both, unfused / fused padding-free layer time
 * @param layerErrorMax the largest layer error (DeepGEMM's measure) against the double reference
 * @param backend the backends that ran the layers (their times are that backend's)
 */
public record LayerSummary(
    String model, String distribution, long batches, long errors, long failedChecks, double bitIdenticalRate,
    double paddedMsP50, double paddingFreeMsP50, double speedupP50, double speedupP90, double speedupMin,
    double paddedPeakBytesP50, double paddingFreePeakBytesP50, double savingP50, double savingMax,
    double savedBytesP50, double fusedMsP50, double fusedSpeedupP50, double fusedSpeedupMin,
    double fusedSpeedupMax, double layerErrorMax, double layerErrorBound, String backend) {

  /** Per (model, distribution) in key order, each model's rows then its all-distributions row; the total last. */
  public static List<LayerSummary> of(List<LayerResult> layers) {
    Map<String, Map<String, List<LayerResult>>> byModel = new TreeMap<>();
    for (LayerResult r : layers) {
      byModel.computeIfAbsent(key(r.model()), m -> new TreeMap<>())
          .computeIfAbsent(key(r.distribution()), d -> new ArrayList<>()).add(r);
    }
    List<LayerSummary> out = new ArrayList<>();
    byModel.forEach((model, byDistribution) -> {
      List<LayerResult> all = new ArrayList<>();
      byDistribution.forEach((distribution, rows) -> {
        out.add(summarize(model, distribution, rows));
        all.addAll(rows);
      });
      out.add(summarize(model, GroupSummary.ALL, all));
    });
    out.add(summarize(GroupSummary.ALL, GroupSummary.ALL, layers));
    return out;
  }

  /** Whether this row covers every distribution of its model (or of the run). */
  public boolean isModelTotal() {
    return GroupSummary.ALL.equals(distribution);
  }

  public boolean isRunTotal() {
    return GroupSummary.ALL.equals(model) && isModelTotal();
  }

  /**
   * This group as a summary.csv row, GEMM column "layer": the layer's counts, bit-identical rate,
   * speedups and memory saving in the GEMM rows' columns; the throughput columns (and load imbalance)
   * are NaN, written empty: a CPU layer's FLOP rate is not a figure of the product.
   */
  public GroupSummary asGroupRow() {
    return new GroupSummary(model, "layer", distribution, batches, errors, failedChecks, errors + failedChecks,
        bitIdenticalRate, speedupP50, speedupP90, speedupMin, savingP50, savingMax, savedBytesP50, Double.NaN,
        Double.NaN, Double.NaN);
  }

  private static LayerSummary summarize(String model, String distribution, List<LayerResult> rows) {
    List<LayerResult> ran = rows.stream().filter(r -> !r.isError()).toList();
    long errors = rows.size() - ran.size();
    long failed = ran.stream().filter(r -> r.status() == BatchStatus.MISMATCH).count();
    double identical = ran.isEmpty() ? Double.NaN : ran.stream().filter(LayerResult::bitIdentical).count() / (double) ran.size();
    Percentiles speedup = of(ran, LayerResult::speedup);
    Percentiles saving = of(ran, LayerResult::savedFraction);
    String backends = String.join(", ", ran.stream().map(LayerResult::backend).distinct().sorted().toList());
    List<LayerResult> fused = ran.stream().filter(r -> r.fusedMs() != null && r.unfusedMs() != null).toList();
    Percentiles fusedSpeedup = of(fused, r -> r.unfusedMs() / r.fusedMs());
    return new LayerSummary(model, distribution, rows.size(), errors, failed, identical,
        of(ran, LayerResult::paddedLayerMs).median(), of(ran, LayerResult::paddingFreeLayerMs).median(),
        speedup.median(), speedup.at(90), speedup.min(),
        of(ran, r -> r.paddedPeakBytes()).median(), of(ran, r -> r.paddingFreePeakBytes()).median(),
        saving.median(), saving.max(), of(ran, r -> r.savedBytes()).median(),
        of(fused, r -> r.fusedMs()).median(), fusedSpeedup.median(), fusedSpeedup.min(), fusedSpeedup.max(),
        of(ran, LayerResult::layerError).max(), of(ran, LayerResult::layerErrorBound).max(), backends);
  }

  private static Percentiles of(List<LayerResult> rows, ToDoubleFunction<LayerResult> value) {
    return Percentiles.of(rows.stream().mapToDouble(value).toArray());
  }

  private static String key(String value) {
    return value == null ? "" : value;
  }
}
