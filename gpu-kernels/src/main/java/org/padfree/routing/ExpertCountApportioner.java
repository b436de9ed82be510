package org.padfree.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.padfree.Validate;

/**
 * Turns expert weights into whole token counts that sum exactly to a total, with no expert above a
 * cap. With top-k routing to distinct experts an expert can receive each token at most once, so the
 * cap is the number of tokens; load a skewed distribution would put beyond it goes to the other
 * experts in proportion to their weights (water filling), never to forced-empty experts.
 *
 * <p>Real-valued quotas are rounded by the largest-remainder method; ties go to the lower expert id,
 * so the result is a pure function of the inputs.
 */
final class ExpertCountApportioner {
  private ExpertCountApportioner() {}

  /**
   * Counts for each expert.
   *
   * @param weights relative load per expert, finite and >= 0
   * @param allowed which experts may receive tokens (false: forced empty)
   * @param total routed rows to hand out (tokens x top_k)
   * @param cap most rows one expert may receive (tokens)
   */
  static int[] apportion(double[] weights, boolean[] allowed, long total, int cap) {
    int numExperts = weights.length;
    Validate.length("allowed", allowed.length, numExperts, "one flag per expert");
    Validate.require(total >= 0, "total", total, "must be >= 0");
    Validate.nonNegative("cap", cap);
    int allowedCount = 0;
    for (int e = 0; e < numExperts; e++) {
      Validate.require(Double.isFinite(weights[e]) && weights[e] >= 0, "weights[" + e + "]", weights[e],
          "must be finite and >= 0");
      allowedCount += allowed[e] ? 1 : 0;
    }
    Validate.require(total <= (long) cap * allowedCount, "total", total,
        "cannot be spread over " + allowedCount + " experts of at most " + cap + " each");

    double[] quotas = cappedQuotas(weights, allowed, total, cap);
    int[] counts = new int[numExperts];
    long assigned = 0;
    for (int e = 0; e < numExperts; e++) {
      counts[e] = (int) Math.floor(quotas[e]);
      assigned += counts[e];
    }
    distributeRemainder(counts, quotas, allowed, total - assigned, cap);
    return counts;
  }

  /**
   * Real-valued shares of {@code total}, proportional to weight among allowed experts, none above
   * {@code cap}: experts that would exceed it are fixed at the cap and the rest is re-shared among
   * the others, until nobody exceeds it. Each round caps at least one expert, so it ends.
   */
  private static double[] cappedQuotas(double[] weights, boolean[] allowed, long total, int cap) {
    int numExperts = weights.length;
    double[] quotas = new double[numExperts];
    boolean[] atCap = new boolean[numExperts];
    long remaining = total;
    while (true) {
      double openWeight = 0;
      int open = 0;
      for (int e = 0; e < numExperts; e++) {
        if (allowed[e] && !atCap[e]) {
          openWeight += weights[e];
          open++;
        }
      }
      if (open == 0) {
        return quotas;
      }
      boolean cappedAny = false;
      for (int e = 0; e < numExperts; e++) {
        if (allowed[e] && !atCap[e]) {
          // When all open experts weigh 0 (possible with U[0, 2] draws), share what is left equally.
          double share = openWeight > 0 ? weights[e] / openWeight : 1.0 / open;
          quotas[e] = remaining * share;
        }
      }
      for (int e = 0; e < numExperts; e++) {
        if (allowed[e] && !atCap[e] && quotas[e] >= cap) {
          quotas[e] = cap;
          atCap[e] = true;
          remaining -= cap;
          cappedAny = true;
        }
      }
      if (!cappedAny) {
        return quotas;
      }
    }
  }

  /**
   * Hands out the rows lost to flooring, one each, to the allowed experts with the largest fractional
   * quota (lower id first on ties). In exact arithmetic one pass suffices and nobody passes the cap;
   * the loops also absorb floating-point drift of a row or two in either direction.
   */
  private static void distributeRemainder(int[] counts, double[] quotas, boolean[] allowed, long shortfall,
      int cap) {
    List<Integer> order = new ArrayList<>();
    for (int e = 0; e < counts.length; e++) {
      if (allowed[e]) {
        order.add(e);
      }
    }
    order.sort(Comparator.<Integer>comparingDouble(e -> quotas[e] - Math.floor(quotas[e])).reversed()
        .thenComparingInt(e -> e));
    while (shortfall > 0) {
      for (int i = 0; i < order.size() && shortfall > 0; i++) {
        int e = order.get(i);
        if (counts[e] < cap) {
          counts[e]++;
          shortfall--;
        }
      }
    }
    while (shortfall < 0) {
      for (int i = order.size() - 1; i >= 0 && shortfall < 0; i--) {
        int e = order.get(i);
        if (counts[e] > 0) {
          counts[e]--;
          shortfall++;
        }
      }
    }
  }
}
