package org.padfree.moe;

import org.padfree.Validate;
import org.padfree.layout.LayoutBuilder;
import org.padfree.layout.PaddedLayout;
import org.padfree.layout.PaddingFreeLayout;
import org.padfree.numerics.Bf16;
import org.padfree.quant.Fp8Quantizer;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.Bf16Matrix;
import org.padfree.reference.CpuGroupedGemm;
import org.padfree.reference.Fp32Matrix;
import org.padfree.reference.SyntheticData;
import org.padfree.routing.RoutedBatch;

/**
 * A whole MoE expert layer on the exact CPU reference, in both forms (unfused: the intermediate is
 * BF16, then quantized), the definition the GPU's layer is held to:
 * <ol>
 *   <li>dispatch: the batch's tokens (SyntheticData activations, FP8 with 1x128 scales) gathered into
 *       the layout's rows;</li>
 *   <li>gate_up grouped GEMM: G = A . gate_up^T, BF16 (2I columns, gate and up interleaved);</li>
 *   <li>{@link SwiGlu}: h = bf16(silu(gate) * up);</li>
 *   <li>h quantized to FP8 with 1x128 scales (the activation rule of the README);</li>
 *   <li>down grouped GEMM: D = q(h) . down^T, BF16 (H columns);</li>
 *   <li>combine: out[t] = bf16(sum over j of w[t, j] * D[row of (t, j)]), an FP32 fma chain in j
 *       order ({@link RoutingWeights}).</li>
 * </ol>
 * The padded form keeps its padding rows through every step (zero rows stay zero: SiLU(0) * 0 = 0), as
 * padded MoE implementations do; the padding-free form never has a padding row. Every step is row by
 * row, so both give bit-identical outputs.
 */
public final class CpuMoeLayer implements AutoCloseable {
  /** Which grouped layout the layer's two GEMMs use. */
  public enum Form { PADDING_FREE, PADDED }

  /** One form's run: the output (tokens x H), its dispatched rows, its peak activation bytes, its wall time. */
  public record Run(Form form, Bf16Matrix out, int rows, long peakBytes, double millis) {}

  private final CpuGroupedGemm gemm;

  public CpuMoeLayer(int threads) {
    this.gemm = new CpuGroupedGemm(Validate.positive("threads", threads));
  }

  /** The batch's tokens, quantized as the job quantizes activations. */
  public static QuantizedActivations tokens(RoutedBatch batch, int hidden) {
    return Fp8Quantizer.quantizeActivations(SyntheticData.activations(batch.seed(), batch.numTokens(), hidden),
        batch.numTokens(), hidden);
  }

  public Run run(Form form, RoutedBatch batch, MoeLayerWeights weights, QuantizedActivations tokens, float[] routing) {
    return run(form, batch, weights, tokens, routing, false);
  }

  /**
   * As {@link #run(Form, RoutedBatch, MoeLayerWeights, QuantizedActivations, float[])}, or the fused
   * form's numerics ({@code fused}): G stays FP32 and h = silu(g) * u is quantized from FP32
   * ({@link SwiGlu#applyFused}), as the GPU's fused gate_up epilogue does; everything else is the same.
   */
  public Run run(Form form, RoutedBatch batch, MoeLayerWeights weights, QuantizedActivations tokens, float[] routing,
      boolean fused) {
    Validate.require(batch.numExperts() == weights.experts(), "experts", batch.numExperts(),
        "the batch routes to " + batch.numExperts() + " experts, the layer has " + weights.experts());
    Validate.require(tokens.rows() == batch.numTokens() && tokens.k() == weights.hidden(), "tokens",
        tokens.rows() + " x " + tokens.k(), "must be num_tokens x H = " + batch.numTokens() + " x " + weights.hidden());
    Validate.length("routing weights", routing.length, (long) batch.numTokens() * batch.topK(), "num_tokens x top_k");
    long start = System.nanoTime();
    // The two forms differ only in the layout their two GEMMs read; every other step is row by row.
    int[] rowSource;
    GroupedGemms gemms;
    if (form == Form.PADDING_FREE) {
      PaddingFreeLayout layout = LayoutBuilder.paddingFree(batch);
      rowSource = layout.rowSource();
      gemms = new GroupedGemms((a, w) -> gemm.paddingFreeContiguous(a, w, layout.offsets()),
          (a, w) -> gemm.paddingFreeContiguousFp32(a, w, layout.offsets()));
    } else {
      PaddedLayout layout = LayoutBuilder.padded(batch);
      rowSource = layout.rowSource();
      gemms = new GroupedGemms((a, w) -> gemm.paddedContiguous(a, w, layout.groupIndex()),
          (a, w) -> gemm.paddedContiguousFp32(a, w, layout.groupIndex()));
    }
    QuantizedActivations a = tokens.gatherRows(DispatchRows.tokenOf(rowSource, batch.topK()));
    float[] h = fused ? SwiGlu.applyFused(gemms.fp32().apply(a, weights.gateUp()))
        : SwiGlu.apply(gemms.bf16().apply(a, weights.gateUp()));
    QuantizedActivations q = Fp8Quantizer.quantizeActivations(h, rowSource.length, weights.intermediate());
    Bf16Matrix d = gemms.bf16().apply(q, weights.down());
    Bf16Matrix out = combine(batch, d, rowSource, routing, weights.hidden());
    double millis = (System.nanoTime() - start) / 1e6;
    long peak = LayerMemory.peakBytes(batch.numTokens(), rowSource.length, weights.hidden(), weights.intermediate());
    return new Run(form, out, rowSource.length, peak, millis);
  }

  /** One form's grouped GEMM on its layout, with a BF16 or an FP32 (accumulator) output. */
  private record GroupedGemms(java.util.function.BiFunction<QuantizedActivations, QuantizedWeights, Bf16Matrix> bf16,
      java.util.function.BiFunction<QuantizedActivations, QuantizedWeights, Fp32Matrix> fp32) {}

  /** out[t] = bf16(sum_j fma(w[t, j], D[row(t, j)], acc)), j ascending, FP32. */
  static Bf16Matrix combine(RoutedBatch batch, Bf16Matrix d, int[] rowSource, float[] routing, int hidden) {
    int topK = batch.topK();
    int[] rowOfSlot = DispatchRows.rowOfSlot(rowSource, batch.numTokens() * topK);
    short[] bits = new short[batch.numTokens() * hidden];
    float[] acc = new float[hidden];
    for (int t = 0; t < batch.numTokens(); t++) {
      java.util.Arrays.fill(acc, 0f);
      for (int j = 0; j < topK; j++) {
        int row = rowOfSlot[t * topK + j];
        float w = routing[t * topK + j];
        for (int h = 0; h < hidden; h++) {
          acc[h] = Math.fma(w, d.get(row, h), acc[h]);
        }
      }
      for (int h = 0; h < hidden; h++) {
        bits[t * hidden + h] = Bf16.round(acc[h]);
      }
    }
    return new Bf16Matrix(batch.numTokens(), hidden, bits);
  }

  @Override
  public void close() {
    gemm.close();
  }
}
