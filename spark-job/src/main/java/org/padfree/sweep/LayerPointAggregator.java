package org.padfree.sweep;

import java.util.List;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.padfree.render.Percentiles;
import org.padfree.results.LayerResult;

/**
 * Folds a grid point's layer rows (the layer stage of a sweep with layers) into its layer
 * {@link PointResult} ({@code gemm} = {@link PointResult#LAYER}). As for GEMM rows, figures are medians
 * over the batches that passed and failures count every batch that errored, failed a layer check
 * (outputs not bit-identical, or the error against the double reference above its bound) or returned
 * no row: a failed layer check is a failed check of the sweep, exactly as in the evaluation job.
 * The GEMM columns of a layer row are NaN (0 for bytes and n, k): a layer has two GEMMs and more.
 */
final class LayerPointAggregator {
  private LayerPointAggregator() {}

  static PointResult point(RunMetadata run, GridPoint p, int expected, List<LayerResult> rows) {
    List<LayerResult> ok = rows.stream().filter(LayerResult::isOk).toList();
    List<LayerResult> ran = rows.stream().filter(r -> !r.isError()).toList();
    int failures = rows.size() - ok.size() + Math.max(0, expected - rows.size());
    String failure = rows.stream().filter(r -> !r.isOk()).map(r -> r.status() + ": " + r.error()).findFirst()
        .orElse(rows.size() < expected ? "missing: " + (expected - rows.size()) + " batches returned no layer row" : "");
    TreeSet<String> backends = new TreeSet<>();
    TreeSet<String> devices = new TreeSet<>();
    TreeSet<String> hosts = new TreeSet<>();
    for (LayerResult r : rows) {
      PointAggregator.addIfSet(backends, r.backend());
      PointAggregator.addIfSet(devices, r.device());
      PointAggregator.addIfSet(hosts, r.host());
    }
    String device = String.join("; ", devices);
    String hardware = device + (hosts.isEmpty() ? "" : " on " + String.join(", ", hosts));
    double nan = Double.NaN;
    return new PointResult(run.runId(), run.sweep(), run.startedAt().toString(), run.gitRevision(), hardware,
        run.gpuDriver(), run.software(), run.sparkMaster(), run.sparkApplicationId(), run.sparkEventLogDir(),
        p.key(PointResult.LAYER), p.model(), p.baseModel(), p.experts(), p.topK(), p.tokens(), p.distribution(),
        PointResult.LAYER, 0, 0, p.backend().label(), p.repetitionsLabel(),
        String.join(",", backends), device, "", ran.isEmpty() ? 0 : 1, // each form of a layer runs once
        rows.size(), failures, failure,
        nan, nan, nan, nan, nan, nan, 0, 0, 0, nan,
        (int) ran.stream().filter(LayerResult::bitIdentical).count(),
        (int) ran.stream().filter(LayerResult::layerErrorPassed).count(),
        median(ok, LayerResult::paddedLayerMs), median(ok, LayerResult::paddingFreeLayerMs),
        median(ok, LayerResult::speedup), Math.round(PointAggregator.orZero(median(ok, r -> r.paddedPeakBytes()))),
        Math.round(PointAggregator.orZero(median(ok, r -> r.paddingFreePeakBytes()))),
        median(ok, LayerResult::savedFraction), Percentiles.of(ran.stream().mapToDouble(LayerResult::layerError)
            .toArray()).max());
  }

  private static double median(List<LayerResult> rows, ToDoubleFunction<LayerResult> metric) {
    return Percentiles.of(rows.stream().mapToDouble(metric).toArray()).median();
  }
}
