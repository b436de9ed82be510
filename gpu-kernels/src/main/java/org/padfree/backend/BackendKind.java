package org.padfree.backend;

import java.util.Locale;
import org.padfree.InvalidInputException;

/**
 * Which backend ran a batch: the exact CPU reference or the CUDA kernels. Its label ("cpu", "cuda") is
 * what result rows, reports and {@code spark.padfree.backend} show; code compares the enum.
 */
public enum BackendKind {
  CPU,
  CUDA;

  /** "cpu" or "cuda". */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code label} (a result row's or history row's backend column) names this backend. */
  public boolean labels(String label) {
    return label().equals(label);
  }

  /** The kind a label names; {@code field} is what the error names. */
  public static BackendKind parse(String field, String label) {
    for (BackendKind k : values()) {
      if (k.labels(label == null ? null : label.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new InvalidInputException(field, label, "expected cpu or cuda");
  }
}
