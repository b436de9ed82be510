package org.padfree.layout;

import java.util.LinkedHashMap;
import java.util.Map;
import org.padfree.Validate;
import org.padfree.quant.ScaleBlocks;

/**
 * Exact device bytes of the two contiguous pipelines for one batch and one GEMM (N x K), counted at
 * each path's peak, i.e. while its grouped GEMM runs. Weights are the same in both and excluded.
 *
 * <pre>
 * padding-free:  A  M*K (FP8)  + A scales 4*ceil(K/128)*roundUp(M,4)  + offsets 4*(E+1)  + D 2*M*N (BF16)
 * padded:        A  M*K        + A scales 4*ceil(K/128)*roundUp(M,4)   (the unpadded input, still live)
 *              + padded A copy Mpad*K + its scales 4*ceil(K/128)*roundUp(Mpad,4)   (made by the pad op)
 *              + group index 4*Mpad   + D 2*Mpad*N
 * </pre>
 *
 * The difference is DESIGN.md's "extra bytes of the padded path": padding rows x (K + 4K/128 + 2N),
 * plus the layout index (4*Mpad instead of 4*(E+1)), plus the padded copy of the valid rows of A and
 * their scales; scales are counted with the 4-float TMA alignment the GPU really allocates.
 */
public record MemoryAccounting(
    int rows, int paddedRows, int numExperts, int n, int k,
    long activations, long activationScales, long offsets, long output,
    long paddedActivations, long paddedActivationScales, long groupIndex, long paddedOutput) {

  public static MemoryAccounting of(PaddingFreeLayout free, PaddedLayout padded, int n, int k) {
    Validate.notNull("padding_free_layout", free);
    Validate.notNull("padded_layout", padded);
    Validate.require(free.numExperts() == padded.numExperts(), "num_experts", padded.numExperts(),
        "the two layouts describe different batches (padding-free has " + free.numExperts() + ")");
    return of(free.rows(), padded.paddedRows(), free.numExperts(), n, k);
  }

  public static MemoryAccounting of(int rows, int paddedRows, int numExperts, int n, int k) {
    Validate.nonNegative("rows", rows);
    Validate.require(paddedRows >= rows, "padded_rows", paddedRows, "must be >= rows=" + rows);
    Validate.positive("num_experts", numExperts);
    Validate.positive("n", n);
    Validate.positive("k", k);
    long kBlocks = ScaleBlocks.blocks(k);
    return new MemoryAccounting(rows, paddedRows, numExperts, n, k,
        (long) rows * k,
        4L * kBlocks * ScaleBlocks.roundUp(rows, ScaleBlocks.TMA_SCALE_ALIGN),
        4L * (numExperts + 1),
        2L * rows * n,
        (long) paddedRows * k,
        4L * kBlocks * ScaleBlocks.roundUp(paddedRows, ScaleBlocks.TMA_SCALE_ALIGN),
        4L * paddedRows,
        2L * paddedRows * n);
  }

  public int paddingRows() {
    return paddedRows - rows;
  }

  public long paddingFreePeak() {
    return activations + activationScales + offsets + output;
  }

  public long paddedPeak() {
    return activations + activationScales + paddedActivations + paddedActivationScales + groupIndex
        + paddedOutput;
  }

  /** Bytes the padding-free path does not need: paddedPeak - paddingFreePeak. */
  public long savedBytes() {
    return paddedPeak() - paddingFreePeak();
  }

  /** {@link #savedBytes()} as a fraction of the padded path's peak (0 when both are empty). */
  public double savedFraction() {
    long peak = paddedPeak();
    return peak == 0 ? 0.0 : (double) savedBytes() / peak;
  }

  /** Saving per tensor, in a stable order, for reports. */
  public Map<String, Long> savedByTensor() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("padded_A_copy", paddedActivations);
    m.put("padded_A_scales", paddedActivationScales);
    m.put("layout_index", groupIndex - offsets);
    m.put("D", paddedOutput - output);
    return m;
  }
}
