package org.padfree.sweep;

import java.util.ArrayList;
import java.util.List;
import org.padfree.render.Percentiles;

/**
 * One run of a sweep reduced to headline figures, for the trend over the history: medians over the
 * run's points that passed, and the number of points with failures.
 *
 * @param medianTflops over the GEMM rows (layer rows have no TFLOP/s; likewise speedup and saved)
 * @param medianLayerSpeedup over the layer rows; NaN for a run without layers
 */
public record RunTrend(String runId, String startedAt, String gitRevision, double medianTflops, double medianSpeedup,
    double medianSaved, double medianLayerSpeedup, int failedPoints, int points) {

  /** The last {@code limit} runs of {@code sweep} in the history, oldest first. */
  public static List<RunTrend> of(List<HistoryTable.Run> runs, String sweep, int limit) {
    List<RunTrend> out = new ArrayList<>();
    for (HistoryTable.Run run : runs) {
      if (run.sweep().equals(sweep)) {
        out.add(of(run.runId(), run.rows()));
      }
    }
    return out.subList(Math.max(0, out.size() - limit), out.size());
  }

  public static RunTrend of(String runId, List<PointResult> rows) {
    List<PointResult> ok = rows.stream().filter(r -> r.failures() == 0).toList();
    List<PointResult> gemms = ok.stream().filter(r -> !r.isLayer()).toList();
    return new RunTrend(runId, rows.isEmpty() ? "" : rows.get(0).startedAt(),
        rows.isEmpty() ? "" : rows.get(0).gitRevision(),
        Percentiles.of(gemms.stream().mapToDouble(PointResult::paddingFreeTflops).toArray()).median(),
        Percentiles.of(gemms.stream().mapToDouble(PointResult::speedup).toArray()).median(),
        Percentiles.of(gemms.stream().mapToDouble(PointResult::savedFraction).toArray()).median(),
        Percentiles.of(ok.stream().filter(PointResult::isLayer).mapToDouble(PointResult::layerSpeedup).toArray()).median(),
        rows.size() - ok.size(), rows.size());
  }
}
