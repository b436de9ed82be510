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

    /** sum_kb scale(row, kb) * sum_k decode(w[row, k]) v[k]: the dequantized row's dot, in double. */
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
