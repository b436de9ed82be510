package org.padfree.moe;

import java.util.SplittableRandom;
import org.padfree.routing.RoutedBatch;

/**
 * The weights with which each token's top-k expert outputs are combined. Datasets carry only the
 * experts a token was routed to, so the weights are synthetic and deterministic: token t's are a
 * softmax of top-k draws from N(0, 1), from a SplittableRandom seeded by the batch seed mixed with t
 * (so a token's weights do not depend on the batch size). They sum to 1 (to float rounding).
 */
public final class RoutingWeights {
  private RoutingWeights() {}

  /** weights[t * topK + j]: the weight of token t's j-th expert. */
  public static float[] synthetic(RoutedBatch batch) {
    int topK = batch.topK();
    float[] w = new float[batch.numTokens() * topK];
    double[] logits = new double[topK];
    for (int t = 0; t < batch.numTokens(); t++) {
      SplittableRandom random = new SplittableRandom(batch.seed() * 0x9E3779B97F4A7C15L + t);
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < topK; j++) {
        logits[j] = random.nextGaussian();
        max = Math.max(max, logits[j]);
      }
      double sum = 0;
      for (int j = 0; j < topK; j++) {
        logits[j] = Math.exp(logits[j] - max);
        sum += logits[j];
      }
      for (int j = 0; j < topK; j++) {
        w[t * topK + j] = (float) (logits[j] / sum);
      }
    }
    return w;
  }
}
