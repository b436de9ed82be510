package org.padfree.dataset;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.cli.CommandLine;
import org.padfree.routing.RoutingDistribution;

/**
 * Command line of {@link GenerateDataset}. Options take {@code --name value} or {@code --name=value};
 * list options may be repeated or take comma lists (distribution lists split only at commas outside
 * parentheses, so {@code zipf(s=1.2,empty=8)} stays one item).
 *
 * @param models model names in first-mention order, no duplicates
 * @param distributions distributions in first-mention order, no duplicates
 * @param batches batches per (model, distribution)
 * @param partitions Spark partitions (= Parquet files); 0 picks one per 64 batches
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
    boolean help) {

  public static final String USAGE = """
      Usage: GenerateDataset --model NAME[,NAME...] --out PATH [options]

      Writes synthetic routed token batches as a Parquet dataset (schema: datasets/README.md).
      The output is a pure function of the options: the same command writes the same batches.

        --model NAME          model from conf/models, e.g. deepseek-v3; repeat or comma-separate (required)
        --distribution TEXT   routing distribution, e.g. balanced, uniform30, uniform0to2avg,
                              lognormal(sigma=1.0), zipf(s=1.2), lognormal(sigma=0.5,empty=4);
                              repeatable (default: all of the examples above)
        --batches N           batches per (model, distribution) (default 1)
        --tokens N | MIN:MAX  tokens per batch, or a range sampled uniformly per batch (default 4096)
        --seed N              base seed (default 0)
        --out PATH            output directory (Hadoop path: local, hdfs://, ...) (required)
        --conf-dir DIR        directory of model .properties files (default: the copy in the jar)
        --partitions N        Spark partitions, one Parquet file each (default: one per 64 batches)
        --overwrite           replace PATH if it exists (otherwise an existing PATH is an error)
        --help                print this text
      """;

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
      int min = CommandLine.parseInt("tokens", parts[0]);
      int max = parts.length == 2 ? CommandLine.parseInt("tokens", parts[1]) : min;
      Validate.require(min >= 0, "tokens", text, "must be >= 0");
      Validate.require(max >= min, "tokens", text, "MAX must be >= MIN");
      return new TokenRange(min, max);
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
    LinkedHashSet<String> models = new LinkedHashSet<>();
    LinkedHashSet<RoutingDistribution> distributions = new LinkedHashSet<>();
    int batches = 1;
    TokenRange tokens = new TokenRange(4096, 4096);
    long seed = 0;
    String out = null;
    String confDir = null;
    int partitions = 0;
    boolean overwrite = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      Validate.require(arg != null && arg.startsWith("--"), "argument", arg, "expected an --option; see --help");
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(2, equals) : arg.substring(2);
      if (name.equals("help") || name.equals("overwrite")) {
        Validate.require(equals < 0, "--" + name, arg, "takes no value");
        help |= name.equals("help");
        overwrite |= name.equals("overwrite");
        continue;
      }
      String value;
      if (equals > 0) {
        value = arg.substring(equals + 1);
      } else {
        Validate.require(i + 1 < args.length, "--" + name, "<none>", "needs a value; see --help");
        value = args[++i];
      }
      switch (name) {
        case "model" -> {
          for (String model : value.split(",")) {
            Validate.require(!model.isBlank(), "--model", value, "has an empty model name");
            models.add(model.trim().toLowerCase(Locale.ROOT));
          }
        }
        case "distribution" -> {
          for (String text : splitOutsideParentheses(value)) {
            distributions.add(RoutingDistribution.parse(text));
          }
        }
        case "batches" -> batches = Validate.positive("--batches", CommandLine.parseInt("--batches", value));
        case "tokens" -> tokens = TokenRange.parse(value);
        case "seed" -> seed = CommandLine.parseLong("--seed", value);
        case "out" -> out = value;
        case "conf-dir" -> confDir = value;
        case "partitions" -> partitions = Validate.positive("--partitions", CommandLine.parseInt("--partitions", value));
        default -> throw new InvalidInputException("option", arg, "unknown; see --help");
      }
    }
    if (!help) {
      Validate.require(!models.isEmpty(), "--model", "<none>", "is required; see --help");
      Validate.require(out != null && !out.isBlank(), "--out", out == null ? "<none>" : out, "is required; see --help");
    }
    if (distributions.isEmpty()) {
      distributions.addAll(RoutingDistribution.standardSet());
    }
    return new GenerateDatasetOptions(List.copyOf(models), List.copyOf(distributions), batches, tokens, seed, out,
        confDir, partitions, overwrite, help);
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
