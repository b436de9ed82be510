package org.padfree.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * A routing distribution: a load shape ({@link ExpertWeights}) plus a number of experts that get no
 * tokens at all. Empty experts are orthogonal to the shape because real routers leave experts idle
 * under any skew, and an empty group is the case padding-free layouts must get right.
 *
 * <p>Text form (what datasets store and command lines take), parsed by {@link #parse} and printed by
 * {@link #toString} so that {@code parse(d.toString()).equals(d)}:
 * <pre>
 *   distribution := name [ "(" param { "," param } ")" ]
 *   name         := balanced | uniform30 | uniform0to2avg | lognormal | zipf
 *   param        := sigma=DOUBLE (lognormal, required) | s=DOUBLE (zipf, required) | empty=INT (any)
 * </pre>
 * e.g. {@code balanced}, {@code uniform30}, {@code lognormal(sigma=1.0)}, {@code zipf(s=1.2,empty=8)}.
 * Names and keys ignore case and spaces; the printed form is lower case with no spaces.
 */
public record RoutingDistribution(ExpertWeights weights, int emptyExperts) {

  private static final Pattern FORM = Pattern.compile("([a-z0-9]+)(?:\\((.*)\\))?");
  private static final String EMPTY = "empty";

  public RoutingDistribution {
    Validate.notNull("distribution weights", weights);
    Validate.require(emptyExperts >= 0, EMPTY, emptyExperts, "must be >= 0");
  }

  /** The same load shape with no forced-empty experts. */
  public static RoutingDistribution of(ExpertWeights weights) {
    return new RoutingDistribution(weights, 0);
  }

  /** This distribution with {@code count} experts forced to zero tokens. */
  public RoutingDistribution withEmptyExperts(int count) {
    return new RoutingDistribution(weights, count);
  }

  /**
   * One of each load shape with typical parameters, plus an empty-expert case: the default set for
   * datasets and sweeps. Four empty experts fit every shipped model (Mixtral allows 8 - 2 = 6).
   */
  public static List<RoutingDistribution> standardSet() {
    return List.of(
        of(new ExpertWeights.Balanced()),
        of(new ExpertWeights.Uniform30()),
        of(new ExpertWeights.UniformZeroToTwoAvg()),
        of(new ExpertWeights.LogNormal(1.0)),
        of(new ExpertWeights.Zipf(1.2)),
        new RoutingDistribution(new ExpertWeights.LogNormal(0.5), 4));
  }

  /** Parses the text form; every error names the whole text. */
  public static RoutingDistribution parse(String text) {
    Validate.notNull("distribution", text);
    String compact = text.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    Matcher matcher = FORM.matcher(compact);
    if (!matcher.matches()) {
      throw bad(text, "expected NAME or NAME(key=value,...), e.g. lognormal(sigma=1.0)");
    }
    String name = matcher.group(1);
    Map<String, String> params = parameters(text, matcher.group(2));
    ExpertWeights weights = switch (name) {
      case "balanced" -> new ExpertWeights.Balanced();
      case "uniform30" -> new ExpertWeights.Uniform30();
      case "uniform0to2avg" -> new ExpertWeights.UniformZeroToTwoAvg();
      case "lognormal" -> new ExpertWeights.LogNormal(requiredDouble(text, params, "sigma"));
      case "zipf" -> new ExpertWeights.Zipf(requiredDouble(text, params, "s"));
      default -> throw bad(text,
          "unknown distribution '" + name + "'; known: balanced, uniform30, uniform0to2avg, lognormal, zipf");
    };
    int empty = 0;
    String emptyText = params.remove(EMPTY);
    if (emptyText != null) {
      try {
        empty = Integer.parseInt(emptyText);
      } catch (NumberFormatException e) {
        throw bad(text, "empty=" + emptyText + " is not an integer");
      }
      if (empty < 0) {
        throw bad(text, "empty=" + empty + " must be >= 0");
      }
    }
    if (!params.isEmpty()) {
      throw bad(text, "unknown parameter(s) " + params.keySet() + " for " + name
          + "; allowed: " + allowedKeys(name));
    }
    return new RoutingDistribution(weights, empty);
  }

  /** The canonical text form, e.g. {@code lognormal(sigma=0.5,empty=8)}. */
  @Override
  public String toString() {
    List<String> params = new ArrayList<>(weights.parameters());
    if (emptyExperts > 0) {
      params.add(EMPTY + "=" + emptyExperts);
    }
    return params.isEmpty() ? weights.name() : weights.name() + "(" + String.join(",", params) + ")";
  }

  private static Map<String, String> parameters(String text, String list) {
    Map<String, String> params = new LinkedHashMap<>();
    if (list == null) {
      return params;
    }
    if (list.isEmpty()) {
      throw bad(text, "empty parentheses; leave them out or give key=value parameters");
    }
    for (String item : list.split(",", -1)) {
      int equals = item.indexOf('=');
      if (equals <= 0 || equals == item.length() - 1) {
        throw bad(text, "parameter '" + item + "' is not key=value");
      }
      String key = item.substring(0, equals);
      if (params.put(key, item.substring(equals + 1)) != null) {
        throw bad(text, "parameter '" + key + "' given twice");
      }
    }
    return params;
  }

  private static double requiredDouble(String text, Map<String, String> params, String key) {
    String value = params.remove(key);
    if (value == null) {
      throw bad(text, "missing parameter " + key + ", e.g. " + (key.equals("s") ? "zipf(s=1.2)" : "lognormal(sigma=1.0)"));
    }
    double parsed;
    try {
      parsed = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw bad(text, key + "=" + value + " is not a number");
    }
    if (!Double.isFinite(parsed) || parsed < 0) {
      throw bad(text, key + "=" + value + " must be finite and >= 0");
    }
    return parsed;
  }

  private static List<String> allowedKeys(String name) {
    return switch (name) {
      case "lognormal" -> List.of("sigma", EMPTY);
      case "zipf" -> List.of("s", EMPTY);
      default -> List.of(EMPTY);
    };
  }

  private static InvalidInputException bad(String text, String reason) {
    return new InvalidInputException("distribution", text, reason);
  }
}
