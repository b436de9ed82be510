package org.padfree.moe;

import org.padfree.numerics.Fp8E4M3;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.quant.ScaleBlocks;
import org.padfree.reference.DoubleReference;
import org.padfree.routing.RoutedBatch;

/**
 * The layer in double precision for one token, from the same quantized tokens and weights as the
 * pipeline: gate_up exactly (DoubleReference), SiLU and the product in double, the down projection on
 * the exact h (no BF16 rounding, no FP8 re-quantization of the intermediate), the combine in double.
 * What separates the pipeline from it is therefore the BF16 rounding of G, h, D and the output, and
 * above all the FP8 quantization of h (relative steps of 2^-4 per element, averaged over I terms):
 * the check bounds the error of sampled tokens' outputs, in DeepGEMM's measure
 * ({@link org.padfree.reference.RelativeError}, about the mean squared relative error), at
 * {@link #RELATIVE_ERROR_BOUND}.
 */
public final class LayerReference {
  private LayerReference() {}

  /**
   * Bound on RelativeError.of(out, ref) over sampled tokens. FP8 E4M3 has 3 mantissa bits: one
   * element's rounding is at most 2^-4 relative, its RMS about 2^-4 / sqrt(3) = 3.6%, so the measure
   * (a squared relative error) sits near 3e-4 (CpuMoeLayerSuite: 3e-4 on its batch); 2e-3, an RMS of
   * about 4.5%, leaves room for small I and unlucky samples without hiding a real fault (a wrong row,
   * expert or weight is O(0.1) or more).
   */
  public static final double RELATIVE_ERROR_BOUND = 2e-3;

  /** out[t] (H values) in double. */
  public static double[] token(RoutedBatch batch, MoeLayerWeights w, QuantizedActivations tokens, float[] routing, int t) {
    int hidden = w.hidden();
    int channels = w.intermediate();
    double[] out = new double[hidden];
    for (int j = 0; j < batch.topK(); j++) {
      int e = batch.expertIds()[t * batch.topK() + j];
      double[] gu = DoubleReference.compute(tokens, t, 1, w.gateUp(), e).values();
      double[] h = new double[channels];
      for (int c = 0; c < channels; c++) {
        double g = gu[2 * c];
        h[c] = g / (1 + Math.exp(-g)) * gu[2 * c + 1];
      }
      double weight = routing[t * batch.topK() + j];
      QuantizedWeights down = w.down();
      byte[] dv = down.values()[e];
      // Columns in parallel (each column's sum in the same order as ever, so threads change no bit):
      // the down product is H x I multiply-adds per slot, most of a checked token's time.
      double[] sums = new double[hidden];
      java.util.stream.IntStream.range(0, hidden).parallel().forEach(col -> {
        double sum = 0;
        for (int c = 0; c < channels; c++) {
          sum += h[c] * Fp8E4M3.decode(dv[col * channels + c]) * down.scale(e, col / ScaleBlocks.BLOCK, c / ScaleBlocks.BLOCK);
        }
        sums[col] = sum;
      });
      for (int col = 0; col < hidden; col++) {
        out[col] += weight * sums[col];
      }
    }
    return out;
  }
}
