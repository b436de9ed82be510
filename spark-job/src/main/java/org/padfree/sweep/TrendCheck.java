package org.padfree.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compares a run's points with a reference (the previous run of the same sweep, or the pinned
 * baseline) under a {@link RegressionPolicy}. Points are matched by {@link PointResult#pointKey};
 * a point new in this run, or one whose reference failed or ran on another backend, is noted but not
 * compared. Every metric is compared; a change beyond its threshold fails the run only where the
 * policy gates that metric on the point's backend ({@link RegressionPolicy#gates}). Correctness is checked on the run alone: every point with a failure is a regression.
 */
public final class TrendCheck {
  private TrendCheck() {}

  public static final String CORRECTNESS = "correctness";
  public static final String PREVIOUS = "previous";
  public static final String BASELINE = "baseline";

  /** Appended to a finding beyond its threshold on a metric that does not gate its backend. */
  static final String INFORMATIONAL = "; for information only (not a gating metric on ";

  /** Findings of every kind, in point order; see {@link #regressions}. */
  public static List<Finding> check(List<PointResult> now, List<PointResult> previous, List<PointResult> baseline,
      RegressionPolicy policy) {
    List<Finding> findings = new ArrayList<>();
    for (PointResult p : now) {
      if (p.failures() > 0) {
        findings.add(new Finding(p.pointKey(), CORRECTNESS, CORRECTNESS, p.failures(), 0, p.failures(), 0, true,
            p.failures() + " of " + Math.max(p.batches(), p.failures()) + " batches failed: " + p.failure()));
      }
    }
    if (previous != null) {
      findings.addAll(compare(now, previous, PREVIOUS, policy));
    }
    if (baseline != null) {
      findings.addAll(compare(now, baseline, BASELINE, policy));
    }
    return findings;
  }

  public static List<Finding> regressions(List<Finding> findings) {
    return findings.stream().filter(Finding::regression).toList();
  }

  public static boolean hasCorrectnessFailure(List<Finding> findings) {
    return findings.stream().anyMatch(f -> f.regression() && f.metric().equals(CORRECTNESS));
  }

  /** Every metric of every point of {@code now} against the point of the same key in {@code reference}. */
  static List<Finding> compare(List<PointResult> now, List<PointResult> reference, String against,
      RegressionPolicy policy) {
    Map<String, PointResult> byKey = new HashMap<>();
    reference.forEach(r -> byKey.put(r.pointKey(), r));
    List<Finding> findings = new ArrayList<>();
    for (PointResult p : now) {
      PointResult ref = byKey.get(p.pointKey());
      if (ref == null) {
        findings.add(note(p, against, "new point: not in the " + against + " run"));
      } else if (ref.failures() > 0) {
        findings.add(note(p, against, "not compared: the " + against + " run failed here (" + ref.failure() + ")"));
      } else if (!ref.backend().equals(p.backend())) {
        findings.add(note(p, against, "not compared: ran on " + p.backend() + ", the " + against + " run on "
            + ref.backend()));
      } else if (p.failures() == 0) {
        for (String metric : p.metrics()) { // a layer row has the layer metrics, a GEMM row the GEMM ones
          findings.add(compareMetric(p, ref, against, metric, policy));
        }
      }
    }
    Set<String> present = now.stream().map(PointResult::pointKey).collect(Collectors.toSet());
    for (PointResult ref : reference) {
      if (!present.contains(ref.pointKey())) {
        findings.add(new Finding(ref.pointKey(), against, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, false,
            "dropped: in the " + against + " run but not in this one"));
      }
    }
    return findings;
  }

  static Finding compareMetric(PointResult now, PointResult ref, String against, String metric, RegressionPolicy policy) {
    double a = now.metric(metric);
    double b = ref.metric(metric);
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      return new Finding(now.pointKey(), against, metric, a, b, Double.NaN, Double.NaN, false, "not compared: not measured");
    }
    if (RegressionPolicy.isMemoryMetric(metric)) {
      double change = a - b;
      double limit = -policy.memoryThreshold();
      boolean beyond = change < limit - 1e-12;
      boolean regressed = beyond && policy.gates(metric, now.backend());
      return new Finding(now.pointKey(), against, metric, a, b, change, limit, regressed,
          beyond ? "saved fraction fell by " + points(-change) + " points (limit " + points(-limit) + ")"
              + (regressed ? "" : INFORMATIONAL + now.backend() + ")") : "");
    }
    if (b <= 0) {
      return new Finding(now.pointKey(), against, metric, a, b, Double.NaN, Double.NaN, false,
          "not compared: reference value is not positive");
    }
    double change = (a - b) / b;
    double limit = -policy.timingThreshold(now.backend());
    boolean beyond = change < limit;
    boolean regressed = beyond && policy.gates(metric, now.backend());
    return new Finding(now.pointKey(), against, metric, a, b, change, limit, regressed,
        beyond ? String.format(java.util.Locale.ROOT, "fell %.1f%% (limit %.0f%% on %s)", -100 * change, -100 * limit,
            now.backend()) + (regressed ? "" : INFORMATIONAL + now.backend() + ")") : "");
  }

  private static Finding note(PointResult p, String against, String note) {
    return new Finding(p.pointKey(), against, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, note);
  }

  private static String points(double fraction) {
    return String.format(java.util.Locale.ROOT, "%.2f", 100 * fraction);
  }
}
