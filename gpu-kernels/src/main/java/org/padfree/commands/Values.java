package org.padfree.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.TypeConversionException;

/**
 * Option value conversions shared by every command line, with the reasons users read after "invalid
 * --option = value:". picocli turns a {@link TypeConversionException} into an error naming the option;
 * {@link CommandLines} words it the project's way.
 */
public final class Values {
  private Values() {}

  public static int integer(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("not an integer");
    }
  }

  public static long longInteger(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("not an integer");
    }
  }

  public static double number(String text) {
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("not a number");
    }
  }

  public static boolean bool(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (!t.equals("true") && !t.equals("false")) {
      throw new TypeConversionException("expected true or false");
    }
    return t.equals("true");
  }

  /** "auto" as -1, else a non-negative integer (options such as --repetitions N|auto). */
  public static int autoOrInteger(String text) {
    return text.trim().equalsIgnoreCase("auto") ? -1 : integer(text);
  }

  /** The items of repeated, comma-separated values, trimmed, blanks dropped, in order. */
  public static List<String> items(List<String> values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }
}
