package org.padfree.dataset;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.commands.CommandLines;
import org.padfree.routing.RoutingDistribution;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line of {@link GenerateDataset} (picocli, set up by {@link CommandLines}). List options may be
 * repeated or take comma lists (distribution lists split only at commas outside parentheses, so
 * {@code zipf(s=1.2,empty=8)} stays one item).
 *
 * @param models model names in first-mention order, no duplicates
 * @param distributions distributions in first-mention order, no duplicates
 * @param batches batches per (model, distribution)
 * @param partitions Spark partitions (= Parquet files); 0 picks one per 64 batches
 * @param activations {@code none} (the default: evaluations make synthetic activations from each seed)
 *     or {@code fp8} (each batch stores its activations in the optional columns, see datasets/README.md)
 */
public record GenerateDatasetOptions(
    List<String> models,
    List<RoutingDistribution> distributions,
    int batches,
    TokenRange tokens,
    long seed,
    String out,
    String confDir,
    int partitions,
    boolean overwrite,
    boolean help,
    String activations) {

  /** The values of --activations. */
  public static final String ACTIVATIONS_NONE = "none";
  public static final String ACTIVATIONS_FP8 = "fp8";

  /** As the canonical constructor, without activations (none). */
  public GenerateDatasetOptions(List<String> models, List<RoutingDistribution> distributions, int batches,
      TokenRange tokens, long seed, String out, String confDir, int partitions, boolean overwrite, boolean help) {
    this(models, distributions, batches, tokens, seed, out, confDir, partitions, overwrite, help, ACTIVATIONS_NONE);
  }

  /** Whether batches store real activations. */
  public boolean withActivations() {
    return ACTIVATIONS_FP8.equals(activations);
  }

  /** The command line as typed: picocli fills it; {@link #parse} checks and resolves it. */
  @Command(name = "GenerateDataset", sortOptions = false, customSynopsis = "GenerateDataset --model NAME[,NAME...] --out PATH [options]",
      description = {
          "Writes synthetic routed token batches as a Parquet dataset (schema: datasets/README.md).",
          "The output is a pure function of the options: the same command writes the same batches.", ""})
  static final class Line {
    @Option(names = "--model", paramLabel = "NAME", description = "model from conf/models, e.g. deepseek-v3; repeat or comma-separate (required)")
    List<String> models = new ArrayList<>();
    @Option(names = "--distribution", paramLabel = "TEXT", description = {
        "routing distribution, e.g. balanced, uniform30, uniform0to2avg, lognormal(sigma=1.0),",
        "zipf(s=1.2), lognormal(sigma=0.5,empty=4); repeatable or comma-separated",
        "(default: all of these examples)"})
    List<String> distributions = new ArrayList<>();
    @Option(names = "--batches", paramLabel = "N", defaultValue = "1", description = "batches per (model, distribution) (default ${DEFAULT-VALUE})")
    int batches;
    @Option(names = "--tokens", paramLabel = "N|MIN:MAX", defaultValue = "4096",
        description = "tokens per batch, or a range sampled uniformly per batch (default ${DEFAULT-VALUE})")
    String tokens;
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "base seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", paramLabel = "PATH", description = "output directory (Hadoop path: local, hdfs://, ...) (required)")
    String out;
    @Option(names = "--conf-dir", paramLabel = "DIR", description = "directory of model .properties files (default: the copy in the jar)")
    String confDir;
    @Option(names = "--partitions", paramLabel = "N", description = "Spark partitions, one Parquet file each (default: one per 64 batches)")
    Integer partitions;
    @Option(names = "--overwrite", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
        description = "replace PATH if it exists (otherwise an existing PATH is an error)")
    boolean overwrite;
    @Option(names = "--activations", paramLabel = "none|fp8", defaultValue = "none", description = {
        "none: evaluations make synthetic activations from each batch's seed (default);",
        "fp8: store each batch's activations (BF16-like values from its seed, FP8 E4M3 with 1x128",
        "scales: columns activations_fp8 and activation_scales; tokens x hidden bytes per batch)"})
    String activations;
    @Option(names = "--help", usageHelp = true, description = "print this text")
    boolean help;
  }

  /** --help's text, generated from {@link Line}. */
  public static final String USAGE = CommandLines.usage(new Line(), option -> null);

  /** An inclusive range of token counts; a fixed count has {@code min == max}. */
  public record TokenRange(int min, int max) {
    public TokenRange {
      Validate.nonNegative("tokens (min)", min);
      Validate.require(max >= min, "tokens", min + ":" + max, "max must be >= min");
    }

    /** {@code N} or {@code MIN:MAX}. */
    public static TokenRange parse(String text) {
      String[] parts = text.trim().split(":", -1);
      Validate.require(parts.length <= 2, "tokens", text, "expected N or MIN:MAX");
      int min = count(text, parts[0]);
      int max = parts.length == 2 ? count(text, parts[1]) : min;
      Validate.require(min >= 0, "tokens", text, "must be >= 0");
      Validate.require(max >= min, "tokens", text, "MAX must be >= MIN");
      return new TokenRange(min, max);
    }

    private static int count(String text, String part) {
      try {
        return Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new InvalidInputException("tokens", text, "expected N or MIN:MAX with integers");
      }
    }

    public int sample(SplittableRandom random) {
      return min == max ? min : random.nextInt(min, max + 1);
    }

    @Override
    public String toString() {
      return min == max ? Integer.toString(min) : min + ":" + max;
    }
  }

  public static GenerateDatasetOptions parse(String... args) {
    Line line = CommandLines.parse(new Line(), option -> null, args);
    LinkedHashSet<String> models = new LinkedHashSet<>();
    for (String value : line.models) {
      for (String model : value.split(",")) {
        Validate.require(!model.isBlank(), "--model", value, "has an empty model name");
        models.add(model.trim().toLowerCase(Locale.ROOT));
      }
    }
    LinkedHashSet<RoutingDistribution> distributions = new LinkedHashSet<>();
    for (String value : line.distributions) {
      for (String text : splitOutsideParentheses(value)) {
        distributions.add(RoutingDistribution.parse(text));
      }
    }
    TokenRange tokens = TokenRange.parse(line.tokens);
    Validate.positive("--batches", line.batches);
    int partitions = line.partitions == null ? 0 : Validate.positive("--partitions", line.partitions);
    if (!line.help) {
      Validate.require(!models.isEmpty(), "--model", "<none>", "is required; see --help");
      Validate.require(line.out != null && !line.out.isBlank(), "--out", line.out == null ? "<none>" : line.out,
          "is required; see --help");
    }
    if (distributions.isEmpty()) {
      distributions.addAll(RoutingDistribution.standardSet());
    }
    String activations = line.activations.trim().toLowerCase(Locale.ROOT);
    Validate.require(activations.equals(ACTIVATIONS_NONE) || activations.equals(ACTIVATIONS_FP8), "--activations",
        line.activations, "expected none or fp8");
    return new GenerateDatasetOptions(List.copyOf(models), List.copyOf(distributions), line.batches,
        tokens, line.seed, line.out, line.confDir, partitions, line.overwrite, line.help, activations);
  }

  /** Splits at commas that are not inside parentheses. */
  static List<String> splitOutsideParentheses(String text) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        items.add(text.substring(start, i));
        start = i + 1;
      }
    }
    items.add(text.substring(start));
    return items;
  }
}
