package org.padfree.commands;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.padfree.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * picocli, set up once for every padfree command line (EvaluateJob, SweepJob, CapacityStudy,
 * GenerateDataset, gemm-bench), so they all behave alike: {@code --name value} and {@code --name=value},
 * a repeated option's last value wins (list options collect them all), no abbreviations, flags that
 * also take {@code =true|false}, and every error an {@link InvalidInputException} that names the option
 * as the user typed it and the value ("invalid --partitions = -1: ...").
 *
 * <p>A command is a class with picocli {@code @Option} fields; its usage text is generated from them
 * ({@link #usage}), so options, defaults and {@code --help} have one source.
 */
public final class CommandLines {
  private CommandLines() {}

  /**
   * Parses {@code args} into {@code command} (a fresh instance of a picocli {@code @Command} class)
   * and returns it. {@code defaults} gives an option's default by its long name (e.g. a Spark conf
   * key's value), or null for the annotation's own default.
   */
  public static <T> T parse(T command, Function<String, String> defaults, String... args) {
    CommandLine cl = configured(command, defaults);
    try {
      cl.parseArgs(args);
    } catch (ParameterException e) {
      throw translate(e);
    }
    return command;
  }

  /** The generated usage text of {@code command}, defaults shown as {@code defaults} gives them. */
  public static String usage(Object command, Function<String, String> defaults) {
    String text = configured(command, defaults).getUsageMessage(CommandLine.Help.Ansi.OFF);
    // The option list as the project's READMEs write it, "--out DIR" (picocli prints "--out=DIR");
    // both forms parse.
    return OPTION_WITH_VALUE.matcher(text).replaceAll("$1 ");
  }

  private static final java.util.regex.Pattern OPTION_WITH_VALUE =
      java.util.regex.Pattern.compile("(?m)^(\\s+(?:-\\w, )?--[\\w-]+)=(?=[^\\s\\[])");

  private static CommandLine configured(Object command, Function<String, String> defaults) {
    CommandLine cl = new CommandLine(command);
    cl.setAbbreviatedOptionsAllowed(false);
    cl.setOverwrittenOptionsAllowed(true);
    cl.setUnmatchedArgumentsAllowed(false);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setToggleBooleanFlags(false);
    cl.setTrimQuotes(false);
    cl.setUsageHelpWidth(120);
    cl.setUsageHelpLongOptionsMaxWidth(28);
    cl.registerConverter(Integer.class, text -> Values.integer(text));
    cl.registerConverter(Integer.TYPE, text -> Values.integer(text));
    cl.registerConverter(Long.class, text -> Values.longInteger(text));
    cl.registerConverter(Long.TYPE, text -> Values.longInteger(text));
    cl.registerConverter(Double.class, text -> Values.number(text));
    cl.registerConverter(Double.TYPE, text -> Values.number(text));
    cl.registerConverter(Boolean.class, text -> Values.bool(text));
    cl.registerConverter(Boolean.TYPE, text -> Values.bool(text));
    cl.setDefaultValueProvider(spec -> spec instanceof OptionSpec o ? defaults.apply(o.longestName()) : null);
    return cl;
  }

  /** picocli's parse error as the project's: the option as typed, its value, and why. */
  private static InvalidInputException translate(ParameterException e) {
    if (e instanceof CommandLine.UnmatchedArgumentException u) {
      List<String> unmatched = u.getUnmatched();
      String arg = unmatched.isEmpty() ? "" : unmatched.get(0);
      return new InvalidInputException("argument", arg,
          arg.startsWith("-") ? "unknown option; see --help" : "expected an --option; see --help");
    }
    ArgSpec arg = e.getArgSpec();
    String field = arg instanceof OptionSpec o ? o.longestName() : "argument";
    if (e instanceof CommandLine.MissingParameterException m) {
      if (arg == null && !m.getMissing().isEmpty() && m.getMissing().get(0) instanceof OptionSpec o) {
        field = o.longestName();
      }
      return new InvalidInputException(field, "<none>", "needs a value; see --help");
    }
    Throwable cause = e.getCause();
    while (cause != null && !(cause instanceof InvalidInputException)) {
      cause = cause.getCause();
    }
    if (cause instanceof InvalidInputException invalid) {
      return invalid.field().isEmpty() ? new InvalidInputException(field, invalid.value(), invalid.reason()) : invalid;
    }
    String value = e.getValue() == null ? "<none>" : e.getValue();
    String reason = e.getCause() instanceof CommandLine.TypeConversionException t ? t.getMessage()
        : e.getMessage().toLowerCase(Locale.ROOT).replace("'", "");
    return new InvalidInputException(field, value, reason);
  }
}
