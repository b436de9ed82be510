package org.padfree.columnar;

import org.padfree.Validate;
import org.padfree.quant.ScaleBlocks;

/**
 * 1x128 activation scales from the row-major order a dataset stores them in ([tokens][kBlocks], one
 * batch's run inside a file's flat column) to the kernels' M-major, TMA-aligned layout
 * ({@link ScaleBlocks#toTmaAlignedMMajor}: element (t, b) at {@code b * roundUp(tokens, 4) + t}), as
 * one gather on the device. The alignment slots, which no kernel reads for a valid row, take the
 * batch's first scale instead of the host layout's zero (a gather can only copy values).
 */
public final class ScaleLayoutColumns {
  private ScaleLayoutColumns() {}

  /**
   * For each slot of the M-major layout of {@code tokens} x {@code kBlocks} scales, the position in
   * the flat column where they start at {@code first}: {@code first + t * kBlocks + b}, or {@code first}
   * for an alignment slot.
   */
  public static <C> C mMajorSource(ColumnOps<C> ops, int first, int tokens, int kBlocks) {
    Validate.nonNegative("first", first);
    Validate.nonNegative("tokens", tokens);
    Validate.positive("k_blocks", kBlocks);
    int stride = ScaleBlocks.roundUp(tokens, ScaleBlocks.TMA_SCALE_ALIGN);
    int slots = Validate.product("k_blocks x aligned tokens", kBlocks, stride);
    C slot = ops.sequence(0, slots);
    C block = ops.divScalar(slot, stride);
    C token = ops.sub(slot, ops.mulScalar(block, stride));
    C source = ops.addScalar(ops.add(ops.mulScalar(token, kBlocks), block), first);
    return ops.ifElseScalar(ops.lessThanScalar(token, tokens), source, first);
  }

  /** The M-major layout of the scales of {@code tokens} tokens starting at {@code first} in {@code flat}. */
  public static <C> C mMajor(ColumnOps<C> ops, C flat, int first, int tokens, int kBlocks) {
    return ops.gather(flat, mMajorSource(ops, first, tokens, kBlocks));
  }
}
