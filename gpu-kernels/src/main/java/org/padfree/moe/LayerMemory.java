package org.padfree.moe;

/**
 * Peak bytes of one layer's activations on a path (weights excluded: both paths hold the same ones).
 * The token activations (FP8 + 1x128 scales) and the layer output (BF16) are live throughout; the
 * intermediates of the dispatched rows live in pairs, each step reading one and writing the next:
 * dispatched A (FP8 + scales) and gate_up's G (BF16, 2I wide); G and h (BF16, I wide); h and its FP8
 * form (+ scales); that and down's D (BF16, H wide). The peak is the tokens, the output and the
 * largest pair. A padded path counts its padded rows everywhere a dispatched row is counted.
 */
public final class LayerMemory {
  private LayerMemory() {}

  public static long peakBytes(long tokens, long rows, int hidden, int intermediate) {
    long tokenBytes = tokens * hidden + 4L * tokens * blocks(hidden);
    long out = 2L * tokens * hidden;
    long a = rows * hidden + 4L * rows * blocks(hidden);
    long g = 2L * rows * 2 * intermediate;
    long h = 2L * rows * intermediate;
    long q = rows * intermediate + 4L * rows * blocks(intermediate);
    long d = 2L * rows * hidden;
    long pair = Math.max(Math.max(a + g, g + h), Math.max(h + q, q + d));
    return tokenBytes + out + pair;
  }

  private static long blocks(int k) {
    return (k + 127) / 128;
  }
}
