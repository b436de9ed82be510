package org.padfree.quant;

import org.padfree.Validate;

/**
 * FP8 expert weights with 128x128 block scales. Expert e's matrix B_e is N x K row-major in
 * {@code values[e]} (the "T" of the NT GEMM) with scales {@code scales[e]} laid out [blocks(n)][blocks(k)].
 *
 * <p>Per-expert arrays (rather than one [E][N][K] array) keep every expert under Java's 2^31 array
 * limit, and let synthetic workloads share one matrix between several experts: DeepSeek-V3's 256
 * gate/up matrices are 7.5 GB, which a CPU executor need not hold to measure routing effects.
 */
public record QuantizedWeights(int n, int k, byte[][] values, float[][] scales) {

  public QuantizedWeights {
    Validate.positive("n", n);
    Validate.positive("k", k);
    Validate.notNull("values", values);
    Validate.notNull("scales", scales);
    Validate.require(values.length > 0, "experts", values.length, "need at least one expert");
    Validate.length("scales", scales.length, values.length, "one scale array per expert");
    long valuesPerExpert = (long) n * k;
    int scalesPerExpert = ScaleBlocks.blocks(n) * ScaleBlocks.blocks(k);
    for (int e = 0; e < values.length; e++) {
      Validate.notNull("values[" + e + "]", values[e]);
      Validate.notNull("scales[" + e + "]", scales[e]);
      Validate.length("values[" + e + "]", values[e].length, valuesPerExpert, "n=" + n + " x k=" + k);
      Validate.length("scales[" + e + "]", scales[e].length, scalesPerExpert,
          "ceil(n/128)=" + ScaleBlocks.blocks(n) + " x ceil(k/128)=" + ScaleBlocks.blocks(k));
    }
  }

  public int experts() {
    return values.length;
  }

  public int nBlocks() {
    return ScaleBlocks.blocks(n);
  }

  public int kBlocks() {
    return ScaleBlocks.blocks(k);
  }

  public float scale(int expert, int nBlock, int kBlock) {
    return scales[expert][nBlock * kBlocks() + kBlock];
  }
}
