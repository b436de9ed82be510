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

  /** weights[t * topK + j]: the weight of token t's j-th expert (FP32, as the combine reads them). */
  public static float[] synthetic(RoutedBatch batch) {
    int topK = batch.topK();
    float[] w = new float[batch.numTokens() * topK];
    for (int t = 0; t < batch.numTokens(); t++) {
      double[] token = token(batch.seed(), t, topK);
      for (int j = 0; j < topK; j++) {
        w[t * topK + j] = (float) token[j];
      }
    }
    return w;
  }

  /** One token's weights in double: a softmax of topK N(0, 1) draws from SplittableRandom(seed * golden + t). */
  public static double[] token(long seed, int token, int topK) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + token);
    double[] w = new double[topK];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < topK; j++) {
      w[j] = random.nextGaussian();
      max = Math.max(max, w[j]);
    }
    double sum = 0;
    for (int j = 0; j < topK; j++) {
      w[j] = Math.exp(w[j] - max); // shifted by the max so exp cannot overflow
      sum += w[j];
    }
    for (int j = 0; j < topK; j++) {
      w[j] /= sum;
    }
    return w;
  }
}
