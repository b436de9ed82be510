package org.padfree.routing;

import java.util.Arrays;
import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * One routed token batch: which {@code topK} distinct experts (of {@code numExperts}) each of
 * {@code numTokens} tokens was sent to. {@code expertIds} is token-major: token t's experts are
 * {@code expertIds[t*topK .. t*topK+topK-1]}. Activations are not stored; they are generated from
 * {@code seed} (see {@code org.padfree.reference.SyntheticData}).
 *
 * <p>{@code expertIds} is null for a batch whose ids live elsewhere ({@link #idsElsewhere}): the GPU
 * path that reads them from the dataset file straight into device memory and routes them there. Such a
 * batch carries the shape only; asking it for host ids or counts is an error that says so.
 *
 * @param batchId unique within a dataset
 * @param model model name as in conf/models (may be empty for ad-hoc batches)
 * @param distribution how the routing was produced, e.g. {@code lognormal(sigma=1.0)} or {@code trace}
 */
public record RoutedBatch(
    String batchId,
    String model,
    String distribution,
    int numExperts,
    int topK,
    int numTokens,
    int[] expertIds,
    long seed) implements java.io.Serializable {

  public RoutedBatch {
    Validate.require(batchId != null && !batchId.isBlank(), "batch_id", batchId, "must be a non-empty string");
    Validate.notNull("model", model);
    Validate.notNull("distribution", distribution);
    Validate.positive("num_experts", numExperts);
    Validate.require(topK >= 1 && topK <= numExperts, "top_k", topK,
        "must be in [1, num_experts=" + numExperts + "] (batch " + batchId + ")");
    Validate.nonNegative("num_tokens", numTokens);
    if (expertIds != null) { // null: ids elsewhere (idsElsewhere), checked where they are by the device routing
      checkIds(batchId, numExperts, topK, numTokens, expertIds);
    }
  }

  private static void checkIds(String batchId, int numExperts, int topK, int numTokens, int[] expertIds) {
    Validate.length("expert_ids", expertIds.length, (long) numTokens * topK,
        "num_tokens=" + numTokens + " x top_k=" + topK + " (batch " + batchId + ")");
    // Per routed slot (10^5 per batch): the messages are built only on failure.
    for (int t = 0; t < numTokens; t++) {
      for (int j = 0; j < topK; j++) {
        int e = expertIds[t * topK + j];
        if (e < 0 || e >= numExperts) {
          throw new InvalidInputException("expert_ids[" + (t * topK + j) + "]", e,
              "expert id must be in [0, " + numExperts + ") (batch " + batchId + ", token " + t + ")");
        }
        for (int i = 0; i < j; i++) {
          if (expertIds[t * topK + i] == e) {
            throw new InvalidInputException("expert_ids[" + (t * topK + j) + "]", e,
                "token " + t + " is routed to expert " + e + " twice (batch " + batchId + ")");
          }
        }
      }
    }
  }

  /**
   * Most (token, expert) rows one batch may route: 2^24, far beyond a real MoE step (DeepSeek-V3 at
   * 64k tokens routes 512k) and small enough that a batch's index arrays and layouts fit on any
   * executor. Counts from a trace are checked against it before anything is allocated.
   */
  public static final int MAX_ROUTED_ROWS = 1 << 24;

  /**
   * A batch whose expert ids are not on the host (read into GPU memory and checked there, as
   * {@code RoutingColumns} checks them): the shape and identity only, validated as any batch's.
   */
  public static RoutedBatch idsElsewhere(String batchId, String model, String distribution, int numExperts, int topK,
      int numTokens, long seed) {
    return new RoutedBatch(batchId, model, distribution, numExperts, topK, numTokens, null, seed);
  }

  /** Whether the expert ids are on the host (false for {@link #idsElsewhere} batches). */
  public boolean hasHostIds() {
    return expertIds != null;
  }

  /** Rows of the grouped GEMM: every (token, expert) pair. */
  public int routedRows() {
    return numTokens * topK;
  }

  /** Tokens routed to each expert; sums to {@link #routedRows()}. */
  public int[] expertCounts() {
    if (expertIds == null) {
      throw new IllegalStateException("batch " + batchId + " has its expert ids on a device, not the host;"
          + " take the counts from its device routing's offsets");
    }
    int[] counts = new int[numExperts];
    for (int e : expertIds) {
      counts[e]++;
    }
    return counts;
  }

  /**
   * A batch with exactly the given per-expert counts, for traces that record counts only. The token
   * assignment is canonical (no randomness): the expert ids, grouped by expert, are dealt column by
   * column into a numTokens x topK table; since no count exceeds numTokens, a token never gets the
   * same expert twice.
   */
  public static RoutedBatch fromCounts(
      String batchId, String model, String distribution, int topK, int[] counts, long seed) {
    Validate.notNull("expert_counts", counts);
    Validate.positive("top_k", topK);
    long total = 0;
    for (int e = 0; e < counts.length; e++) {
      Validate.require(counts[e] >= 0, "expert_counts[" + e + "]", counts[e],
          "count must be >= 0 (batch " + batchId + ")");
      total += counts[e];
    }
    Validate.require(total % topK == 0, "expert_counts", "sum " + total,
        "sum of counts must be a multiple of top_k=" + topK + " (batch " + batchId + ")");
    Validate.require(total <= MAX_ROUTED_ROWS, "expert_counts", "sum " + total, "a batch may route at most "
        + MAX_ROUTED_ROWS + " rows (batch " + batchId + "); split it into smaller batches");
    int tokens = (int) (total / topK);
    for (int e = 0; e < counts.length; e++) {
      Validate.require(counts[e] <= tokens, "expert_counts[" + e + "]", counts[e],
          "an expert cannot receive more than num_tokens=" + tokens + " tokens with distinct top-" + topK
              + " routing (batch " + batchId + ")");
    }
    int[] ids = new int[tokens * topK];
    int p = 0;
    for (int e = 0; e < counts.length; e++) {
      for (int c = 0; c < counts[e]; c++, p++) {
        ids[(p % tokens) * topK + p / tokens] = e;
      }
    }
    return new RoutedBatch(batchId, model, distribution, counts.length, topK, tokens, ids, seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoutedBatch b
        && batchId.equals(b.batchId) && model.equals(b.model) && distribution.equals(b.distribution)
        && numExperts == b.numExperts && topK == b.topK && numTokens == b.numTokens && seed == b.seed
        && Arrays.equals(expertIds, b.expertIds);
  }

  @Override
  public int hashCode() {
    return batchId.hashCode() * 31 + Arrays.hashCode(expertIds);
  }

  @Override
  public String toString() {
    return "RoutedBatch[" + batchId + ", model=" + model + ", " + distribution + ", E=" + numExperts
        + ", top_k=" + topK + ", tokens=" + numTokens + ", seed=" + seed + "]";
  }
}
