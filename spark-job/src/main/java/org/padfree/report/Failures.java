package org.padfree.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.padfree.results.BatchResult;

/** The failed result rows (errors and mismatches) as the reports list them, and why each failed. */
final class Failures {
  private Failures() {}

  /** The reports list this many failures; results.parquet has them all. */
  static final int LISTED = 50;

  /** Longer reasons (stack-trace-like messages) are cut so the failure table stays a table. */
  static final int REASON_CHARS = 300;

  private static final Comparator<BatchResult> ORDER = Comparator
      .comparing((BatchResult r) -> Objects.toString(r.batchId(), ""))
      .thenComparing(r -> Objects.toString(r.gemm(), ""));

  private static boolean isFailure(BatchResult r) {
    return r.isError() || BatchResult.MISMATCH.equals(r.status());
  }

  /** Every failed row, by batch id then GEMM, so reruns list them in the same order. */
  static List<BatchResult> of(List<BatchResult> results) {
    List<BatchResult> failures = new ArrayList<>();
    for (BatchResult r : results) {
      if (isFailure(r)) {
        failures.add(r);
      }
    }
    failures.sort(ORDER);
    return failures;
  }

  /**
   * The row's error text, cut to {@value #REASON_CHARS} characters, or for a mismatch without one,
   * which checks disagreed and by how much.
   */
  static String reason(BatchResult r) {
    if (r.error() != null && !r.error().isBlank()) {
      return shortened(r.error().strip());
    }
    List<String> parts = new ArrayList<>();
    if (r.paddedMismatches() > 0) {
      parts.add(r.paddedMismatches() + " elements differ between padded and padding-free");
    }
    if (r.maskedMismatches() > 0) {
      parts.add(r.maskedMismatches() + " elements of the masked path differ");
    }
    if (r.boundViolations() > 0) {
      parts.add(r.boundViolations() + " elements outside the error bound against the reference");
    }
    return parts.isEmpty() ? "no reason recorded" : String.join("; ", parts);
  }

  private static String shortened(String text) {
    if (text.length() <= REASON_CHARS) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(REASON_CHARS - 1)) ? REASON_CHARS - 1 : REASON_CHARS;
    return text.substring(0, end) + "\u2026";
  }
}
