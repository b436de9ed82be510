package org.padfree.capacity;

import org.padfree.Validate;
import org.padfree.commands.CommandLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line of CapacityStudy (picocli, set up by {@link CommandLines}). Options left out fall
 * back to the spec's fields of the same meaning, resolved by the study.
 */
@Command(name = "CapacityStudy", sortOptions = false, customSynopsis = "CapacityStudy --spec conf/capacity/NAME.yaml [options]",
    description = {
        "Sizes a cluster for the spec's traffic from sweep results: per scenario (tokens per GPU batch x routing",
        "distribution) the GPUs needed by the padded and the padding-free pipelines, the memory headroom gained",
        "and the cost; writes OUT/RUN_ID/: index.html, report.md, capacity.json, capacity.csv. Figures between",
        "measured token counts are interpolated (linear in log2 tokens); outside them they are held at the",
        "nearest measured count and flagged as extrapolated.",
        "",
        "Exit status: 0 done (warnings are in the report and on stderr); 2 bad usage, spec or results (the",
        "message names the field); 4 the report could not be written.", ""})
public final class CapacityOptions {
  @Option(names = "--spec", paramLabel = "FILE", description = "capacity spec (YAML; README \"Capacity studies\" lists its fields) (required)")
  private String spec;
  @Option(names = "--results", paramLabel = "R", description = {
      "sweep results: run:ID in the history, a points.csv/.parquet file or a sweep report folder",
      "(default: the spec's results, else the latest run in the history)"})
  private String results;
  @Option(names = "--history", paramLabel = "DIR", description = "sweep history table (default: the spec's, else reports/sweeps/history)")
  private String history;
  @Option(names = "--out", paramLabel = "DIR", description = "reports folder (default: the spec's out, else reports/capacity)")
  private String out;
  @Option(names = "--run-id", paramLabel = "ID", description = "report folder name (default: NAME-yyyyMMdd-HHmmss)")
  private String runId;
  @Option(names = "--help", usageHelp = true, description = "print this text")
  private boolean help;

  /** --help's text, generated from the options above. */
  public static final String USAGE = CommandLines.usage(new CapacityOptions(), option -> null);

  private CapacityOptions() {}

  public static CapacityOptions parse(String... args) {
    CapacityOptions o = CommandLines.parse(new CapacityOptions(), option -> null, args);
    if (!o.help) {
      Validate.require(o.spec != null, "--spec", "<none>", "is required; e.g. --spec conf/capacity/qwen3-30b-cpu-demo.yaml");
      if (o.runId != null) {
        Validate.folderName("--run-id", o.runId);
      }
    }
    return o;
  }

  public String spec() {
    return spec;
  }

  /** null: the spec's. */
  public String results() {
    return results;
  }

  /** null: the spec's. */
  public String history() {
    return history;
  }

  /** null: the spec's. */
  public String out() {
    return out;
  }

  /** null: the spec's name and the time. */
  public String runId() {
    return runId;
  }

  public boolean help() {
    return help;
  }
}
