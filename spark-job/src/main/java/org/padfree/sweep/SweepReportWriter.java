package org.padfree.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.padfree.AtomicFiles;
import org.padfree.render.HtmlPage;
import org.padfree.render.HumanFormat;
import org.padfree.table.RecordCsv;
import org.padfree.table.RecordFields;

/**
 * Writes a sweep run's report folder: points.csv (the history rows of this run; also the format of a
 * pinned baseline file), trend.json (run, comparison, findings, points), report.md and index.html.
 */
public final class SweepReportWriter {
  private SweepReportWriter() {}

  public static final String POINTS_CSV = "points.csv";
  public static final String TREND_JSON = "trend.json";
  public static final String REPORT_MD = "report.md";
  public static final String INDEX_HTML = "index.html";

  private static final RecordCsv<PointResult> CSV = new RecordCsv<>(PointResult.class, PointResult.ADDED_LATER);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  public static void writeAll(Path dir, SweepReport report) {
    AtomicFiles.writeString(dir.resolve(POINTS_CSV), CSV.write(report.rows()));
    AtomicFiles.writeString(dir.resolve(TREND_JSON), json(report));
    AtomicFiles.writeString(dir.resolve(REPORT_MD), markdown(report));
    AtomicFiles.writeString(dir.resolve(INDEX_HTML), html(report));
  }

  /** Reads a points.csv (a sweep's, or one edited into a baseline). */
  public static List<PointResult> readPointsCsv(Path file) {
    return CSV.read(file);
  }

  public static String html(SweepReport r) {
    HtmlPage page = new HtmlPage("padfree sweep " + r.run().runId(), "padfree sweep", r.run().runId());
    page.verdict(r.regressions().isEmpty(), r.verdict()).notes("Read this first", r.notes());
    page.section("Run").facts(facts(r)).endSection();
    page.section("Regressions and notes");
    List<List<String>> findings = findingRows(r);
    if (findings.isEmpty()) {
      page.paragraph("None: every point passed its checks and nothing moved beyond the thresholds.");
    } else {
      page.table(FINDING_HEADERS, new boolean[] {false, false, false, true, true, true, false}, findings);
    }
    page.endSection();
    page.section("Points").table(POINT_HEADERS, POINT_NUMERIC, pointRows(r)).paragraph(POINT_LEGEND).endSection();
    boolean layers = LayerPointTable.present(r);
    if (layers) {
      page.section(LayerPointTable.TITLE).table(LayerPointTable.HEADERS, LayerPointTable.NUMERIC, LayerPointTable.rows(r))
          .paragraph(LayerPointTable.LEGEND).endSection();
    }
    page.section("Charts");
    String primary = RegressionPolicy.PADDING_FREE_TFLOPS;
    page.figure(SweepCharts.change(r.findings(), r.previousRunId() != null ? TrendCheck.PREVIOUS : TrendCheck.BASELINE,
        primary), "Relative change per point; red bars are beyond the regression limit (dashed).");
    page.figure(SweepCharts.versusTokens(SweepCharts.SPEEDUP_VS_TOKENS, r.rows(), "speedup (x)",
        PointResult::speedup, 1), "Median speedup of padding-free over pad + padded GEMM, per point.");
    page.figure(SweepCharts.versusTokens(SweepCharts.SAVING_VS_TOKENS, r.rows(), "memory saved (%)",
        PointResult::savedFraction, 100), "Median share of the padded path's peak memory saved, per point.");
    page.figure(SweepCharts.trend(SweepCharts.TREND_TFLOPS, r.trend(), "padding-free TFLOP/s", RunTrend::medianTflops),
        "Over the history of this sweep; red points are runs with failed points.");
    page.figure(SweepCharts.trend(SweepCharts.TREND_SPEEDUP, r.trend(), "speedup (x)", RunTrend::medianSpeedup),
        "Over the history of this sweep.");
    if (layers) {
      page.figure(SweepCharts.versusTokens(SweepCharts.LAYER_SPEEDUP_VS_TOKENS, r.rows(), "layer speedup (x)",
          PointResult::layerSpeedup, 1), "Median speedup of the padding-free MoE layer over the padded one, per point"
          + " (the layer rows' backend's times).");
      page.figure(SweepCharts.trend(SweepCharts.TREND_LAYER_SPEEDUP, r.trend(), "layer speedup (x)",
          RunTrend::medianLayerSpeedup), "Over the history of this sweep; runs without layers are left out.");
    }
    page.endSection();
    return page.build();
  }

  static String markdown(SweepReport r) {
    StringBuilder md = new StringBuilder();
    md.append("# padfree sweep ").append(r.run().runId()).append("\n\n**").append(r.verdict()).append("**\n\n");
    if (!r.notes().isEmpty()) {
      md.append("> **Read this first**\n");
      r.notes().forEach(n -> md.append("> - ").append(n).append('\n'));
      md.append('\n');
    }
    md.append("## Run\n\n").append(HtmlPage.markdownTable(List.of("fact", "value"), new boolean[] {false, false},
        facts(r))).append("\n## Regressions and notes\n\n");
    List<List<String>> findings = findingRows(r);
    md.append(findings.isEmpty() ? "None.\n"
        : HtmlPage.markdownTable(FINDING_HEADERS, new boolean[] {false, false, false, true, true, true, false}, findings));
    md.append("\n## Points\n\n").append(HtmlPage.markdownTable(POINT_HEADERS, POINT_NUMERIC, pointRows(r)))
        .append('\n').append(POINT_LEGEND).append("\n\n");
    if (LayerPointTable.present(r)) {
      md.append("## ").append(LayerPointTable.TITLE).append("\n\n")
          .append(HtmlPage.markdownTable(LayerPointTable.HEADERS, LayerPointTable.NUMERIC, LayerPointTable.rows(r)))
          .append('\n').append(LayerPointTable.LEGEND).append("\n\n");
    }
    md.append("## Trend\n\n")
        .append(HtmlPage.markdownTable(List.of("run", "started", "git", "padding-free TFLOP/s", "speedup", "saved",
                "layer speedup", "failed points"),
            new boolean[] {false, false, false, true, true, true, true, true}, r.trend().stream().map(t -> List.of(t.runId(),
                t.startedAt(), t.gitRevision(), HumanFormat.significant(t.medianTflops(), 3),
                HumanFormat.ratio(t.medianSpeedup()), HumanFormat.percent(t.medianSaved()),
                HumanFormat.ratio(t.medianLayerSpeedup()), Integer.toString(t.failedPoints()))).toList()));
    return md.toString();
  }

  private static List<List<String>> facts(SweepReport r) {
    RunMetadata m = r.run();
    RegressionPolicy p = r.spec().regression();
    List<List<String>> facts = new ArrayList<>();
    facts.add(List.of("sweep", r.spec().name() + " (" + r.specFile() + ")"));
    if (!r.spec().description().isEmpty()) {
      facts.add(List.of("description", r.spec().description()));
    }
    facts.add(List.of("started", m.startedAt() + " (" + HumanFormat.seconds(r.wallSeconds()) + ")"));
    facts.add(List.of("git revision", m.gitRevision()));
    facts.add(List.of("hardware", String.join(" | ", r.rows().stream().map(PointResult::hardware).distinct().toList())));
    facts.add(List.of("GPU driver", m.gpuDriver()));
    facts.add(List.of("kernel configurations", String.join(" | ",
        r.rows().stream().map(PointResult::kernelConfig).filter(k -> !k.isEmpty()).distinct().limit(8).toList())));
    facts.add(List.of("software", m.software() + ", master " + m.sparkMaster()));
    facts.add(List.of("Spark application", m.sparkApplicationId() + "; event log "
        + org.padfree.spark.SparkApplication.eventLogText(m.sparkEventLogDir().isEmpty() ? null : m.sparkEventLogDir())));
    facts.add(List.of("history", r.historyRoot() + " (partition date=" + m.date() + "/run=" + m.runId() + ")"));
    facts.add(List.of("compared with", (r.previousRunId() == null ? "no previous run" : "previous run " + r.previousRunId())
        + "; " + (r.baselineLabel() == null ? "no pinned baseline" : "baseline " + r.baselineLabel())));
    facts.add(List.of("thresholds", "timing metrics " + HumanFormat.percent(p.threshold()) + " on GPUs, "
        + HumanFormat.percent(p.cpuThreshold()) + " on the CPU; memory saved " + HumanFormat.decimal(100 * p.memoryThreshold(), 2)
        + " points; gating metrics " + p.metrics() + " on GPUs, " + p.cpuMetrics() + " on the CPU; any failed check is a regression"));
    facts.add(List.of("exit status", r.exitStatus() + " (0 none, 1 failed checks, 3 metric regression)"));
    return facts;
  }

  private static final List<String> FINDING_HEADERS =
      List.of("point", "against", "metric", "now", "reference", "change", "note");

  private static List<List<String>> findingRows(SweepReport r) {
    List<List<String>> rows = new ArrayList<>();
    List<Finding> ordered = new ArrayList<>(r.regressions());
    r.findings().stream().filter(f -> !f.regression() && !f.note().isEmpty()).limit(100).forEach(ordered::add);
    for (Finding f : ordered) {
      String change = RegressionPolicy.isMemoryMetric(f.metric())
          ? HumanFormat.decimal(100 * f.change(), 2) + " pts" : HumanFormat.percent(f.change());
      if (f.metric().equals(TrendCheck.CORRECTNESS) || f.metric().isEmpty()) {
        change = "";
      }
      String note = (f.regression() ? HtmlPage.FLAG : "") + (f.note().isEmpty() ? "regression" : f.note());
      rows.add(List.of(f.pointKey(), f.against(), f.metric(), HumanFormat.significant(f.now(), 4),
          HumanFormat.significant(f.reference(), 4), change, note));
    }
    return rows;
  }

  private static final List<String> POINT_HEADERS = List.of("model", "gemm", "E", "top-k", "tokens", "distribution",
      "backend", "reps", "batches", "failures", "padding-free TFLOP/s", "padded TFLOP/s", "speedup", "saved",
      "vs previous", "vs baseline");
  private static final boolean[] POINT_NUMERIC =
      {false, false, true, true, true, false, false, true, true, true, true, true, true, true, true, true};
  private static final String POINT_LEGEND = "Medians over each point's batches that passed. \"vs previous\" and "
      + "\"vs baseline\" give the relative change of the padding-free TFLOP/s; flagged cells are "
      + "regressions (a change beyond the threshold on a metric that gates the point's backend).";

  private static List<List<String>> pointRows(SweepReport r) {
    String metric = RegressionPolicy.PADDING_FREE_TFLOPS;
    Map<String, Finding> previous = new HashMap<>();
    Map<String, Finding> baseline = new HashMap<>();
    for (Finding f : r.findings()) {
      if (f.metric().equals(metric)) {
        (f.against().equals(TrendCheck.PREVIOUS) ? previous : baseline).put(f.pointKey(), f);
      }
    }
    List<List<String>> rows = new ArrayList<>();
    for (PointResult p : r.rows()) {
      if (p.isLayer()) {
        continue; // in the "MoE layers" table
      }
      rows.add(List.of(p.model(), p.gemm(), Integer.toString(p.experts()), Integer.toString(p.topK()),
          Integer.toString(p.tokens()), p.distribution(), p.backend().isEmpty() ? p.requestedBackend() : p.backend(),
          p.repetitions(), Integer.toString(p.batches()),
          (p.failures() > 0 ? HtmlPage.FLAG : "") + p.failures(), HumanFormat.significant(p.paddingFreeTflops(), 3),
          HumanFormat.significant(p.paddedPathTflops(), 3), HumanFormat.ratio(p.speedup()),
          HumanFormat.percent(p.savedFraction()), changeCell(previous.get(p.pointKey())),
          changeCell(baseline.get(p.pointKey()))));
    }
    return rows;
  }

  static String changeCell(Finding f) {
    if (f == null || !Double.isFinite(f.change())) {
      return "";
    }
    return (f.regression() ? HtmlPage.FLAG : "") + (f.change() >= 0 ? "+" : "") + HumanFormat.percent(f.change());
  }

  static String json(SweepReport r) {
    ObjectNode root = NODES.objectNode();
    ObjectNode run = root.putObject("run");
    run.put("run_id", r.run().runId()).put("sweep", r.spec().name()).put("spec", r.specFile())
        .put("started_at", r.run().startedAt().toString()).put("date", r.run().date().toString())
        .put("git_revision", r.run().gitRevision()).put("gpu_driver", r.run().gpuDriver())
        .put("software", r.run().software()).put("spark_master", r.run().sparkMaster())
        .put("spark_application_id", r.run().sparkApplicationId())
        .put("spark_event_log_dir", r.run().sparkEventLogDir().isEmpty() ? null : r.run().sparkEventLogDir())
        .put("wall_seconds", r.wallSeconds()).put("history", r.historyRoot());
    root.put("verdict", r.verdict());
    root.put("exit_status", r.exitStatus());
    root.put("previous_run", r.previousRunId());
    root.put("baseline", r.baselineLabel());
    ArrayNode notes = root.putArray("notes");
    r.notes().forEach(notes::add);
    root.set("regressions", array(r.regressions()));
    root.set("findings", array(r.findings()));
    root.set("trend", array(r.trend()));
    root.set("points", array(r.rows()));
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the sweep report of " + r.run().runId(), e);
    }
  }

  /** Records as objects with snake_case keys; NaN and infinities as null (JSON has no such numbers). */
  @SuppressWarnings("unchecked")
  private static <T extends Record> ArrayNode array(List<T> records) {
    ArrayNode array = NODES.arrayNode();
    if (records.isEmpty()) {
      return array;
    }
    RecordFields<T> fields = new RecordFields<>((Class<T>) records.get(0).getClass());
    for (T record : records) {
      ObjectNode node = array.addObject();
      for (int i = 0; i < fields.size(); i++) {
        node.set(fields.names().get(i), value(fields.valueAt(record, i)));
      }
    }
    return array;
  }

  private static JsonNode value(Object v) {
    return switch (v) {
      case null -> NODES.nullNode();
      case Double d -> Double.isFinite(d) ? NODES.numberNode(d) : NODES.nullNode();
      case Integer i -> NODES.numberNode(i);
      case Long l -> NODES.numberNode(l);
      case Boolean b -> NODES.booleanNode(b);
      default -> NODES.textNode(v.toString());
    };
  }
}
