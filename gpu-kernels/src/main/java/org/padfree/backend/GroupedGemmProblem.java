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
 * One batch and one GEMM, ready for every path: the quantized token activations and, for each
 * dispatched row, the token it copies (the padding-free layout: rows grouped by expert, as the MoE
 * dispatch delivers them), the expert weights, and the three layouts. The dispatched activations are
 * materialised on the host only when asked for ({@link #dispatched()}): a GPU backend uploads the
 * tokens and dispatches on the device. The padded path starts from the dispatched rows and pays for
 * its pad operation.
 */
public final class GroupedGemmProblem {
  private final RoutedBatch batch;
  private final QuantizedActivations tokens;
  private final int[] tokenOfRow;
  private final QuantizedWeights weights;
  private final PaddingFreeLayout paddingFree;
  private final PaddedLayout padded;
  private final MaskedLayout masked;
  private QuantizedActivations dispatched;

  private GroupedGemmProblem(RoutedBatch batch, QuantizedActivations tokens, int[] tokenOfRow, QuantizedWeights weights,
      PaddingFreeLayout paddingFree, PaddedLayout padded, MaskedLayout masked) {
    this.batch = batch;
    this.tokens = tokens;
    this.tokenOfRow = tokenOfRow;
    this.weights = weights;
    this.paddingFree = paddingFree;
    this.padded = padded;
    this.masked = masked;
    Validate.require(weights.experts() == batch.numExperts(), "experts", weights.experts(),
        "weights hold a different number of experts than batch " + batch.batchId() + " (" + batch.numExperts() + ")");
    Validate.require(tokenOfRow.length == paddingFree.rows(), "token_of_row.length", tokenOfRow.length,
        "must equal the padding-free layout's rows, " + paddingFree.rows());
    Validate.require(tokens.k() == weights.k(), "k", tokens.k(), "weights have K=" + weights.k());
  }

  /**
   * Builds every layout of {@code batch} for token activations ([numTokens][K], quantized once per
   * token, as a real MoE layer does before dispatch).
   */
  public static GroupedGemmProblem of(RoutedBatch batch, QuantizedActivations tokens, QuantizedWeights weights) {
    Validate.notNull("batch", batch);
    Validate.notNull("tokens", tokens);
    Validate.notNull("weights", weights);
    Validate.require(tokens.rows() == batch.numTokens(), "tokens.rows", tokens.rows(),
        "batch " + batch.batchId() + " has " + batch.numTokens() + " tokens");
    PaddingFreeLayout free = LayoutBuilder.paddingFree(batch);
    int[] tokenOfRow = new int[free.rows()];
    for (int r = 0; r < tokenOfRow.length; r++) {
      tokenOfRow[r] = free.rowSource()[r] / batch.topK();
    }
    return new GroupedGemmProblem(batch, tokens, tokenOfRow, weights, free,
        LayoutBuilder.padded(batch), LayoutBuilder.masked(batch, LayoutBuilder.largestGroup(batch)));
  }

  public RoutedBatch batch() {
    return batch;
  }

  /** The quantized activations of the batch's tokens, [numTokens][K]. */
  public QuantizedActivations tokens() {
    return tokens;
  }

  /** For each dispatched (padding-free) row, the token whose activations it holds. */
  public int[] tokenOfRow() {
    return tokenOfRow;
  }

  /** The dispatched activations in the padding-free layout, gathered from the tokens on first use. */
  public synchronized QuantizedActivations dispatched() {
    if (dispatched == null) {
      dispatched = tokens.gatherRows(tokenOfRow);
    }
    return dispatched;
  }

  /** Rows of the padding-free layout (dispatched rows), without materialising them. */
  public int rows() {
    return paddingFree.rows();
  }

  public QuantizedWeights weights() {
    return weights;
  }

  public PaddingFreeLayout paddingFree() {
    return paddingFree;
  }

  public PaddedLayout padded() {
    return padded;
  }

  public MaskedLayout masked() {
    return masked;
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
