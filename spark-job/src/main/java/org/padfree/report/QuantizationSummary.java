package org.padfree.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.padfree.results.LayerResult;

/**
 * The quantization study of one model's layer rows (then of the whole run): each activation scaling's
 * layer error, without and with outlier columns, as the root mean square over the rows that ran. RMS,
 * not a mean of single batches: one batch's few sampled tokens move its error by 10-15%, more than the
 * granularities differ by without outliers, and squares weigh batches as the study's error is defined
 * (a relative Frobenius norm).
 *
 * @param batches layer rows with a study (rows that ran and sampled at least one token)
 * @param studyTokens sampled tokens, summed over those rows
 * @param outlierFraction share of the tokens' H columns scaled up in the with-outlier runs (at least one column)
 * @param outlierFactor what those columns were multiplied by
 */
public record QuantizationSummary(
    String model, long batches, long studyTokens, double outlierFraction, double outlierFactor,
    double perTensorError, double perTensorOutlierError, double perTokenError, double perTokenOutlierError,
    double block128Error, double block128OutlierError, double block64Error, double block64OutlierError) {

  /** One per model in name order, then the run's total (model {@link GroupSummary#ALL}). */
  public static List<QuantizationSummary> of(List<LayerResult> layers) {
    Map<String, List<LayerResult>> byModel = new TreeMap<>();
    List<LayerResult> studied = layers.stream().filter(r -> !r.isError() && r.studyTokens() > 0).toList();
    for (LayerResult r : studied) {
      byModel.computeIfAbsent(r.model() == null ? "" : r.model(), m -> new ArrayList<>()).add(r);
    }
    List<QuantizationSummary> out = new ArrayList<>();
    byModel.forEach((model, rows) -> out.add(summarize(model, rows)));
    out.add(summarize(GroupSummary.ALL, studied));
    return out;
  }

  private static QuantizationSummary summarize(String model, List<LayerResult> rows) {
    double fraction = rows.stream().mapToDouble(LayerResult::outlierFraction).max().orElse(Double.NaN);
    double factor = rows.stream().mapToDouble(LayerResult::outlierFactor).max().orElse(Double.NaN);
    return new QuantizationSummary(model, rows.size(), rows.stream().mapToLong(LayerResult::studyTokens).sum(),
        fraction, factor,
        rms(rows, LayerResult::perTensorError), rms(rows, LayerResult::perTensorOutlierError),
        rms(rows, LayerResult::perTokenError), rms(rows, LayerResult::perTokenOutlierError),
        rms(rows, LayerResult::block128Error), rms(rows, LayerResult::block128OutlierError),
        rms(rows, LayerResult::block64Error), rms(rows, LayerResult::block64OutlierError));
  }

  private static double rms(List<LayerResult> rows, ToDoubleFunction<LayerResult> error) {
    double[] values = rows.stream().mapToDouble(error).filter(Double::isFinite).toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (double v : values) {
      sum += v * v;
    }
    return Math.sqrt(sum / values.length);
  }
}
