package org.padfree.output;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * Turns a user's output location into a local path, or refuses it. Reports, sweep history and
 * capacity studies are written with java.nio on the driver's file system (a local disk or a mount);
 * a Hadoop URI such as {@code hdfs:///tmp/x} would otherwise become a folder named {@code hdfs:} in
 * the working directory, so every scheme but {@code file:} is rejected with the option's name.
 */
public final class LocalPaths {
  private LocalPaths() {}

  /** A scheme as URIs spell it: a letter, then letters, digits, '+', '-' or '.', then a colon. */
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");

  /**
   * The local path {@code value} names; {@code file:} URIs are accepted, other schemes are an error
   * naming {@code option}.
   */
  public static Path of(String option, String value) {
    Validate.require(value != null && !value.isBlank(), option, value, "must be a non-empty path");
    var m = SCHEME.matcher(value);
    if (!m.find()) {
      return Path.of(value);
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    if (!scheme.equals("file")) {
      throw new InvalidInputException(option, value, "is a " + scheme + ": URI; padfree writes reports with the"
          + " driver's local file system only: give a local or mounted path and copy the folder afterwards"
          + " (e.g. hdfs dfs -put)");
    }
    try {
      URI uri = new URI(value);
      Validate.require(uri.getPath() != null && uri.getPath().startsWith("/")
          && (uri.getAuthority() == null || uri.getAuthority().isEmpty()), option, value,
          "a file: URI must be absolute and local, e.g. file:///data/reports");
      return Path.of(uri.getPath());
    } catch (URISyntaxException e) {
      throw new InvalidInputException(option, value, "is not a valid file: URI (" + e.getReason() + ")");
    }
  }
}
