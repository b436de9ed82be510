package org.padfree.render;

/**
 * Escapes text for the report formats. Batch ids, model names and error messages come from users
 * and exceptions, so every piece of text goes through here before it reaches a report.
 */
public final class Escaping {
  private Escaping() {}

  private static final char REPLACEMENT = '\uFFFD';

  /**
   * Text for HTML and XML (SVG), in element content and in quoted attribute values. Characters XML
   * 1.0 forbids even as references (most control characters, unpaired surrogates) become U+FFFD,
   * so an SVG chart stays well-formed whatever an error message contains.
   */
  public static String markup(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        // &apos; is XML only; a numeric reference works in HTML and XML alike.
        case '\'' -> out.append("&#39;");
        default -> {
          boolean pairStart = Character.isHighSurrogate(c) && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
          if (pairStart) {
            out.append(c).append(text.charAt(++i));
          } else {
            out.append(isXmlChar(c) ? c : REPLACEMENT);
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * Inline Markdown text, fit for a table cell: on one line, with raw HTML neutralised (Markdown
   * renders it) and with the characters that would end a cell or start emphasis, code or links
   * escaped. Quotes stay as they are: they mean nothing to Markdown, and the raw file stays readable.
   */
  public static String markdownInline(String text) {
    if (text == null) {
      return "";
    }
    String oneLine = text.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    StringBuilder out = new StringBuilder(oneLine.length() + 8);
    for (char c : oneLine.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\\', '`', '*', '_', '[', ']', '|', '~' -> out.append('\\').append(c);
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Whether XML 1.0 allows {@code c} on its own (surrogate pairs are handled by the caller). */
  private static boolean isXmlChar(char c) {
    return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
  }
}
