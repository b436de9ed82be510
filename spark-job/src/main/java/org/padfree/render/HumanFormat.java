package org.padfree.render;

import java.util.List;
import java.util.Locale;

/**
 * Numbers as people read them in report.md and index.html. Always {@link Locale#ROOT}, so a report
 * reads the same whatever the driver's locale; a missing (NaN or infinite) figure is {@value #MISSING}.
 * The machine-readable summaries keep full precision instead.
 */
public final class HumanFormat {
  private HumanFormat() {}

  public static final String MISSING = "n/a";

  private static final String[] BYTE_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  public static String decimal(double value, int places) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + places + "f", value) : MISSING;
  }

  /** {@code digits} significant digits, without exponent: 0.0761, 1.23, 4567. */
  public static String significant(double value, int digits) {
    if (!Double.isFinite(value)) {
      return MISSING;
    }
    if (value == 0) {
      return "0";
    }
    int magnitude = (int) Math.floor(Math.log10(Math.abs(value)));
    return decimal(value, Math.max(0, digits - 1 - magnitude));
  }

  /** A speedup: 1.23x. */
  public static String ratio(double value) {
    return Double.isFinite(value) ? decimal(value, 2) + "x" : MISSING;
  }

  /** A fraction as a percentage with one decimal: 0.1234 is 12.3%. */
  public static String percent(double fraction) {
    return Double.isFinite(fraction) ? decimal(fraction * 100, 1) + "%" : MISSING;
  }

  /** Bytes in binary units with three significant digits: 1.50 MiB. */
  public static String bytes(double bytes) {
    if (!Double.isFinite(bytes)) {
      return MISSING;
    }
    int unit = 0;
    double scaled = bytes;
    while (Math.abs(scaled) >= 1024 && unit < BYTE_UNITS.length - 1) {
      scaled /= 1024;
      unit++;
    }
    return (unit == 0 ? decimal(scaled, 0) : significant(scaled, 3)) + " " + BYTE_UNITS[unit];
  }

  public static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  public static String seconds(double seconds) {
    return Double.isFinite(seconds) ? decimal(seconds, 1) + " s" : MISSING;
  }

  /** A count with its noun: 1 row, 2 rows, 0 mismatches. */
  public static String plural(long n, String one, String many) {
    return count(n) + " " + (n == 1 ? one : many);
  }

  /** Items separated by commas, or "none". */
  public static String list(List<String> items) {
    return items.isEmpty() ? "none" : String.join(", ", items);
  }
}
