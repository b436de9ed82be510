package org.padfree.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.padfree.Validate;

/**
 * A parsed command line of {@code --name value}, {@code --name=value} and bare {@code --flag}
 * arguments. Only declared names are accepted, so a typo is an error naming the argument rather
 * than an option silently ignored.
 */
public final class CommandLine {
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  private CommandLine() {}

  /**
   * @param withValue option names that take a value (may repeat)
   * @param flags option names that take none (a flag may also be given as --flag=true|false)
   */
  public static CommandLine parse(String[] args, Set<String> withValue, Set<String> flags) {
    CommandLine cl = new CommandLine();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      Validate.require(arg != null && arg.startsWith("--") && arg.length() > 2, "argument", arg,
          "expected an --option; see --help");
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(2, equals) : arg.substring(2);
      String value;
      if (flags.contains(name)) {
        value = equals > 0 ? arg.substring(equals + 1) : "true";
        Validate.require(value.equals("true") || value.equals("false"), "--" + name, value,
            "a flag takes no value, or =true / =false");
      } else if (withValue.contains(name)) {
        if (equals > 0) {
          value = arg.substring(equals + 1);
        } else {
          Validate.require(i + 1 < args.length, "--" + name, "<none>", "needs a value; see --help");
          value = args[++i];
        }
      } else {
        throw new org.padfree.InvalidInputException("argument", arg, "unknown option; see --help");
      }
      cl.values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return cl;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** Every value given for {@code name}, comma lists split, blanks dropped, in order. */
  public List<String> list(String name) {
    List<String> out = new ArrayList<>();
    for (String v : values.getOrDefault(name, List.of())) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  /** Every value given for {@code name}, unsplit. */
  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /** The last value given for {@code name}, or null. */
  public String last(String name) {
    List<String> v = values.get(name);
    return v == null ? null : v.get(v.size() - 1);
  }

  public static int parseInt(String field, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new org.padfree.InvalidInputException(field, text, "not an integer");
    }
  }

  public static long parseLong(String field, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new org.padfree.InvalidInputException(field, text, "not an integer");
    }
  }

  public static boolean parseBoolean(String field, String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    Validate.require(t.equals("true") || t.equals("false"), field, text, "expected true or false");
    return t.equals("true");
  }
}
