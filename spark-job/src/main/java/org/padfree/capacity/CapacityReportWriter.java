package org.padfree.capacity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.padfree.AtomicFiles;
import org.padfree.CsvText;
import org.padfree.render.HtmlPage;
import org.padfree.render.HumanFormat;

/** Writes a capacity study's folder: capacity.json, capacity.csv, report.md and index.html. */
public final class CapacityReportWriter {
  private CapacityReportWriter() {}

  public static final String INDEX_HTML = "index.html";
  public static final String REPORT_MD = "report.md";
  public static final String JSON = "capacity.json";
  public static final String CSV = "capacity.csv";

  /** How the figures were computed, for the study's time basis (the README works an example through). */
  static String method(TimeBasis basis) {
    String time = basis == TimeBasis.LAYER
        ? "Per GPU, tokens/s = tokens per batch / (MoE layers x layer time per batch), the layer's padded and "
            + "padding-free forms measured whole (the sweep's layer rows). "
        : "Per GPU, tokens/s = tokens per batch / (MoE layers x (gate_up + down time per batch)), "
            + "padding-free: the grouped GEMMs; padded: pad + padded grouped GEMMs (the results have no layer rows). ";
    String peak = basis == TimeBasis.LAYER ? "Peak activation bytes per GPU = the layer's peak of each form. "
        : "Peak activation bytes per GPU = the larger GEMM's peak of each path. ";
    return time + "GPUs = ceil(target / (tokens/s x (1 - headroom))). "
        + "Cost per hour = GPUs x price; per million tokens = cost per hour / (target x 3600) x 1e6; monthly saving = "
        + "(padded - padding-free cost per hour) x 730. " + peak
        + "Between measured token counts, tokens/s is interpolated linearly in log2(tokens) and bytes per token likewise "
        + "(times the planned tokens); outside them figures are held at the nearest measured count and flagged as extrapolated.";
  }

  public static void writeAll(Path dir, CapacityStudyResult r) {
    AtomicFiles.writeString(dir.resolve(CSV), csv(r));
    AtomicFiles.writeString(dir.resolve(JSON), json(r));
    AtomicFiles.writeString(dir.resolve(REPORT_MD), markdown(r));
    AtomicFiles.writeString(dir.resolve(INDEX_HTML), html(r));
  }

  private static final List<String> HEADERS = List.of("tokens/batch", "distribution", "how", "padded tokens/s/GPU",
      "padding-free tokens/s/GPU", "padded GPUs", "padding-free GPUs", "GPUs saved", "memory gained / GPU",
      "of GPU memory", "padded $/h", "padding-free $/h", "padded $/1M tokens", "padding-free $/1M tokens", "saving $/month");
  private static final boolean[] NUMERIC =
      {true, false, false, true, true, true, true, true, true, true, true, true, true, true, true};

  private static List<List<String>> rows(CapacityStudyResult r) {
    List<List<String>> rows = new ArrayList<>();
    for (ScenarioResult s : r.scenarios()) {
      rows.add(List.of(Integer.toString(s.tokensPerBatch()), s.distribution(),
          (s.extrapolated() ? HtmlPage.WARN : "") + s.method(),
          HumanFormat.significant(s.paddedTokensPerSecond(), 4), HumanFormat.significant(s.paddingFreeTokensPerSecond(), 4),
          Integer.toString(s.paddedGpus()), Integer.toString(s.paddingFreeGpus()), Integer.toString(s.gpusSaved()),
          HumanFormat.bytes(s.memoryGainedBytes()), HumanFormat.percent(s.memoryGainedFraction()),
          money(s.paddedCostPerHour()), money(s.paddingFreeCostPerHour()), money(s.paddedCostPerMillionTokens()),
          money(s.paddingFreeCostPerMillionTokens()), money(s.monthlySaving())));
    }
    return rows;
  }

  private static List<List<String>> facts(CapacityStudyResult r) {
    CapacitySpec s = r.spec();
    return List.of(
        List.of("study", s.name() + " (" + r.specFile() + ")" + (s.description().isEmpty() ? "" : ": " + s.description())),
        List.of("created", r.createdAt()),
        List.of("sweep results", r.source() + " (runs " + r.sweepRuns() + ")"),
        List.of("model", r.model() + ", " + r.experts() + " experts, top-" + r.topK() + ", " + r.moeLayers() + " MoE layers"),
        List.of("backend measured", r.backend()),
        List.of("time per token", r.basis().label() + ": " + r.basis().description()),
        List.of("target", HumanFormat.significant(s.targetTokensPerSecond(), 6) + " tokens/s, headroom "
            + HumanFormat.percent(s.headroom()) + " (GPUs planned at " + HumanFormat.percent(1 - s.headroom()) + " of measured)"),
        List.of("GPU", HumanFormat.significant(s.gpuMemoryGb(), 4) + " GB memory, " + money(s.pricePerGpuHour()) + " per GPU-hour"));
  }

  public static String html(CapacityStudyResult r) {
    HtmlPage page = new HtmlPage("padfree capacity " + r.runId(), "padfree capacity study", r.runId());
    page.verdict(r.warnings().isEmpty(), r.warnings().isEmpty() ? "Every figure lies within the measured token counts"
        : r.warnings().size() + " warning(s): some figures need extrapolation or exceed the GPU; see below");
    List<String> first = new ArrayList<>(r.warnings());
    first.addAll(r.notes());
    page.notes("Read this first", first);
    page.section("Study").facts(facts(r)).endSection();
    page.section("GPUs, memory and cost per scenario").table(HEADERS, NUMERIC, rows(r)).paragraph(method(r.basis())).endSection();
    page.section("Charts");
    page.figure(CapacityCharts.pairs(CapacityCharts.GPUS, "GPUs needed per scenario", "GPUs", r.scenarios(),
        s -> s.paddedGpus(), s -> s.paddingFreeGpus()), "GPUs to serve the target with the headroom; \u26a0 marks extrapolation.");
    page.figure(CapacityCharts.pairs(CapacityCharts.COST, "Cost per hour per scenario", "$ per hour", r.scenarios(),
        ScenarioResult::paddedCostPerHour, ScenarioResult::paddingFreeCostPerHour), "GPUs x price per GPU-hour.");
    page.figure(CapacityCharts.throughput(r.curves(), r.scenarios()),
        "Measured per-GPU throughput of the " + (r.basis() == TimeBasis.LAYER ? "whole MoE layers" : "MoE grouped GEMMs")
            + "; lines are the interpolation (linear in log2 tokens).");
    page.endSection();
    return page.build();
  }

  static String markdown(CapacityStudyResult r) {
    StringBuilder md = new StringBuilder("# padfree capacity study " + r.runId() + "\n\n");
    if (!r.warnings().isEmpty() || !r.notes().isEmpty()) {
      md.append("> **Read this first**\n");
      r.warnings().forEach(w -> md.append("> - \u26a0 ").append(w).append('\n'));
      r.notes().forEach(n -> md.append("> - ").append(n).append('\n'));
      md.append('\n');
    }
    md.append("## Study\n\n").append(HtmlPage.markdownTable(List.of("fact", "value"), new boolean[] {false, false}, facts(r)))
        .append("\n## GPUs, memory and cost per scenario\n\n").append(HtmlPage.markdownTable(HEADERS, NUMERIC, rows(r)))
        .append('\n').append(method(r.basis())).append('\n');
    return md.toString();
  }

  private static final List<String> CSV_COLUMNS = List.of("tokens_per_batch", "distribution", "method", "extrapolated",
      "padded_tokens_per_s", "padding_free_tokens_per_s", "padded_gpus", "padding_free_gpus", "gpus_saved",
      "padded_peak_bytes", "padding_free_peak_bytes", "memory_gained_bytes", "memory_gained_fraction",
      "padded_cost_per_hour", "padding_free_cost_per_hour", "padded_cost_per_million_tokens",
      "padding_free_cost_per_million_tokens", "monthly_saving", "time_basis");

  static String csv(CapacityStudyResult r) {
    List<List<String>> rows = new ArrayList<>();
    for (ScenarioResult s : r.scenarios()) {
      rows.add(Arrays.asList(Integer.toString(s.tokensPerBatch()), s.distribution(), s.method(),
          Boolean.toString(s.extrapolated()), num(s.paddedTokensPerSecond()), num(s.paddingFreeTokensPerSecond()),
          Integer.toString(s.paddedGpus()), Integer.toString(s.paddingFreeGpus()), Integer.toString(s.gpusSaved()),
          num(s.paddedPeakBytes()), num(s.paddingFreePeakBytes()), num(s.memoryGainedBytes()), num(s.memoryGainedFraction()),
          num(s.paddedCostPerHour()), num(s.paddingFreeCostPerHour()), num(s.paddedCostPerMillionTokens()),
          num(s.paddingFreeCostPerMillionTokens()), num(s.monthlySaving()), r.basis().label()));
    }
    return CsvText.write(CSV_COLUMNS, rows, CsvText.LF);
  }

  static String json(CapacityStudyResult r) {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("study", r.spec().name()).put("run_id", r.runId()).put("created_at", r.createdAt()).put("spec", r.specFile())
        .put("results", r.source()).put("sweep_runs", r.sweepRuns()).put("model", r.model()).put("experts", r.experts())
        .put("top_k", r.topK()).put("moe_layers", r.moeLayers()).put("backend", r.backend())
        .put("target_tokens_per_s", r.spec().targetTokensPerSecond()).put("headroom", r.spec().headroom())
        .put("gpu_memory_gb", r.spec().gpuMemoryGb()).put("price_per_gpu_hour", r.spec().pricePerGpuHour())
        .put("time_basis", r.basis().label()).put("method", method(r.basis()));
    ArrayNode warnings = root.putArray("warnings");
    r.warnings().forEach(warnings::add);
    ArrayNode notes = root.putArray("notes");
    r.notes().forEach(notes::add);
    ArrayNode scenarios = root.putArray("scenarios");
    for (ScenarioResult s : r.scenarios()) {
      ObjectNode n = scenarios.addObject();
      n.put("tokens_per_batch", s.tokensPerBatch()).put("distribution", s.distribution()).put("method", s.method())
          .put("extrapolated", s.extrapolated()).put("padded_tokens_per_s", s.paddedTokensPerSecond())
          .put("padding_free_tokens_per_s", s.paddingFreeTokensPerSecond()).put("padded_gpus", s.paddedGpus())
          .put("padding_free_gpus", s.paddingFreeGpus()).put("gpus_saved", s.gpusSaved())
          .put("padded_peak_bytes", s.paddedPeakBytes()).put("padding_free_peak_bytes", s.paddingFreePeakBytes())
          .put("memory_gained_bytes", s.memoryGainedBytes()).put("memory_gained_fraction", s.memoryGainedFraction())
          .put("padded_cost_per_hour", s.paddedCostPerHour()).put("padding_free_cost_per_hour", s.paddingFreeCostPerHour())
          .put("padded_cost_per_million_tokens", s.paddedCostPerMillionTokens())
          .put("padding_free_cost_per_million_tokens", s.paddingFreeCostPerMillionTokens())
          .put("monthly_saving", s.monthlySaving());
    }
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise capacity study " + r.runId(), e);
    }
  }

  private static String money(double v) {
    return Double.isFinite(v) ? "$" + (Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
        : HumanFormat.significant(v, 3)) : HumanFormat.MISSING;
  }

  /** Full precision; NaN (a figure that could not be computed) is the empty field. */
  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : null;
  }
}
