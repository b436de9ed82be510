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

  /** GateUp_e[row] . v[vAt, vAt + H). */
  double gateUpDot(int expert, int row, double[] v, int vAt);

  /** Down_e[row] . v[vAt, vAt + I). */
  double downDot(int expert, int row, double[] v, int vAt);

  /**
   * {@code out[i] = GateUp_e[row] . vs[i][vAt, vAt + H)} for every vector: each weight is read and
   * decoded once for all of them (the study's variants share the weights), and each sum is taken in
   * the same order as {@link #gateUpDot}, so each result is bit for bit that method's.
   */
  void gateUpDots(int expert, int row, double[][] vs, int vAt, double[] out);

  /** As {@link #gateUpDots} for Down_e[row] over I values. */
  void downDots(int expert, int row, double[][] vs, int vAt, double[] out);

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
    public double gateUpDot(int expert, int row, double[] v, int vAt) {
      return QuantizationStudy.dot(gateUp.get(expert), row * hidden, v, vAt, hidden);
    }

    @Override
    public double downDot(int expert, int row, double[] v, int vAt) {
      return QuantizationStudy.dot(down.get(expert), row * inter, v, vAt, inter);
    }

    @Override
    public void gateUpDots(int expert, int row, double[][] vs, int vAt, double[] out) {
      QuantizationStudy.dots(gateUp.get(expert), row * hidden, vs, vAt, hidden, out);
    }

    @Override
    public void downDots(int expert, int row, double[][] vs, int vAt, double[] out) {
      QuantizationStudy.dots(down.get(expert), row * inter, vs, vAt, inter, out);
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
    public double gateUpDot(int expert, int row, double[] v, int vAt) {
      return dot(weights.gateUp(), expert, row, v, vAt);
    }

    @Override
    public double downDot(int expert, int row, double[] v, int vAt) {
      return dot(weights.down(), expert, row, v, vAt);
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
     * {@link #dot} for several vectors at once; per vector the same operations in the same order. Each
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

    private static double dot(org.padfree.quant.QuantizedWeights w, int expert, int row, double[] v, int vAt) {
      byte[] values = w.values()[expert];
      int k = w.k();
      int at = row * k;
      double sum = 0;
      for (int kb = 0; kb * ScaleBlocks.BLOCK < k; kb++) {
        int from = kb * ScaleBlocks.BLOCK;
        int to = Math.min(k, from + ScaleBlocks.BLOCK);
        double block = 0;
        for (int c = from; c < to; c++) {
          block += DECODE[values[at + c] & 0xFF] * v[vAt + c];
        }
        sum += block * w.scale(expert, row / ScaleBlocks.BLOCK, kb);
      }
      return sum;
    }
  }
}
