package org.padfree.moe;

import org.padfree.Validate;
import org.padfree.quant.Fp8Quantizer;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.SyntheticData;

/**
 * One MoE layer's routed experts, quantized as the GEMMs read them (FP8 E4M3, 128x128 scale blocks):
 * gate_up (2I x H per expert) and down (H x I per expert).
 *
 * <p>gate_up's output rows are interleaved, row 2c the gate of intermediate channel c and row 2c+1 its
 * up: a GEMM tile then holds both halves of every channel it computes, so SiLU(gate) * up can be
 * formed from one tile's accumulators (the fused epilogue), and a thread of wgmma's accumulator layout
 * holds the pair in two neighbouring registers.
 */
public record MoeLayerWeights(int experts, int hidden, int intermediate, QuantizedWeights gateUp, QuantizedWeights down) {

  public MoeLayerWeights {
    Validate.positive("experts", experts);
    Validate.positive("hidden", hidden);
    Validate.positive("intermediate", intermediate);
    Validate.require(gateUp.experts() == experts && gateUp.n() == 2 * intermediate && gateUp.k() == hidden, "gate_up",
        gateUp.experts() + " x " + gateUp.n() + " x " + gateUp.k(), "must be experts x 2I x H = " + experts + " x "
            + 2 * intermediate + " x " + hidden);
    Validate.require(down.experts() == experts && down.n() == hidden && down.k() == intermediate, "down",
        down.experts() + " x " + down.n() + " x " + down.k(), "must be experts x H x I = " + experts + " x " + hidden
            + " x " + intermediate);
  }

  /**
   * Synthetic experts: expert e's gate_up from {@code SyntheticData.weights(seed * 31 + e, 2I, H)} and
   * its down from {@code SyntheticData.weights(seed * 37 + e, H, I)}, each quantized as the job
   * quantizes weights.
   */
  public static MoeLayerWeights synthetic(int experts, int hidden, int intermediate, long seed) {
    Validate.positive("experts", experts);
    Validate.positive("hidden", hidden);
    Validate.positive("intermediate", intermediate);
    float[][] gateUp = new float[experts][];
    float[][] down = new float[experts][];
    for (int e = 0; e < experts; e++) {
      gateUp[e] = SyntheticData.weights(seed * 31 + e, 2 * intermediate, hidden);
      down[e] = SyntheticData.weights(seed * 37 + e, hidden, intermediate);
    }
    return new MoeLayerWeights(experts, hidden, intermediate, Fp8Quantizer.quantizeExperts(gateUp, 2 * intermediate, hidden),
        Fp8Quantizer.quantizeExperts(down, hidden, intermediate));
  }
}
