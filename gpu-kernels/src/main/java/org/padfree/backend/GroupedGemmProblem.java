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
  private final QuantizedWeights weights;
  private final DeviceRouting deviceRouting;
  private final DeviceTokens deviceTokens;
  // The host layouts, made on first use: a problem routed on the device never needs them.
  private int[] tokenOfRow;
  private PaddingFreeLayout paddingFree;
  private PaddedLayout padded;
  private MaskedLayout masked;
  private QuantizedActivations dispatched;

  private GroupedGemmProblem(RoutedBatch batch, QuantizedActivations tokens, OptionalLong syntheticSeed,
      QuantizedWeights weights, DeviceRouting deviceRouting, DeviceTokens deviceTokens) {
    Validate.require(weights.experts() == batch.numExperts(), "experts", weights.experts(),
        "weights hold a different number of experts than batch " + batch.batchId() + " (" + batch.numExperts() + ")");
    Validate.require(tokens == null || tokens.k() == weights.k(), "k", tokens == null ? 0 : tokens.k(),
        "weights have K=" + weights.k());
    if (deviceRouting != null) {
      Validate.require(deviceRouting.numExperts() == batch.numExperts() && deviceRouting.rows() == batch.routedRows(),
          "device_routing", deviceRouting.numExperts() + " experts, " + deviceRouting.rows() + " rows",
          "is not the routing of batch " + batch.batchId() + " (" + batch.numExperts() + " experts, "
              + batch.routedRows() + " rows)");
    }
    this.batch = batch;
    this.tokens = tokens;
    this.syntheticSeed = syntheticSeed;
    this.weights = weights;
    if (deviceTokens != null) {
      Validate.require(deviceTokens.rows() == batch.numTokens() && deviceTokens.k() == weights.k(), "device_tokens",
          deviceTokens.rows() + " x " + deviceTokens.k(), "batch " + batch.batchId() + " needs " + batch.numTokens()
              + " tokens x K=" + weights.k());
    }
    Validate.require(deviceRouting != null || batch.hasHostIds(), "expert_ids", "not on the host",
        "batch " + batch.batchId() + " has its ids on a device: give its device routing");
    this.deviceRouting = deviceRouting;
    this.deviceTokens = deviceTokens;
    if (deviceRouting == null) {
      hostLayouts(); // a bad batch fails here, as it always has, before any backend sees it
    }
  }

  private synchronized void hostLayouts() {
    if (paddingFree != null) {
      return;
    }
    PaddingFreeLayout free = LayoutBuilder.paddingFree(batch);
    int[] tokenOf = new int[free.rows()];
    for (int r = 0; r < tokenOf.length; r++) {
      tokenOf[r] = free.rowSource()[r] / batch.topK();
    }
    this.tokenOfRow = tokenOf;
    this.padded = LayoutBuilder.padded(batch);
    this.masked = LayoutBuilder.masked(batch, LayoutBuilder.largestGroup(batch));
    this.paddingFree = free;
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
    return of(batch, tokens, weights, null);
  }

  /**
   * As {@link #of(RoutedBatch, QuantizedActivations, QuantizedWeights)}, with the layouts already
   * built on the GPU when {@code routing} is not null (the host then builds none; the routing stays the
   * caller's to close after the run).
   */
  public static GroupedGemmProblem of(RoutedBatch batch, QuantizedActivations tokens, QuantizedWeights weights,
      DeviceRouting routing) {
    Validate.notNull("batch", batch);
    Validate.notNull("tokens", tokens);
    Validate.notNull("weights", weights);
    Validate.require(tokens.rows() == batch.numTokens(), "tokens.rows", tokens.rows(),
        "batch " + batch.batchId() + " has " + batch.numTokens() + " tokens");
    return new GroupedGemmProblem(batch, tokens, OptionalLong.empty(), weights, routing, null);
  }

  /**
   * Tokens already in GPU memory ({@code tokens}: a dataset's activations read there by cuDF) and the
   * layouts built there ({@code routing}): nothing of the batch is on the host. Both stay the caller's.
   * The reference check reads the few tokens it samples back ({@link #tokenRows}).
   */
  public static GroupedGemmProblem onDevice(RoutedBatch batch, DeviceTokens tokens, QuantizedWeights weights,
      DeviceRouting routing) {
    Validate.notNull("batch", batch);
    Validate.notNull("tokens", tokens);
    Validate.notNull("weights", weights);
    Validate.notNull("routing", routing);
    return new GroupedGemmProblem(batch, null, OptionalLong.empty(), weights, routing, tokens);
  }

  /**
   * As {@link #of}, with the tokens {@code Fp8Quantizer.quantizeActivations(SyntheticData.activations(
   * activationSeed, numTokens, K))}, made only where and when needed.
   */
  public static GroupedGemmProblem synthetic(RoutedBatch batch, long activationSeed, QuantizedWeights weights) {
    Validate.notNull("batch", batch);
    Validate.notNull("weights", weights);
    return synthetic(batch, activationSeed, weights, null);
  }

  /** As {@link #synthetic(RoutedBatch, long, QuantizedWeights)}, routed on the GPU when {@code routing} is not null. */
  public static GroupedGemmProblem synthetic(RoutedBatch batch, long activationSeed, QuantizedWeights weights,
      DeviceRouting routing) {
    Validate.notNull("batch", batch);
    Validate.notNull("weights", weights);
    return new GroupedGemmProblem(batch, null, OptionalLong.of(activationSeed), weights, routing, null);
  }

  /**
   * This problem with its layouts already built on the GPU ({@code routing}, which stays the
   * caller's to close after the run): a CUDA backend reads them by address and the host makes none.
   */
  public GroupedGemmProblem withDeviceRouting(DeviceRouting routing) {
    Validate.notNull("routing", routing);
    return new GroupedGemmProblem(batch, tokensOnHost() ? tokens() : null, syntheticSeed, weights, routing, deviceTokens);
  }

  /** The tokens in GPU memory (a dataset's, read there by cuDF), or null when they are on the host or synthetic. */
  public DeviceTokens deviceTokens() {
    return deviceTokens;
  }

  /** The layouts built on the GPU, or null when the host builds them. */
  public DeviceRouting deviceRouting() {
    return deviceRouting;
  }

  /** Padding-free offsets (E + 1), from the device routing when there is one. */
  public int[] offsets() {
    return deviceRouting != null ? deviceRouting.hostOffsets() : paddingFree().offsets();
  }

  /** Padded group starts (E + 1), from the device routing when there is one. */
  public int[] groupStarts() {
    return deviceRouting != null ? deviceRouting.hostGroupStarts() : padded().groupStarts();
  }

  /** Rows per expert of the masked layout. */
  public int maxRows() {
    return deviceRouting != null ? deviceRouting.maxRows() : masked().maxRows();
  }

  /** Rows of the padded layout (valid and padding). */
  public int paddedRows() {
    return deviceRouting != null ? deviceRouting.paddedRows() : padded().paddedRows();
  }

  /**
   * The tokens of dispatched rows {@code rows} (a few sampled rows: read from the device, 4 bytes
   * each, when routed there; else from the host's layout).
   */
  public int[] tokensOfRows(int[] rows) {
    int[] out = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      Validate.require(rows[i] >= 0 && rows[i] < rows(), "rows[" + i + "]", rows[i], "must be a dispatched row in [0, " + rows() + ")");
      out[i] = deviceRouting != null ? deviceRouting.tokenOfRow().readInt(4L * rows[i]) : tokenOfRow()[rows[i]];
    }
    return out;
  }

  public RoutedBatch batch() {
    return batch;
  }

  /** The quantized activations of the batch's tokens, [numTokens][K] (synthetic ones made now, once). */
  public synchronized QuantizedActivations tokens() {
    if (tokens == null && deviceTokens != null) {
      tokens = deviceTokens.rowsToHost(allTokens()); // only the CPU's paths need them all on the host
    }
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
    if (deviceTokens != null) {
      return deviceTokens.rowsToHost(tokenIndices);
    }
    int k = weights.k();
    return Fp8Quantizer.quantizeActivations(SyntheticData.activationRows(syntheticSeed.getAsLong(), tokenIndices, k),
        tokenIndices.length, k);
  }

  private int[] allTokens() {
    int[] all = new int[batch.numTokens()];
    for (int t = 0; t < all.length; t++) {
      all[t] = t;
    }
    return all;
  }

  /** For each dispatched (padding-free) row, the token whose activations it holds (host layout). */
  public int[] tokenOfRow() {
    hostLayouts();
    return tokenOfRow;
  }

  /** The dispatched activations in the padding-free layout, gathered from the tokens on first use. */
  public synchronized QuantizedActivations dispatched() {
    if (dispatched == null) {
      dispatched = tokens().gatherRows(tokenOfRow());
    }
    return dispatched;
  }

  /** Rows of the padding-free layout (dispatched rows), without materialising them. */
  public int rows() {
    return batch.routedRows();
  }

  public QuantizedWeights weights() {
    return weights;
  }

  /** The host's padding-free layout (made on first use when the problem was routed on the device). */
  public PaddingFreeLayout paddingFree() {
    hostLayouts();
    return paddingFree;
  }

  public PaddedLayout padded() {
    hostLayouts();
    return padded;
  }

  public MaskedLayout masked() {
    hostLayouts();
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
    return LayoutBuilder.padSource(paddingFree(), padded());
  }

  /** For each masked row, the dispatched row it holds, or -1 past the expert's count. */
  public int[] maskedSource() {
    MaskedLayout masked = masked();
    int[] source = new int[masked.rowSource().length];
    java.util.Arrays.fill(source, -1);
    for (int e = 0; e < masked.numExperts(); e++) {
      for (int i = 0; i < masked.counts()[e]; i++) {
        source[e * masked.maxRows() + i] = paddingFree().offsets()[e] + i;
      }
    }
    return source;
  }
}
