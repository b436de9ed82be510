package org.padfree.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.padfree.render.HtmlPage;
import org.padfree.render.HumanFormat;

/**
 * The sweep report's "MoE layers" table: one line per grid point's layer row ({@link PointResult#LAYER}),
 * shown only when the sweep ran with layers. Kept apart from the GEMM points table because a layer's
 * figures (times of the whole layer, its peak memory, its checks) are other columns than a GEMM's.
 */
final class LayerPointTable {
  private LayerPointTable() {}

  static final String TITLE = "MoE layers";

  static final List<String> HEADERS = List.of("model", "E", "top-k", "tokens", "distribution", "backend", "batches",
      "failures", "padded ms", "padding-free ms", "speedup", "padded peak", "padding-free peak", "saved",
      "bit-identical", "error within bound", "largest error", "vs previous", "vs baseline");
  static final boolean[] NUMERIC = {false, true, true, true, false, false, true, true, true, true, true, true, true, true,
      true, true, true, true, true};
  static final String LEGEND = "Each grid point's whole MoE layer (dispatch, gate_up, SwiGLU, FP8 quantization, down, "
      + "top-k combine), padded and padding-free forms on the same batches: medians over the batches that passed; peak "
      + "activation memory of each form, weights excluded; \"bit-identical\" and \"error within bound\" count the batches "
      + "whose two forms agree bit for bit, and those whose error against the double-precision layer is within its "
      + "bound. \"vs previous\" and \"vs baseline\" give the relative change of the layer speedup; flagged "
      + "cells are regressions.";

  static boolean present(SweepReport r) {
    return r.rows().stream().anyMatch(PointResult::isLayer);
  }

  static List<List<String>> rows(SweepReport r) {
    Map<String, Finding> previous = new HashMap<>();
    Map<String, Finding> baseline = new HashMap<>();
    for (Finding f : r.findings()) {
      if (f.metric().equals(RegressionPolicy.LAYER_SPEEDUP)) {
        (f.against().equals(TrendCheck.PREVIOUS) ? previous : baseline).put(f.pointKey(), f);
      }
    }
    List<List<String>> rows = new ArrayList<>();
    for (PointResult p : r.rows()) {
      if (!p.isLayer()) {
        continue;
      }
      rows.add(List.of(p.model(), Integer.toString(p.experts()), Integer.toString(p.topK()),
          Integer.toString(p.tokens()), p.distribution(), p.backend().isEmpty() ? p.requestedBackend() : p.backend(),
          Integer.toString(p.batches()), (p.failures() > 0 ? HtmlPage.FLAG : "") + p.failures(),
          HumanFormat.significant(p.paddedLayerMs(), 3), HumanFormat.significant(p.paddingFreeLayerMs(), 3),
          HumanFormat.ratio(p.layerSpeedup()), HumanFormat.bytes(p.paddedLayerPeakBytes()),
          HumanFormat.bytes(p.paddingFreeLayerPeakBytes()), HumanFormat.percent(p.layerSavedFraction()),
          p.layerBitIdentical() + " of " + p.batches(), p.layerErrorPassed() + " of " + p.batches(),
          HumanFormat.significant(p.layerErrorMax(), 2), SweepReportWriter.changeCell(previous.get(p.pointKey())),
          SweepReportWriter.changeCell(baseline.get(p.pointKey()))));
    }
    return rows;
  }
}
