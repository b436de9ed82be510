package org.padfree.backend;

import org.padfree.Validate;
import org.padfree.layout.LayoutBuilder;
import org.padfree.layout.MaskedLayout;
import org.padfree.layout.PaddedLayout;
import org.padfree.layout.PaddingFreeLayout;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.routing.RoutedBatch;

/**
 * One batch and one GEMM, ready for every path: the quantized, dispatched activations in the
 * padding-free layout (rows grouped by expert, as the MoE dispatch delivers them), the expert weights,
 * and the three layouts. The padded path starts from {@code dispatched} and pays for its pad operation.
 */
public record GroupedGemmProblem(
    RoutedBatch batch,
    QuantizedActivations dispatched,
    QuantizedWeights weights,
    PaddingFreeLayout paddingFree,
    PaddedLayout padded,
    MaskedLayout masked) {

  public GroupedGemmProblem {
    Validate.notNull("batch", batch);
    Validate.notNull("dispatched", dispatched);
    Validate.notNull("weights", weights);
    Validate.require(weights.experts() == batch.numExperts(), "experts", weights.experts(),
        "weights hold a different number of experts than batch " + batch.batchId() + " (" + batch.numExperts() + ")");
    Validate.require(dispatched.rows() == paddingFree.rows(), "dispatched.rows", dispatched.rows(),
        "must equal the padding-free layout's rows, " + paddingFree.rows());
    Validate.require(dispatched.k() == weights.k(), "k", dispatched.k(), "weights have K=" + weights.k());
  }

  /**
   * Builds every layout of {@code batch} and dispatches token activations ([numTokens][K], quantized
   * once per token, as a real MoE layer does before dispatch) into the padding-free layout.
   */
  public static GroupedGemmProblem of(RoutedBatch batch, QuantizedActivations tokens, QuantizedWeights weights) {
    Validate.notNull("batch", batch);
    Validate.notNull("tokens", tokens);
    Validate.require(tokens.rows() == batch.numTokens(), "tokens.rows", tokens.rows(),
        "batch " + batch.batchId() + " has " + batch.numTokens() + " tokens");
    PaddingFreeLayout free = LayoutBuilder.paddingFree(batch);
    int[] tokenOfRow = new int[free.rows()];
    for (int r = 0; r < tokenOfRow.length; r++) {
      tokenOfRow[r] = free.rowSource()[r] / batch.topK();
    }
    return new GroupedGemmProblem(batch, tokens.gatherRows(tokenOfRow), weights, free,
        LayoutBuilder.padded(batch), LayoutBuilder.masked(batch, LayoutBuilder.largestGroup(batch)));
  }

  public int n() {
    return weights.n();
  }

  public int k() {
    return weights.k();
  }

  /** For each padded row, the dispatched (padding-free) row the pad operation copies there, or -1. */
  public int[] padSource() {
    return LayoutBuilder.padSource(paddingFree, padded);
  }

  /** For each masked row, the dispatched row it holds, or -1 past the expert's count. */
  public int[] maskedSource() {
    int[] source = new int[masked.rowSource().length];
    java.util.Arrays.fill(source, -1);
    for (int e = 0; e < masked.numExperts(); e++) {
      for (int i = 0; i < masked.counts()[e]; i++) {
        source[e * masked.maxRows() + i] = paddingFree.offsets()[e] + i;
      }
    }
    return source;
  }
}
