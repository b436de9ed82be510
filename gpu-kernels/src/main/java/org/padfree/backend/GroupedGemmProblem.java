package org.padfree.backend;

import java.util.OptionalLong;
import org.padfree.Validate;
import org.padfree.layout.LayoutBuilder;
import org.padfree.layout.MaskedLayout;
import org.padfree.layout.PaddedLayout;
import org.padfree.layout.PaddingFreeLayout;
import org.padfree.quant.Fp8Quantizer;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.SyntheticData;
import org.padfree.routing.RoutedBatch;

/**
 * One batch and one GEMM, ready for every path: the quantized token activations and, for each
 * dispatched row, the token it copies (the padding-free layout: rows grouped by expert, as the MoE
 * dispatch delivers them), the expert weights, and the three layouts. The dispatched activations are
 * materialised on the host only when asked for ({@link #dispatched()}): a GPU backend uploads the
 * tokens and dispatches on the device. The padded path starts from the dispatched rows and pays for
 * its pad operation.
 *
 * <p>Synthetic tokens ({@link #synthetic}) are not even made on the host until asked for: a GPU
 * backend makes them on its device from {@link #syntheticSeed()} (where a real MoE layer's
 * activations already are), and the reference check makes only the tokens it samples
 * ({@link #tokenRows}), the same values bit for bit.
 */
public final class GroupedGemmProblem {
  private final RoutedBatch batch;
  private final OptionalLong syntheticSeed;
  private QuantizedActivations tokens;
  private final int[] tokenOfRow;
  private final QuantizedWeights weights;
  private final PaddingFreeLayout paddingFree;
  private final PaddedLayout padded;
  private final MaskedLayout masked;
  private QuantizedActivations dispatched;

  private GroupedGemmProblem(RoutedBatch batch, QuantizedActivations tokens, OptionalLong syntheticSeed,
      QuantizedWeights weights) {
    Validate.require(weights.experts() == batch.numExperts(), "experts", weights.experts(),
        "weights hold a different number of experts than batch " + batch.batchId() + " (" + batch.numExperts() + ")");
    Validate.require(tokens == null || tokens.k() == weights.k(), "k", tokens == null ? 0 : tokens.k(),
        "weights have K=" + weights.k());
    PaddingFreeLayout free = LayoutBuilder.paddingFree(batch);
    int[] tokenOfRow = new int[free.rows()];
    for (int r = 0; r < tokenOfRow.length; r++) {
      tokenOfRow[r] = free.rowSource()[r] / batch.topK();
    }
    this.batch = batch;
    this.tokens = tokens;
    this.syntheticSeed = syntheticSeed;
    this.tokenOfRow = tokenOfRow;
    this.weights = weights;
    this.paddingFree = free;
    this.padded = LayoutBuilder.padded(batch);
    this.masked = LayoutBuilder.masked(batch, LayoutBuilder.largestGroup(batch));
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
    return new GroupedGemmProblem(batch, tokens, OptionalLong.empty(), weights);
  }

  /**
   * As {@link #of}, with the tokens {@code Fp8Quantizer.quantizeActivations(SyntheticData.activations(
   * activationSeed, numTokens, K))}, made only where and when needed.
   */
  public static GroupedGemmProblem synthetic(RoutedBatch batch, long activationSeed, QuantizedWeights weights) {
    Validate.notNull("batch", batch);
    Validate.notNull("weights", weights);
    return new GroupedGemmProblem(batch, null, OptionalLong.of(activationSeed), weights);
  }

  public RoutedBatch batch() {
    return batch;
  }

  /** The quantized activations of the batch's tokens, [numTokens][K] (synthetic ones made now, once). */
  public synchronized QuantizedActivations tokens() {
    if (tokens == null) {
      int k = weights.k();
      tokens = Fp8Quantizer.quantizeActivations(SyntheticData.activations(syntheticSeed.getAsLong(), batch.numTokens(), k),
          batch.numTokens(), k);
    }
    return tokens;
  }

  /** The seed of synthetic tokens (empty when the tokens were given). */
  public OptionalLong syntheticSeed() {
    return syntheticSeed;
  }

  /** Whether the tokens exist on the host (given, or synthetic and already made there). */
  public synchronized boolean tokensOnHost() {
    return tokens != null;
  }

  /**
   * The quantized activations of just {@code tokenIndices}, [length][K], bit for bit those rows of
   * {@link #tokens()} (1x128 scales are per token), without making the other tokens.
   */
  public synchronized QuantizedActivations tokenRows(int[] tokenIndices) {
    Validate.notNull("tokenIndices", tokenIndices);
    for (int i = 0; i < tokenIndices.length; i++) {
      Validate.require(tokenIndices[i] >= 0 && tokenIndices[i] < batch.numTokens(), "tokenIndices[" + i + "]",
          tokenIndices[i], "must be a token of the batch, in [0, " + batch.numTokens() + ")");
    }
    if (tokens != null) {
      return tokens.gatherRows(tokenIndices);
    }
    int k = weights.k();
    return Fp8Quantizer.quantizeActivations(SyntheticData.activationRows(syntheticSeed.getAsLong(), tokenIndices, k),
        tokenIndices.length, k);
  }

  /** For each dispatched (padding-free) row, the token whose activations it holds. */
  public int[] tokenOfRow() {
    return tokenOfRow;
  }

  /** The dispatched activations in the padding-free layout, gathered from the tokens on first use. */
  public synchronized QuantizedActivations dispatched() {
    if (dispatched == null) {
      dispatched = tokens().gatherRows(tokenOfRow);
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
