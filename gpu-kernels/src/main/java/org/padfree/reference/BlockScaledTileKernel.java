package org.padfree.reference;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.padfree.numerics.Bf16;
import org.padfree.numerics.Fp8E4M3;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.quant.ScaleBlocks;

/**
 * Computes one output tile (up to {@link #TILE_M} rows x {@link #TILE_N} columns of one expert) with
 * the exact block-scaled semantics:
 *
 * <pre>
 *   for each 128-wide K block kb, in order:
 *     partial = fp32( exact sum over k in kb of fp8(A[m,k]) * fp8(B[n,k]) )
 *     acc     = fma(partial, fp32(sa[m,kb] * sb[n/128,kb]), acc)      (acc starts at +0, FP32)
 *   D[m,n] = bf16_rne(acc)
 * </pre>
 *
 * Why the partial is exact in doubles, in any order: every E4M3 value is an integer multiple of
 * 2^-9 below 2^9, so each product is a multiple of 2^-18 with magnitude below 2^18, and any partial
 * sum of 128 of them is a multiple of 2^-18 below 2^25: at most 43 significant bits, which a double
 * holds exactly. The vectorised, blocked loop below is therefore bit-for-bit the definition.
 *
 * <p>Each instance owns scratch buffers; use one per thread.
 */
final class BlockScaledTileKernel {
  static final int TILE_M = 64;
  static final int TILE_N = 256;
  private static final int K_BLOCK = ScaleBlocks.BLOCK;

  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  /** Register tile: MICRO_M rows x two vectors of columns (8 accumulators, no spills on AVX2 or AVX-512). */
  private static final int MICRO_M = 4;
  private static final int MICRO_N = 2 * LANES;

  private static final double[] FP8_TO_DOUBLE = new double[256];

  static {
    float[] table = Fp8E4M3.decodeTable();
    for (int i = 0; i < 256; i++) {
      FP8_TO_DOUBLE[i] = table[i];
    }
    if (TILE_N % MICRO_N != 0 || ScaleBlocks.BLOCK % MICRO_N != 0) {
      throw new AssertionError("micro-tile width " + MICRO_N + " must divide 128 and TILE_N");
    }
  }

  /** The blocking, for reports: which configuration produced a timing. */
  static String describe() {
    return "tile " + TILE_M + "x" + TILE_N + ", k-block " + K_BLOCK + ", micro-tile " + MICRO_M + "x" + MICRO_N
        + " (" + SPECIES.vectorBitSize() + "-bit)";
  }

  // Packed operands of one K block: A as [m strip][k][MICRO_M], B as [n strip][k][MICRO_N], so the
  // inner loop reads both sequentially. Rows/columns beyond the tile are zero and never stored.
  private final double[] packedA = new double[TILE_M * K_BLOCK];
  private final double[] packedB = new double[TILE_N * K_BLOCK];
  private final double[] partial = new double[MICRO_M * MICRO_N];
  private final float[] acc = new float[TILE_M * TILE_N];

  /**
   * Writes D rows {@code dRows[from .. from+rows)} x columns {@code [n0, n0 + cols)} from A rows
   * {@code aRows[from .. from+rows)} and expert {@code expert}'s weights. The rows need not be
   * contiguous: rows of several experts that share one weight matrix can share a tile. Requires
   * rows <= TILE_M, cols <= TILE_N, and n0 a multiple of 128 (so a micro-tile never straddles a weight
   * scale block).
   */
  void run(QuantizedActivations a, int[] aRows, int[] dRows, int from, int rows, QuantizedWeights b, int expert,
      int n0, int cols, Bf16Matrix d) {
    accumulate(a, aRows, from, rows, b, expert, n0, cols);
    short[] out = d.bits();
    int nOut = d.cols();
    for (int i = 0; i < rows; i++) {
      int base = dRows[from + i] * nOut + n0;
      for (int j = 0; j < cols; j++) {
        out[base + j] = Bf16.round(acc[i * TILE_N + j]);
      }
    }
  }

  /**
   * As {@link #run(QuantizedActivations, int[], int[], int, int, QuantizedWeights, int, int, int, Bf16Matrix)},
   * but D keeps the FP32 accumulators (no BF16 rounding): what a fused epilogue works from.
   */
  void run(QuantizedActivations a, int[] aRows, int[] dRows, int from, int rows, QuantizedWeights b, int expert,
      int n0, int cols, Fp32Matrix d) {
    accumulate(a, aRows, from, rows, b, expert, n0, cols);
    float[] out = d.values();
    int nOut = d.cols();
    for (int i = 0; i < rows; i++) {
      System.arraycopy(acc, i * TILE_N, out, dRows[from + i] * nOut + n0, cols);
    }
  }

  /** The tile's FP32 accumulators (rows x cols of acc, row stride TILE_N). */
  private void accumulate(QuantizedActivations a, int[] aRows, int from, int rows, QuantizedWeights b, int expert,
      int n0, int cols) {
    int k = a.k();
    int kBlocks = a.kBlocks();
    int paddedRows = ScaleBlocks.roundUp(rows, MICRO_M);
    int paddedCols = ScaleBlocks.roundUp(cols, MICRO_N);
    java.util.Arrays.fill(acc, 0, rows * TILE_N, 0f);
    byte[] av = a.values();
    byte[] bv = b.values()[expert];
    for (int kb = 0; kb < kBlocks; kb++) {
      int k0 = kb * K_BLOCK;
      int kLen = Math.min(K_BLOCK, k - k0);
      packA(av, k, aRows, from, rows, paddedRows, k0, kLen);
      packB(bv, k, n0, cols, paddedCols, k0, kLen);
      for (int i0 = 0; i0 < rows; i0 += MICRO_M) {
        for (int j0 = 0; j0 < cols; j0 += MICRO_N) {
          microKernel(i0, j0, kLen);
          float sb = b.scale(expert, (n0 + j0) / ScaleBlocks.BLOCK, kb);
          int iEnd = Math.min(MICRO_M, rows - i0);
          int jEnd = Math.min(MICRO_N, cols - j0);
          for (int i = 0; i < iEnd; i++) {
            float s = a.scale(aRows[from + i0 + i], kb) * sb;
            int accRow = (i0 + i) * TILE_N + j0;
            for (int j = 0; j < jEnd; j++) {
              acc[accRow + j] = Math.fma((float) partial[i * MICRO_N + j], s, acc[accRow + j]);
            }
          }
        }
      }
    }
  }

  private void packA(byte[] av, int k, int[] aRows, int from, int rows, int paddedRows, int k0, int kLen) {
    for (int i = 0; i < paddedRows; i++) {
      int strip = (i / MICRO_M) * kLen * MICRO_M + (i % MICRO_M);
      if (i < rows) {
        int src = aRows[from + i] * k + k0;
        for (int kk = 0; kk < kLen; kk++) {
          packedA[strip + kk * MICRO_M] = FP8_TO_DOUBLE[av[src + kk] & 0xFF];
        }
      } else {
        for (int kk = 0; kk < kLen; kk++) {
          packedA[strip + kk * MICRO_M] = 0.0;
        }
      }
    }
  }

  private void packB(byte[] bv, int k, int n0, int cols, int paddedCols, int k0, int kLen) {
    for (int j = 0; j < paddedCols; j++) {
      int strip = (j / MICRO_N) * kLen * MICRO_N + (j % MICRO_N);
      if (j < cols) {
        int src = (n0 + j) * k + k0;
        for (int kk = 0; kk < kLen; kk++) {
          packedB[strip + kk * MICRO_N] = FP8_TO_DOUBLE[bv[src + kk] & 0xFF];
        }
      } else {
        for (int kk = 0; kk < kLen; kk++) {
          packedB[strip + kk * MICRO_N] = 0.0;
        }
      }
    }
  }

  /** partial[MICRO_M][MICRO_N] = packed A strip (rows i0..) times packed B strip (cols j0..) over kLen. */
  private void microKernel(int i0, int j0, int kLen) {
    int aBase = (i0 / MICRO_M) * kLen * MICRO_M;
    int bBase = (j0 / MICRO_N) * kLen * MICRO_N;
    DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = DoubleVector.zero(SPECIES);
    DoubleVector c10 = DoubleVector.zero(SPECIES), c11 = DoubleVector.zero(SPECIES);
    DoubleVector c20 = DoubleVector.zero(SPECIES), c21 = DoubleVector.zero(SPECIES);
    DoubleVector c30 = DoubleVector.zero(SPECIES), c31 = DoubleVector.zero(SPECIES);
    double[] pa = packedA;
    double[] pb = packedB;
    for (int kk = 0; kk < kLen; kk++) {
      DoubleVector b0 = DoubleVector.fromArray(SPECIES, pb, bBase + kk * MICRO_N);
      DoubleVector b1 = DoubleVector.fromArray(SPECIES, pb, bBase + kk * MICRO_N + LANES);
      int ai = aBase + kk * MICRO_M;
      DoubleVector a0 = DoubleVector.broadcast(SPECIES, pa[ai]);
      c00 = b0.fma(a0, c00);
      c01 = b1.fma(a0, c01);
      DoubleVector a1 = DoubleVector.broadcast(SPECIES, pa[ai + 1]);
      c10 = b0.fma(a1, c10);
      c11 = b1.fma(a1, c11);
      DoubleVector a2 = DoubleVector.broadcast(SPECIES, pa[ai + 2]);
      c20 = b0.fma(a2, c20);
      c21 = b1.fma(a2, c21);
      DoubleVector a3 = DoubleVector.broadcast(SPECIES, pa[ai + 3]);
      c30 = b0.fma(a3, c30);
      c31 = b1.fma(a3, c31);
    }
    double[] p = partial;
    c00.intoArray(p, 0);
    c01.intoArray(p, LANES);
    c10.intoArray(p, MICRO_N);
    c11.intoArray(p, MICRO_N + LANES);
    c20.intoArray(p, 2 * MICRO_N);
    c21.intoArray(p, 2 * MICRO_N + LANES);
    c30.intoArray(p, 3 * MICRO_N);
    c31.intoArray(p, 3 * MICRO_N + LANES);
  }
}
