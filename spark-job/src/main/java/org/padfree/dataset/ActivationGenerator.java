package org.padfree.dataset;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.padfree.numerics.Bf16;
import org.padfree.quant.Fp8Quantizer;
import org.padfree.quant.QuantizedActivations;

/**
 * Realistic-looking token activations for generated datasets ({@code GenerateDataset --activations
 * fp8}), as a model's hidden states reach an MoE layer: BF16 values, roughly normal per token with a
 * token-dependent magnitude (log-normal RMS) and a few outlier channels many times larger, then
 * quantized to FP8 with 1x128 scales by the project's quantizer (so the scales are exactly what the
 * kernels expect). A pure function of (seed, tokens, hidden): each token draws from its own stream.
 */
public final class ActivationGenerator {
  private ActivationGenerator() {}

  /** One channel in this many is an outlier channel. */
  static final int OUTLIER_EVERY = 256;
  /** How much larger an outlier channel's values are. */
  static final float OUTLIER_GAIN = 24f;

  /** The BF16-rounded activations [tokens][hidden] of a batch's seed, as floats. */
  public static float[] bf16Values(long seed, int tokens, int hidden) {
    boolean[] outlier = new boolean[hidden];
    SplittableRandom channels = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (int h = 0; h < hidden; h++) {
      outlier[h] = channels.nextInt(OUTLIER_EVERY) == 0;
    }
    float[] x = new float[Math.multiplyExact(tokens, hidden)];
    // Token by token, each from its own stream: the same values in any order or number of threads.
    IntStream.range(0, tokens).parallel().forEach(t -> {
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t);
      float rms = (float) Math.exp(0.25 * random.nextGaussian());
      for (int h = 0; h < hidden; h++) {
        float v = (float) random.nextGaussian() * rms * (outlier[h] ? OUTLIER_GAIN : 1f);
        x[t * hidden + h] = Bf16.roundToFloat(v);
      }
    });
    return x;
  }

  /** The FP8 codes and 1x128 scales a dataset stores for a batch of this seed. */
  public static QuantizedActivations fp8(long seed, int tokens, int hidden) {
    return Fp8Quantizer.quantizeActivations(bf16Values(seed, tokens, hidden), tokens, hidden);
  }
}
