package org.padfree.moe;

import java.util.HashMap;
import java.util.Map;
import org.padfree.numerics.Fp8E4M3;
import org.padfree.quant.ScaleBlocks;
import org.padfree.reference.SyntheticData;

/**
 * The experts' weight rows as {@link QuantizationStudy} reads them: a row's dot product with a double
 * vector. Synthetic float weights (the study on its own) or FP8 weights with their block scales (the
 * study on the weights a batch's GEMM rows used, read in place).
 */
interface StudyWeights {
  /** Called for every expert a sampled row uses, before any dot product (single-threaded). */
  void prepare(int expert);

  /**
   * {@code out[i] = GateUp_e[row] . vs[i][vAt, vAt + H)} for every vector: each weight is read and
   * decoded once for all of them (the study's variants share the weights); each vector's sum is taken
   * in one fixed order, so a vector's result does not depend on which others go with it.
   */
  void gateUpDots(int expert, int row, double[][] vs, int vAt, double[] out);

  /** As {@link #gateUpDots} for Down_e[row] over I values. */
  void downDots(int expert, int row, double[][] vs, int vAt, double[] out);

  /** GateUp_e[row] . v[vAt, vAt + H): {@link #gateUpDots} of one vector. */
  default double gateUpDot(int expert, int row, double[] v, int vAt) {
    double[] out = new double[1];
    gateUpDots(expert, row, new double[][] {v}, vAt, out);
    return out[0];
  }

  /** Down_e[row] . v[vAt, vAt + I): {@link #downDots} of one vector. */
  default double downDot(int expert, int row, double[] v, int vAt) {
    double[] out = new double[1];
    downDots(expert, row, new double[][] {v}, vAt, out);
    return out[0];
  }

  /** Synthetic float weights of the experts the sampled tokens use, made from the seed. */
  final class Synthetic implements StudyWeights {
    private final long seed;
    private final int hidden;
    private final int inter;
    private final Map<Integer, float[]> gateUp = new HashMap<>();
    private final Map<Integer, float[]> down = new HashMap<>();

    Synthetic(long seed, int hidden, int inter) {
      this.seed = seed;
      this.hidden = hidden;
      this.inter = inter;
    }

    @Override
    public void prepare(int expert) {
      gateUp.computeIfAbsent(expert, id -> SyntheticData.weights(seed * 31 + id, 2 * inter, hidden));
      down.computeIfAbsent(expert, id -> SyntheticData.weights(seed * 37 + id, hidden, inter));
    }

    @Override
    public void gateUpDots(int expert, int row, double[][] vs, int vAt, double[] out) {
      dots(gateUp.get(expert), row * hidden, vs, vAt, hidden, out);
    }

    @Override
    public void downDots(int expert, int row, double[][] vs, int vAt, double[] out) {
      dots(down.get(expert), row * inter, vs, vAt, inter, out);
    }

    private static double dot(float[] w, int wAt, double[] v, int vAt, int n) {
      double sum = 0;
      for (int k = 0; k < n; k++) {
        sum += w[wAt + k] * v[vAt + k];
      }
      return sum;
    }

    /**
     * {@link #dot} of one weight row with several vectors: per vector the same sum in the same order,
     * four vectors at a time so that four independent sums are in flight.
     */
    private static void dots(float[] w, int wAt, double[][] vs, int vAt, int n, double[] out) {
      int i = 0;
      for (; i + 4 <= vs.length; i += 4) {
        double[] v0 = vs[i];
        double[] v1 = vs[i + 1];
        double[] v2 = vs[i + 2];
        double[] v3 = vs[i + 3];
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int k = 0; k < n; k++) {
          double weight = w[wAt + k];
          s0 += weight * v0[vAt + k];
          s1 += weight * v1[vAt + k];
          s2 += weight * v2[vAt + k];
          s3 += weight * v3[vAt + k];
        }
        out[i] = s0;
        out[i + 1] = s1;
        out[i + 2] = s2;
        out[i + 3] = s3;
      }
      for (; i < vs.length; i++) {
        out[i] = dot(w, wAt, vs[i], vAt, n);
      }
    }
  }

  /** FP8 weights read in place: each 128-column block's decoded values summed, then times its scale. */
  final class Dequantized implements StudyWeights {
    private static final float[] DECODE = Fp8E4M3.decodeTable();
    private final MoeLayerWeights weights;

    Dequantized(MoeLayerWeights weights) {
      this.weights = weights;
    }

    @Override
    public void prepare(int expert) {
      // nothing to make: the FP8 values and scales are read where they are
    }

    @Override
    public void gateUpDots(int expert, int row, double[][] vs, int vAt, double[] out) {
      dots(weights.gateUp(), expert, row, vs, vAt, out);
    }

    @Override
    public void downDots(int expert, int row, double[][] vs, int vAt, double[] out) {
      dots(weights.down(), expert, row, vs, vAt, out);
    }

    /**
     * FP8 values times their block scale, summed per 128-value block in double, for several vectors at once. Each
     * 128-value block is decoded once, then dotted with four vectors at a time: four independent sums
     * keep the core busy where one sum waits on its own previous addition.
     */
    private static void dots(org.padfree.quant.QuantizedWeights w, int expert, int row, double[][] vs, int vAt,
        double[] out) {
      byte[] values = w.values()[expert];
      int k = w.k();
      int at = row * k;
      int n = vs.length;
      double[] decoded = new double[ScaleBlocks.BLOCK];
      java.util.Arrays.fill(out, 0, n, 0.0);
      for (int kb = 0; kb * ScaleBlocks.BLOCK < k; kb++) {
        int from = kb * ScaleBlocks.BLOCK;
        int len = Math.min(k, from + ScaleBlocks.BLOCK) - from;
        for (int c = 0; c < len; c++) {
          decoded[c] = DECODE[values[at + from + c] & 0xFF];
        }
        double scale = w.scale(expert, row / ScaleBlocks.BLOCK, kb);
        int i = 0;
        for (; i + 4 <= n; i += 4) {
          double[] v0 = vs[i];
          double[] v1 = vs[i + 1];
          double[] v2 = vs[i + 2];
          double[] v3 = vs[i + 3];
          int base = vAt + from;
          double b0 = 0;
          double b1 = 0;
          double b2 = 0;
          double b3 = 0;
          for (int c = 0; c < len; c++) {
            double weight = decoded[c];
            b0 += weight * v0[base + c];
            b1 += weight * v1[base + c];
            b2 += weight * v2[base + c];
            b3 += weight * v3[base + c];
          }
          out[i] += b0 * scale;
          out[i + 1] += b1 * scale;
          out[i + 2] += b2 * scale;
          out[i + 3] += b3 * scale;
        }
        for (; i < n; i++) {
          double[] v = vs[i];
          double block = 0;
          for (int c = 0; c < len; c++) {
            block += decoded[c] * v[vAt + from + c];
          }
          out[i] += block * scale;
        }
      }
    }
  }
}
