package org.padfree;

/** Small checks shared by every public entry point; each throws {@link InvalidInputException}. */
public final class Validate {
  private Validate() {}

  /** Throws unless {@code condition}; the message names {@code field}, {@code value} and {@code reason}. */
  public static void require(boolean condition, String field, Object value, String reason) {
    if (!condition) {
      throw new InvalidInputException(field, value, reason);
    }
  }

  /**
   * Checks a name that becomes a folder (a run id, a spec name): letters, digits, '.', '_' and '-'
   * only, not starting with '.', so it can neither climb out of its parent ({@code ..}), name the
   * parent itself ({@code .}), hide, collide with padfree's hidden staging folders, nor need quoting.
   */
  public static String folderName(String field, String value) {
    require(isFolderName(value), field, value,
        "use letters, digits, '.', '_' and '-' only, not starting with '.' (it names a folder)");
    return value;
  }

  /** Whether {@code value} is fit to name a folder (see {@link #folderName}). */
  public static boolean isFolderName(String value) {
    return value != null && value.length() <= 200 && value.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  }

  public static int positive(String field, int value) {
    require(value > 0, field, value, "must be > 0");
    return value;
  }

  public static int nonNegative(String field, int value) {
    require(value >= 0, field, value, "must be >= 0");
    return value;
  }

  public static <T> T notNull(String field, T value) {
    require(value != null, field, "null", "is required");
    return value;
  }

  /** Throws unless {@code length == expected}; used for flat arrays whose size follows from a shape. */
  public static void length(String field, int length, long expected, String shape) {
    require(length == expected, field + ".length", length, "expected " + expected + " for " + shape);
  }

  /** Product of two non-negative ints as an int, or an error naming the field when it overflows. */
  public static int product(String field, int a, int b) {
    long p = (long) a * b;
    require(p <= Integer.MAX_VALUE, field, a + " x " + b, "exceeds 2^31-1 elements; split the batch");
    return (int) p;
  }
}
