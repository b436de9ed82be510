package org.padfree.jobs;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.cli.CommandLine;
import org.padfree.model.GemmShape;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.padfree.sweep.Baselines;
import org.padfree.sweep.HistoryTable;
import org.padfree.sweep.PointResult;
import org.padfree.output.LocalPaths;
import org.padfree.output.RunFolder;
import org.padfree.capacity.CapacityCalculator;
import org.padfree.capacity.CapacityReportWriter;
import org.padfree.capacity.CapacitySpec;
import org.padfree.capacity.CapacityStudyResult;
import org.padfree.capacity.ScenarioResult;

/**
 * The cluster capacity study: from sweep results and a spec (conf/capacity/*.yaml), the GPUs, memory
 * headroom and cost of the padded and padding-free pipelines. Needs no Spark: it reads the sweep's
 * points files. Locally: scripts/capacity.sh. Exit status: 0 done (warnings are in the report),
 * 2 bad usage, spec or results (the message names the field), 4 could not write.
 */
public final class CapacityStudy {
  private CapacityStudy() {}

  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_CANNOT_RUN = 4;

  public static final String USAGE = """
      Usage: CapacityStudy --spec conf/capacity/NAME.yaml [options]

      Sizes a cluster for the spec's traffic from sweep results: per scenario (tokens per GPU batch x
      routing distribution) the GPUs needed by the padded and the padding-free pipelines, the memory
      headroom gained and the cost; writes OUT/RUN_ID/: index.html, report.md, capacity.json, capacity.csv.
      Figures between measured token counts are interpolated (linear in log2 tokens); outside them they
      are held at the nearest measured count and flagged as extrapolated.

      Exit status: 0 done (warnings are in the report and on stderr); 2 bad usage, spec or results
      (the message names the field); 4 the report could not be written.

        --spec FILE        capacity spec (YAML; README "Capacity studies" lists its fields) (required)
        --results R        sweep results: run:ID in the history, a points.csv/.parquet file or a sweep
                           report folder (default: the spec's results, else the latest run in the history)
        --history DIR      sweep history table (default: the spec's, else reports/sweeps/history)
        --out DIR          reports folder (default: the spec's out, else reports/capacity)
        --run-id ID        report folder name (default: NAME-yyyyMMdd-HHmmss)
        --help             print this text
      """;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    try {
      CommandLine cl = CommandLine.parse(args, Set.of("spec", "results", "history", "out", "run-id"), Set.of("help"));
      if (cl.has("help")) {
        System.out.print(USAGE);
        return EXIT_OK;
      }
      Validate.require(cl.has("spec"), "--spec", "<none>", "is required; e.g. --spec conf/capacity/qwen3-30b-cpu-demo.yaml");
      String runId = cl.last("run-id");
      if (runId != null) {
        Validate.folderName("--run-id", runId);
      }
      CapacitySpec spec = CapacitySpec.load(Path.of(cl.last("spec")));
      Instant now = Instant.now();
      if (runId == null) {
        runId = spec.name() + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(now);
      }
      String history = cl.has("history") ? cl.last("history") : spec.history();
      String results = cl.has("results") ? cl.last("results") : spec.results();
      Path historyPath = LocalPaths.of(cl.has("history") ? "--history" : "history (spec)", history);
      CapacityStudyResult result;
      Path dir;
      try (RunFolder folder = RunFolder.claim(cl.has("out") ? "--out" : "out (spec)",
          cl.has("out") ? cl.last("out") : spec.out(), "--run-id", runId, true)) {
        result = study(spec, cl.last("spec"), runId, now.toString(), results, new HistoryTable(historyPath));
        dir = folder.publish(staging -> CapacityReportWriter.writeAll(staging, result));
      }
      for (ScenarioResult s : result.scenarios()) {
        System.out.printf("padfree capacity: %d tokens/batch, %s: padded %d GPUs, padding-free %d GPUs (%d saved), "
            + "memory gained %.2f%% of GPU, %s%n", s.tokensPerBatch(), s.distribution(), s.paddedGpus(),
            s.paddingFreeGpus(), s.gpusSaved(), 100 * s.memoryGainedFraction(), s.method());
      }
      result.warnings().forEach(w -> System.err.println("padfree capacity: WARNING " + w));
      System.out.println("padfree capacity: report " + dir.resolve(CapacityReportWriter.INDEX_HTML));
      return EXIT_OK;
    } catch (InvalidInputException e) {
      System.err.println("CapacityStudy: " + e.getMessage());
      return EXIT_USAGE;
    } catch (UncheckedIOException e) {
      System.err.println("CapacityStudy: " + e.getMessage());
      return EXIT_CANNOT_RUN;
    }
  }

  /** The study on results from {@code results} (or the history's latest run); throws on bad input. */
  public static CapacityStudyResult study(CapacitySpec spec, String specFile, String runId, String createdAt,
      String results, HistoryTable history) {
    List<PointResult> rows;
    String source;
    if (results != null) {
      rows = Baselines.load(results, history);
      source = results;
    } else {
      List<HistoryTable.Run> runs = history.runs();
      if (runs.isEmpty()) {
        throw new InvalidInputException("results", "<none>", "no results given and the history table " + history.root()
            + " is empty; run a sweep first (scripts/sweep.sh) or pass --results");
      }
      rows = runs.getLast().rows();
      source = "run:" + runs.getLast().runId() + " (latest in " + history.root() + ")";
    }
    return study(spec, specFile, runId, createdAt, rows, source);
  }

  /** The study on given rows: pure arithmetic, what the tests check by hand. */
  public static CapacityStudyResult study(CapacitySpec spec, String specFile, String runId, String createdAt,
      List<PointResult> rows, String source) {
    ModelShape model;
    try {
      model = ModelCatalog.load(spec.confDir()).byName(spec.model());
    } catch (InvalidInputException e) {
      throw new InvalidInputException("model", spec.model(), e.reason());
    }
    int experts = spec.experts() > 0 ? spec.experts() : model.experts();
    int topK = spec.topK() > 0 ? spec.topK() : model.topK();
    int layers = spec.moeLayers() > 0 ? spec.moeLayers() : model.moeLayers();
    List<PointResult> shape = rows.stream()
        .filter(r -> r.baseModel().equals(model.name()) && r.experts() == experts && r.topK() == topK).toList();
    if (shape.isEmpty()) {
      throw new InvalidInputException("model", model.name() + " (experts " + experts + ", top_k " + topK + ")",
          "not in the sweep results " + source + "; they hold " + new TreeSet<>(rows.stream()
              .map(r -> r.baseModel() + " (experts " + r.experts() + ", top_k " + r.topK() + ")").toList()));
    }
    TreeSet<String> backends = new TreeSet<>(shape.stream().map(PointResult::backend).filter(b -> !b.isEmpty()).toList());
    String backend = spec.backend();
    if (backend == null) {
      if (backends.size() != 1) {
        throw new InvalidInputException("backend", "<none>", "the results hold " + backends + "; choose one in the spec");
      }
      backend = backends.first();
    } else if (!backends.contains(backend)) {
      throw new InvalidInputException("backend", backend, "no results on it; the results hold " + backends);
    }
    String chosen = backend;
    List<PointResult> measured = shape.stream().filter(r -> r.backend().equals(chosen)).toList();
    List<String> gemms = model.gemms().stream().map(GemmShape::name).toList();
    Map<String, List<CapacityCalculator.Measured>> curves = new LinkedHashMap<>();
    List<ScenarioResult> scenarios = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (int d = 0; d < spec.distributions().size(); d++) {
      String distribution = spec.distributions().get(d);
      List<CapacityCalculator.Measured> curve = CapacityCalculator.curve(measured, distribution, gemms, layers);
      if (curve.isEmpty()) {
        throw new InvalidInputException("distributions[" + d + "]", distribution, "no passing measurement of both "
            + gemms + " in the results; they hold " + new TreeSet<>(measured.stream().map(PointResult::distribution).toList()));
      }
      curves.put(distribution, curve);
      for (int tokens : spec.tokensPerBatch()) {
        ScenarioResult s = CapacityCalculator.scenario(spec, tokens, distribution, curve);
        scenarios.add(s);
        if (s.extrapolated()) {
          warnings.add("tokens_per_batch " + tokens + " with " + distribution + " needs extrapolation ("
              + s.method().replaceFirst("^extrapolated: ", "") + "); add " + tokens + " to the sweep's tokens to measure it.");
        }
        if (s.paddedPeakBytes() > spec.gpuMemoryGb() * CapacityCalculator.GB) {
          warnings.add("tokens_per_batch " + tokens + " with " + distribution + ": the padded path's activations alone ("
              + Math.round(s.paddedPeakBytes() / 1e9) + " GB) exceed the GPU's " + spec.gpuMemoryGb() + " GB.");
        }
      }
    }
    List<String> notes = new ArrayList<>();
    if (chosen.equals("cpu")) {
      notes.add("These figures come from CPU-backend sweeps: CPU timings are wall times of the exact reference, not GPU "
          + "figures, so GPU counts and costs here only illustrate the arithmetic. Run the sweep on the GPU for real plans.");
    }
    notes.add("Throughput counts the routed-expert grouped GEMMs of all " + layers + " MoE layers only; attention, "
        + "shared experts and communication are outside both pipelines' difference and not included.");
    String runs = String.join(", ", new TreeSet<>(measured.stream().map(PointResult::runId).toList()));
    return new CapacityStudyResult(spec, specFile, runId, createdAt, source, runs, model.name(), experts, topK, layers,
        chosen, scenarios, curves, warnings, notes);
  }
}
