package org.padfree.routing;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.padfree.Validate;

/**
 * How load is spread over experts before it is turned into whole token counts: each variant draws
 * one relative weight per expert (any positive scale; only ratios matter). The variants are the
 * load shapes the literature tests grouped GEMMs with.
 */
public sealed interface ExpertWeights {

  /** One weight per expert, each finite and >= 0. */
  double[] draw(int numExperts, SplittableRandom random);

  /** The name in the text form, e.g. {@code lognormal}. */
  String name();

  /** The parameters in the text form, e.g. {@code ["sigma=1.0"]}; empty when there are none. */
  List<String> parameters();

  /** Every expert gets the same load (counts then differ by at most one). */
  record Balanced() implements ExpertWeights {
    @Override
    public double[] draw(int numExperts, SplittableRandom random) {
      double[] weights = new double[numExperts];
      Arrays.fill(weights, 1.0);
      return weights;
    }

    @Override
    public String name() {
      return "balanced";
    }

    @Override
    public List<String> parameters() {
      return List.of();
    }
  }

  /** Each expert's load within +-30% of the average: DeepGEMM's grouped-GEMM tests draw U[0.7, 1.3]. */
  record Uniform30() implements ExpertWeights {
    @Override
    public double[] draw(int numExperts, SplittableRandom random) {
      return uniform(numExperts, random, 0.7, 1.3);
    }

    @Override
    public String name() {
      return "uniform30";
    }

    @Override
    public List<String> parameters() {
      return List.of();
    }
  }

  /** Loads U[0, 2 * average], normalised: the test of the TMA-adaptive paper (arXiv 2508.16584). */
  record UniformZeroToTwoAvg() implements ExpertWeights {
    @Override
    public double[] draw(int numExperts, SplittableRandom random) {
      return uniform(numExperts, random, 0.0, 2.0);
    }

    @Override
    public String name() {
      return "uniform0to2avg";
    }

    @Override
    public List<String> parameters() {
      return List.of();
    }
  }

  /**
   * Log-normal skew, {@code exp(sigma * N(0,1))}: the best fit reported for DeepSeek-V3's per-rank
   * load. sigma = 0 is balanced; larger sigma gives a heavier tail.
   */
  record LogNormal(double sigma) implements ExpertWeights {
    public LogNormal {
      Validate.require(Double.isFinite(sigma) && sigma >= 0, "sigma", sigma, "must be finite and >= 0");
    }

    @Override
    public double[] draw(int numExperts, SplittableRandom random) {
      double[] logWeights = new double[numExperts];
      double max = Double.NEGATIVE_INFINITY;
      for (int e = 0; e < numExperts; e++) {
        logWeights[e] = sigma * random.nextGaussian();
        max = Math.max(max, logWeights[e]);
      }
      // Shifting by the largest exponent keeps every weight in (0, 1]: a large sigma cannot overflow.
      double[] weights = new double[numExperts];
      for (int e = 0; e < numExperts; e++) {
        weights[e] = Math.exp(logWeights[e] - max);
      }
      return weights;
    }

    @Override
    public String name() {
      return "lognormal";
    }

    @Override
    public List<String> parameters() {
      return List.of("sigma=" + sigma);
    }
  }

  /**
   * A few hot experts: the expert of rank r (1-based, over a random permutation so the hot ones are
   * not always the low ids) gets weight {@code 1 / r^s}. s = 0 is balanced.
   */
  record Zipf(double exponent) implements ExpertWeights {
    public Zipf {
      Validate.require(Double.isFinite(exponent) && exponent >= 0, "s", exponent, "must be finite and >= 0");
    }

    @Override
    public double[] draw(int numExperts, SplittableRandom random) {
      int[] expertOfRank = RandomPermutation.of(numExperts, random);
      double[] weights = new double[numExperts];
      for (int rank = 0; rank < numExperts; rank++) {
        weights[expertOfRank[rank]] = Math.pow(rank + 1, -exponent);
      }
      return weights;
    }

    @Override
    public String name() {
      return "zipf";
    }

    @Override
    public List<String> parameters() {
      return List.of("s=" + exponent);
    }
  }

  private static double[] uniform(int numExperts, SplittableRandom random, double low, double high) {
    double[] weights = new double[numExperts];
    for (int e = 0; e < numExperts; e++) {
      weights[e] = random.nextDouble(low, high);
    }
    return weights;
  }
}
