package org.padfree.evaluate;

import java.util.Locale;
import org.padfree.InvalidInputException;

/** Byte counts as settings write them: 1073741824, 512k, 512m, 2g or 1t (binary multiples). */
final class ByteSizes {
  private ByteSizes() {}

  static long parse(String field, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("b")) {
      t = t.substring(0, t.length() - 1);
    }
    int shift = 0;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'k' -> shift = 10;
        case 'm' -> shift = 20;
        case 'g' -> shift = 30;
        case 't' -> shift = 40;
        default -> shift = 0;
      }
    }
    String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
    if (!digits.matches("\\d{1,15}")) {
      throw new InvalidInputException(field, text, "expected a byte count such as 1073741824, 512m or 2g");
    }
    long value = Long.parseLong(digits);
    if (value > (Long.MAX_VALUE >> shift)) {
      throw new InvalidInputException(field, text, "is too large");
    }
    return value << shift;
  }
}
