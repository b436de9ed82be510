package org.padfree.routing;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.padfree.Validate;

/**
 * Synthetic routed batches: exact per-expert counts drawn from a {@link RoutingDistribution}, then
 * dealt to tokens and shuffled so that the batch looks like a router's output (experts scattered over
 * tokens, slots in no particular order). Everything follows from the seed: one
 * {@link SplittableRandom} per seed, split into independent streams for weights, empty experts and
 * shuffling, so changing how one stage draws never changes the others.
 */
public final class RoutingGenerator {
  private RoutingGenerator() {}

  /**
   * A batch of {@code numTokens} tokens, each routed to {@code topK} distinct experts of
   * {@code numExperts}, whose per-expert counts are {@link #expertCounts} of the same arguments.
   */
  public static RoutedBatch generate(String batchId, String model, RoutingDistribution distribution,
      int numExperts, int topK, int numTokens, long seed) {
    Streams streams = new Streams(seed);
    int[] counts = counts(distribution, numExperts, topK, numTokens, streams);
    // fromCounts deals each expert's rows to distinct tokens; shuffling rows, then slots within a row,
    // keeps every token's experts distinct and the counts unchanged.
    int[] expertIds = RoutedBatch.fromCounts(batchId, model, distribution.toString(), topK, counts, seed)
        .expertIds().clone();
    RandomPermutation.shuffleRows(expertIds, numTokens, topK, streams.shuffle);
    for (int t = 0; t < numTokens; t++) {
      RandomPermutation.shuffle(expertIds, t * topK, (t + 1) * topK, streams.shuffle);
    }
    return new RoutedBatch(batchId, model, distribution.toString(), numExperts, topK, numTokens, expertIds, seed);
  }

  /**
   * Rows per expert: sums to {@code numTokens * topK}, none above {@code numTokens}, exactly
   * {@code distribution.emptyExperts()} randomly chosen experts at 0, the rest apportioned by the
   * distribution's weights.
   */
  public static int[] expertCounts(RoutingDistribution distribution, int numExperts, int topK, int numTokens,
      long seed) {
    return counts(distribution, numExperts, topK, numTokens, new Streams(seed));
  }

  /**
   * Throws unless the arguments describe a batch that can exist; {@link #generate} and
   * {@link #expertCounts} check this too, but planners call it first to fail before any work starts.
   */
  public static void requireFeasible(RoutingDistribution distribution, int numExperts, int topK, int numTokens) {
    Validate.notNull("distribution", distribution);
    Validate.positive("num_experts", numExperts);
    Validate.require(topK >= 1 && topK <= numExperts, "top_k", topK,
        "must be in [1, num_experts=" + numExperts + "]");
    Validate.nonNegative("num_tokens", numTokens);
    Validate.product("num_tokens x top_k", numTokens, topK);
    int empty = distribution.emptyExperts();
    Validate.require(empty <= numExperts - topK, "empty", empty,
        "at most num_experts - top_k = " + (numExperts - topK)
            + " experts can be empty, since every token needs top_k=" + topK + " distinct experts ("
            + distribution + ")");
  }

  private static int[] counts(RoutingDistribution distribution, int numExperts, int topK, int numTokens,
      Streams streams) {
    requireFeasible(distribution, numExperts, topK, numTokens);
    int empty = distribution.emptyExperts();
    double[] weights = distribution.weights().draw(numExperts, streams.weights);
    boolean[] allowed = new boolean[numExperts];
    Arrays.fill(allowed, true);
    int[] shuffled = RandomPermutation.of(numExperts, streams.empty);
    for (int i = 0; i < empty; i++) {
      allowed[shuffled[i]] = false;
    }
    return ExpertCountApportioner.apportion(weights, allowed, (long) numTokens * topK, numTokens);
  }

  /** Independent random streams derived from one seed, in a fixed order. */
  private static final class Streams {
    final SplittableRandom weights;
    final SplittableRandom empty;
    final SplittableRandom shuffle;

    Streams(long seed) {
      SplittableRandom root = new SplittableRandom(seed);
      weights = root.split();
      empty = root.split();
      shuffle = root.split();
    }
  }
}
