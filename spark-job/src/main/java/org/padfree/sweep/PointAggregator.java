package org.padfree.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.padfree.results.BatchResult;
import org.padfree.results.LayerResult;
import org.padfree.model.GemmShape;
import org.padfree.model.ModelCatalog;
import org.padfree.render.Percentiles;

/**
 * Folds the evaluation's result rows into one {@link PointResult} per grid point and GEMM. Figures
 * are medians over the point's batches that passed, because a median is what one slow batch (a GC
 * pause, a neighbour's build) moves least; failures are counted over all of them.
 */
public final class PointAggregator {
  private PointAggregator() {}

  /**
   * One row per point and requested GEMM, and with {@code layerRows} (a sweep with layers) one layer row
   * per point after them ({@link LayerPointAggregator}).
   *
   * @param inputPoints the grid point of each evaluated input, by input index (the position of its
   *     batch in the evaluated list): rows are matched by index, since an error row may not carry the
   *     batch id (a task whose backend is unavailable reports its inputs without reading them)
   * @param layerRows the layer stage's rows, or null when the sweep did not ask for layers (an empty
   *     list means it asked and got none: every point's layer row then counts its batches as missing)
   */
  public static List<PointResult> aggregate(RunMetadata run, List<GridPoint> points, List<GridPoint> inputPoints,
      List<String> gemms, int batchesPerPoint, List<BatchResult> results, List<LayerResult> layerRows,
      ModelCatalog catalog) {
    Map<String, List<BatchResult>> byKey = new HashMap<>();
    for (BatchResult r : results) {
      byKey.computeIfAbsent(pointOf(inputPoints, r.inputIndex(), r.batchId()).key(r.gemm()), k -> new ArrayList<>())
          .add(r);
    }
    Map<String, List<LayerResult>> layersByKey = new HashMap<>();
    for (LayerResult r : layerRows == null ? List.<LayerResult>of() : layerRows) {
      layersByKey.computeIfAbsent(pointOf(inputPoints, r.inputIndex(), r.batchId()).key(PointResult.LAYER),
          k -> new ArrayList<>()).add(r);
    }
    List<PointResult> out = new ArrayList<>();
    for (GridPoint p : points) {
      for (GemmShape gemm : catalog.byName(p.model()).gemms()) {
        if (gemms.contains(gemm.name())) {
          out.add(point(run, p, gemm, batchesPerPoint, byKey.getOrDefault(p.key(gemm.name()), List.of())));
        }
      }
      if (layerRows != null) {
        out.add(LayerPointAggregator.point(run, p, batchesPerPoint,
            layersByKey.getOrDefault(p.key(PointResult.LAYER), List.of())));
      }
    }
    return out;
  }

  private static GridPoint pointOf(List<GridPoint> inputPoints, long inputIndex, String batchId) {
    if (inputIndex < 0 || inputIndex >= inputPoints.size()) {
      throw new IllegalStateException("result row of input " + inputIndex + " (batch " + batchId
          + ") belongs to no grid point");
    }
    return inputPoints.get((int) inputIndex);
  }

  static PointResult point(RunMetadata run, GridPoint p, GemmShape gemm, int expected, List<BatchResult> rows) {
    List<BatchResult> ok = rows.stream().filter(BatchResult::isOk).toList();
    int failures = rows.size() - ok.size() + Math.max(0, expected - rows.size());
    String failure = rows.stream().filter(r -> !r.isOk()).map(r -> r.status() + ": " + r.error()).findFirst()
        .orElse(rows.size() < expected ? "missing: " + (expected - rows.size()) + " batches returned no row" : "");
    TreeSet<String> backends = new TreeSet<>();
    TreeSet<String> devices = new TreeSet<>();
    TreeSet<String> hosts = new TreeSet<>();
    TreeSet<String> kernels = new TreeSet<>();
    int repetitionsUsed = 0;
    for (BatchResult r : rows) {
      addIfSet(backends, r.backend());
      addIfSet(devices, r.device());
      addIfSet(hosts, r.host());
      addIfSet(kernels, r.kernelConfig());
      repetitionsUsed = Math.max(repetitionsUsed, r.repetitions());
    }
    String device = String.join("; ", devices);
    String hardware = device + (hosts.isEmpty() ? "" : " on " + String.join(", ", hosts));
    return new PointResult(run.runId(), run.sweep(), run.startedAt().toString(), run.gitRevision(), hardware,
        run.gpuDriver(), run.software(), run.sparkMaster(), run.sparkApplicationId(), run.sparkEventLogDir(),
        p.key(gemm.name()), p.model(), p.baseModel(), p.experts(), p.topK(), p.tokens(), p.distribution(),
        gemm.name(), gemm.n(), gemm.k(), p.backend().label(), p.repetitionsLabel(),
        String.join(",", backends), device, String.join("; ", kernels), repetitionsUsed, rows.size(), failures, failure,
        median(ok, BatchResult::paddingFreeTflops), median(ok, BatchResult::paddedPathTflops),
        median(ok, BatchResult::speedup), median(ok, BatchResult::paddingFreeGemmMs),
        median(ok, r -> r.padMs() + r.paddedGemmMs()), median(ok, BatchResult::savedFraction),
        Math.round(orZero(median(ok, r -> r.savedBytes()))), Math.round(orZero(median(ok, r -> r.paddingFreePeakBytes()))),
        Math.round(orZero(median(ok, r -> r.paddedPeakBytes()))), median(ok, BatchResult::loadImbalance),
        0, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN); // layer columns: a GEMM row has none
  }

  private static double median(List<BatchResult> rows, ToDoubleFunction<BatchResult> metric) {
    return Percentiles.of(rows.stream().mapToDouble(metric).toArray()).median();
  }

  static double orZero(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  static void addIfSet(TreeSet<String> set, String value) {
    if (value != null && !value.isEmpty()) {
      set.add(value);
    }
  }
}
