package org.padfree.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.padfree.render.HumanFormat;
import org.padfree.results.LayerResult;

/**
 * The report's layer sections as tables of text cells, shared by report.md and index.html so they
 * cannot disagree: one table per model (layer time padded vs padding-free, peak activation memory per
 * form, checks; a row per distribution and the model's total) and the quantization study's table
 * (each scaling's error without and with outliers, per model). The texts say how to read them.
 */
final class LayerTables {
  private LayerTables() {}

  /** A titled table: headers, which columns are numeric (right-aligned), rows, and the total rows' flags. */
  record Table(String title, List<String> headers, List<Boolean> numeric, List<List<String>> rows,
      List<Boolean> totals) {}

  private record Column<T>(String label, boolean numeric, Function<T, String> cell) {}

  private static final List<Column<LayerSummary>> LAYER_COLUMNS = List.of(
      new Column<>("distribution", false, s -> s.isModelTotal() ? "all" : s.distribution()),
      new Column<>("batches", true, s -> HumanFormat.count(s.batches())),
      new Column<>("errors", true, s -> HumanFormat.count(s.errors())),
      new Column<>("failed checks", true, s -> HumanFormat.count(s.failedChecks())),
      new Column<>("padded ms p50", true, s -> HumanFormat.significant(s.paddedMsP50(), 3)),
      new Column<>("padding-free ms p50", true, s -> HumanFormat.significant(s.paddingFreeMsP50(), 3)),
      new Column<>("speedup p50", true, s -> HumanFormat.ratio(s.speedupP50())),
      new Column<>("peak padded p50", true, s -> HumanFormat.bytes(s.paddedPeakBytesP50())),
      new Column<>("peak padding-free p50", true, s -> HumanFormat.bytes(s.paddingFreePeakBytesP50())),
      new Column<>("memory saved p50", true, s -> HumanFormat.percent(s.savingP50())),
      new Column<>("bit-identical", true, s -> HumanFormat.percent(s.bitIdenticalRate())),
      new Column<>("layer error max", true, s -> scientific(s.layerErrorMax())),
      new Column<>("bound", true, s -> scientific(s.layerErrorBound())),
      new Column<>("backend", false, LayerSummary::backend));

  /** The fused epilogue's figures, after the speedup column, for runs that timed it. */
  private static final List<Column<LayerSummary>> FUSED_COLUMNS = List.of(
      new Column<>("fused ms p50", true, s -> HumanFormat.significant(s.fusedMsP50(), 3)),
      new Column<>("fused speedup p50 (min-max)", true, s -> HumanFormat.ratio(s.fusedSpeedupP50()) + " ("
          + HumanFormat.ratio(s.fusedSpeedupMin()) + "-" + HumanFormat.ratio(s.fusedSpeedupMax()) + ")"));

  private static List<Column<LayerSummary>> layerColumns(boolean fused) {
    if (!fused) {
      return LAYER_COLUMNS;
    }
    List<Column<LayerSummary>> columns = new ArrayList<>(LAYER_COLUMNS);
    int speedup = columns.stream().map(Column::label).toList().indexOf("speedup p50");
    columns.addAll(speedup + 1, FUSED_COLUMNS);
    return columns;
  }

  private static final List<Column<QuantizationSummary>> QUANT_COLUMNS = List.of(
      new Column<>("model", false, q -> q.model().equals(GroupSummary.ALL) ? "all models" : q.model()),
      new Column<>("batches", true, q -> HumanFormat.count(q.batches())),
      new Column<>("tokens", true, q -> HumanFormat.count(q.studyTokens())),
      new Column<>("per-tensor", true, q -> error(q.perTensorError())),
      new Column<>("per-tensor, outliers", true, q -> error(q.perTensorOutlierError())),
      new Column<>("per-token (per-channel)", true, q -> error(q.perTokenError())),
      new Column<>("per-token, outliers", true, q -> error(q.perTokenOutlierError())),
      new Column<>("1x128", true, q -> error(q.block128Error())),
      new Column<>("1x128, outliers", true, q -> error(q.block128OutlierError())),
      new Column<>("1x64", true, q -> error(q.block64Error())),
      new Column<>("1x64, outliers", true, q -> error(q.block64OutlierError())));

  static final String LAYERS_TITLE = "MoE layers";
  static final String QUANTIZATION_TITLE = "Quantization study";

  /** What a layer row is and how its columns are counted, printed above the per-model tables. */
  static final String LAYERS_LEAD = "Each batch's whole routed-expert layer (layers.parquet), in both forms: "
      + "dispatch, gate_up grouped GEMM (gate and up columns interleaved), h = bf16(silu(gate) * up), h quantized "
      + "to FP8 with 1x128 scales, down grouped GEMM, top-k combine with synthetic routing weights. The weights "
      + "are the GEMM rows' own weight bank. Layer times are wall times of the backend named in the last column "
      + "(the CPU reference's are not the product's figures); fused and unfused GPU layer times are not measured "
      + "on the CPU (null in layers.parquet). Peak memory counts activations only, weights excluded: the tokens "
      + "(FP8 + 1x128 scales) and the output (BF16) throughout, plus the largest pair of consecutive "
      + "intermediates of the dispatched rows (A and G, G and h, h and its FP8 form, that and D), the padded "
      + "form's padding rows counted in each. Checks: padded and padding-free outputs bit-identical, and the "
      + "layer error (DeepGEMM's measure, 1 - 2<x,y>/(<x,x>+<y,y>)) of sampled tokens against the layer in "
      + "double precision below the bound. Where the run timed the fused epilogue (GPU executors with "
      + "spark.padfree.layers.fused=true: gate_up's epilogue computes SwiGLU and writes FP8 with 1x128 scales, "
      + "so h never exists in BF16), the fused columns give its padding-free layer time and, per batch, the "
      + "unfused time over the fused one (above 1: fusing is faster); its error is held to the same bound.";

  /** How the study was made, with the outliers' fraction and factor as this run used them. */
  static String quantizationLead(List<QuantizationSummary> summaries) {
    QuantizationSummary total = summaries.get(summaries.size() - 1);
    return String.format(Locale.ROOT, "How much error each activation-scaling granularity adds to the layer, "
        + "on each batch's real routing and the layer's own weights (dequantized, so only activation scaling is "
        + "measured): both GEMM inputs (the tokens and h) fake-quantized to FP8 E4M3 with one scale per tensor, "
        + "per token (per-channel), per 1x128 or per 1x64 block, the layer computed in double and compared with "
        + "the unquantized layer (relative Frobenius error over a few sampled tokens per batch; root mean square "
        + "over batches). Outliers: %s of the tokens' hidden columns (at least one) multiplied by %s. E4M3 is "
        + "floating point, so without outliers the granularities differ by a few percent; with them per-tensor "
        + "is worst and the finer blocks best.", HumanFormat.percent(total.outlierFraction()),
        HumanFormat.significant(total.outlierFactor(), 3));
  }

  /** One table per model, its distributions then its total. */
  static List<Table> layerTables(List<LayerResult> layers) {
    List<Column<LayerSummary>> columns = layerColumns(layers.stream().anyMatch(r -> r.fusedMs() != null));
    List<Table> tables = new ArrayList<>();
    List<LayerSummary> current = new ArrayList<>();
    for (LayerSummary s : LayerSummary.of(layers)) {
      if (s.isRunTotal()) {
        break;
      }
      current.add(s);
      if (s.isModelTotal()) {
        tables.add(table(s.model(), columns, current, LayerSummary::isModelTotal));
        current = new ArrayList<>();
      }
    }
    return tables;
  }

  static Table quantizationTable(List<QuantizationSummary> summaries) {
    return table("", QUANT_COLUMNS, summaries, q -> q.model().equals(GroupSummary.ALL));
  }

  private static <T> Table table(String title, List<Column<T>> columns, List<T> items, Function<T, Boolean> total) {
    List<List<String>> rows = new ArrayList<>();
    List<Boolean> totals = new ArrayList<>();
    for (T item : items) {
      rows.add(columns.stream().map(c -> c.cell().apply(item)).toList());
      totals.add(total.apply(item));
    }
    return new Table(title, columns.stream().map(Column::label).toList(),
        columns.stream().map(Column::numeric).toList(), rows, totals);
  }

  private static String scientific(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2e", value) : HumanFormat.MISSING;
  }

  private static String error(double value) {
    return HumanFormat.significant(value, 3);
  }
}
