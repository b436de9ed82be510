package org.padfree.evaluate;

import java.util.SplittableRandom;
import org.padfree.backend.GroupedGemmProblem;
import org.padfree.backend.PathOutputs;
import org.padfree.numerics.Bf16;
import org.padfree.quant.QuantizedActivations;
import org.padfree.reference.Bf16Matrix;
import org.padfree.reference.DoubleReference;
import org.padfree.reference.RelativeError;

/**
 * The correctness checks of one batch: the padded and masked paths must reproduce the padding-free
 * rows bit for bit, and sampled padding-free rows must match the double-precision reference
 * (DeepGEMM's global measure below {@link #MAX_REFERENCE_ERROR}; on the exact CPU backend also the
 * documented per-element bound).
 */
final class PathChecks {
  /** DeepGEMM's bound for FP8 GEMMs against a high-precision reference. */
  static final double MAX_REFERENCE_ERROR = 1e-3;

  record Outcome(long paddedMismatches, long maskedMismatches, int referenceRows, double referenceError,
      long boundViolations) {

    boolean passed(boolean exactBackend) {
      return paddedMismatches == 0 && maskedMismatches == 0
          && !(referenceError > MAX_REFERENCE_ERROR) // NaN (no rows checked) passes
          && !(exactBackend && boundViolations > 0);
    }

    String describe() {
      StringBuilder s = new StringBuilder();
      if (paddedMismatches > 0) {
        s.append("padded path differs from padding-free in ").append(paddedMismatches).append(" elements; ");
      }
      if (maskedMismatches > 0) {
        s.append("masked path differs from padding-free in ").append(maskedMismatches).append(" elements; ");
      }
      if (referenceError > MAX_REFERENCE_ERROR) {
        s.append("relative error ").append(referenceError).append(" against the reference exceeds 1e-3; ");
      }
      if (boundViolations > 0) {
        s.append(boundViolations).append(" elements outside the documented error bound; ");
      }
      return s.isEmpty() ? "" : s.substring(0, s.length() - 2);
    }
  }

  private PathChecks() {}

  /** The padding-free rows checked against the reference: up to {@code referenceRows}, seeded. */
  static int[] sampleRows(int rows, int referenceRows, long samplingSeed) {
    int sampled = Math.min(referenceRows, rows);
    return sampled == 0 ? new int[0] : new SplittableRandom(samplingSeed).ints(0, rows).distinct().limit(sampled).toArray();
  }

  /**
   * The checks of {@code out}: every valid row across the paths, and rows {@code checkRows} (from
   * {@link #sampleRows}, as given to the backend) against the reference. A backend that compared the
   * paths on its device reports the mismatch counts itself and returns only those rows
   * ({@link PathOutputs#checkedOnDevice()}).
   */
  static Outcome check(GroupedGemmProblem p, PathOutputs out, int[] checkRows) {
    if (out.checkedOnDevice()) {
      return compareWithReference(p, out, out.sampledRows(), out.paddedMismatches(), out.maskedMismatches(), true);
    }
    // Offsets, group starts and max rows only: a problem routed on the GPU has no host layouts.
    int[] offsets = p.offsets();
    int[] groupStarts = p.groupStarts();
    int maxRows = p.maxRows();
    long padded = 0;
    long masked = 0;
    for (int e = 0; e + 1 < offsets.length; e++) {
      for (int i = 0; i < offsets[e + 1] - offsets[e]; i++) {
        int row = offsets[e] + i;
        padded += differing(out.paddingFree(), row, out.padded(), groupStarts[e] + i);
        masked += differing(out.paddingFree(), row, out.masked(), e * maxRows + i);
      }
    }
    return compareWithReference(p, out, checkRows, padded, masked, false);
  }

  /**
   * Rows {@code chosen} of the padding-free D against the double reference; with {@code sampledOnly}
   * the output holds just those rows, in that order.
   */
  private static Outcome compareWithReference(GroupedGemmProblem p, PathOutputs out, int[] chosen, long padded,
      long masked, boolean sampledOnly) {
    int sampled = chosen.length;
    if (sampled == 0) {
      return new Outcome(padded, masked, 0, Double.NaN, 0);
    }
    int[] offsets = p.offsets();
    int n = p.n();
    // A dispatched row is its token's row, bit for bit: the reference reads just the sampled tokens
    // (no host gather, and synthetic tokens are made for these rows only; routed on the GPU, only
    // these rows' tokens come back).
    int[] tokens = p.tokensOfRows(chosen);
    QuantizedActivations checkedTokens = p.tokenRows(tokens);
    double[] actual = new double[sampled * n];
    double[] expected = new double[sampled * n];
    long violations = 0;
    for (int s = 0; s < sampled; s++) {
      int row = chosen[s];
      int outRow = sampledOnly ? s : row;
      DoubleReference.Result ref = DoubleReference.compute(checkedTokens, s, 1, p.weights(), expertOfRow(offsets, row));
      for (int col = 0; col < n; col++) {
        double d = Bf16.toFloat(out.paddingFree().bits()[outRow * n + col]);
        actual[s * n + col] = d;
        expected[s * n + col] = ref.values()[col];
        if (!(Math.abs(d - ref.values()[col]) <= ref.bound(0, col))) {
          violations++;
        }
      }
    }
    return new Outcome(padded, masked, sampled, RelativeError.of(actual, expected), violations);
  }

  /** Elements whose bits differ between row {@code aRow} of {@code a} and row {@code bRow} of {@code b}. */
  static long differing(Bf16Matrix a, int aRow, Bf16Matrix b, int bRow) {
    int n = a.cols();
    long count = 0;
    for (int c = 0; c < n; c++) {
      if (a.bits()[aRow * n + c] != b.bits()[bRow * n + c]) {
        count++;
      }
    }
    return count;
  }

  /** The expert whose group holds {@code row}: the last e with offsets[e] <= row < offsets[e+1]. */
  static int expertOfRow(int[] offsets, int row) {
    int lo = 0;
    int hi = offsets.length - 2;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (offsets[mid] <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
