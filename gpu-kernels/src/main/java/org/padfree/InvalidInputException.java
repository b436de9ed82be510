package org.padfree;

/**
 * Bad input at a public entry point. The message always names the offending field and its value,
 * so a user can find the row, option or array element that caused it without a debugger.
 */
public final class InvalidInputException extends IllegalArgumentException {
  private final String field;
  private final String value;
  private final String reason;

  public InvalidInputException(String field, Object value, String reason) {
    super("invalid " + field + " = " + render(value) + ": " + reason);
    this.field = field;
    this.value = render(value);
    this.reason = reason;
  }

  /**
   * The same field, value and reason with {@code context} appended (e.g. {@code " in file x.csv"}),
   * for a caller that knows where the bad value came from; this exception becomes the cause.
   */
  public InvalidInputException withContext(String context) {
    InvalidInputException wrapped = new InvalidInputException(field, value, reason + context);
    wrapped.initCause(this);
    return wrapped;
  }

  /** Why the value is invalid, without the field and value. */
  public String reason() {
    return reason;
  }

  /** The name of the offending field, e.g. {@code "offsets[3]"} or {@code "expert_ids"}. */
  public String field() {
    return field;
  }

  /** The offending value as text. */
  public String value() {
    return value;
  }

  private static String render(Object value) {
    if (value instanceof int[] a) {
      return a.length <= 16 ? java.util.Arrays.toString(a) : "int[" + a.length + "]";
    }
    return String.valueOf(value);
  }
}
