package org.padfree.moe;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.numerics.Fp8E4M3;
import org.padfree.quant.ScaleBlocks;
import org.padfree.reference.SyntheticData;
import org.padfree.routing.RoutedBatch;

/**
 * How much error each {@link ActivationScaling} granularity adds to one MoE expert layer, on a
 * batch's real routing, with and without outlier activation columns. Everything runs on the CPU in
 * double precision; only the FP8 rounding of the activations differs between the variants.
 *
 * <p><b>The layer.</b> A token x (H values) routed to experts e_1..e_topK with routing weights w_j:
 * <pre>
 *   out = sum_j w_j * Down_{e_j} . (SiLU(g) (.) u),   g[c] = (GateUp_{e_j} . x)[2c],  u[c] = (GateUp_{e_j} . x)[2c+1]
 * </pre>
 * GateUp_e is (2I x H) with gate and up channels interleaved by output row, Down_e is (H x I), and
 * SiLU(v) = v / (1 + exp(-v)).
 *
 * <p><b>Reference.</b> The layer in double on the float activations and float weights; h stays double.
 *
 * <p><b>Variants.</b> A scaling variant quantizes both GEMM inputs, x before GateUp and h before Down,
 * to FP8 E4M3 ({@link Fp8E4M3}: round to nearest even, saturating) with that granularity's scale
 * groups: {@code q = e4m3(v * (448 / max(amax, 1e-4)))}, dequantized as {@code q * max(amax, 1e-4) / 448}
 * (both factors in FP32, by {@link ScaleBlocks}, as the GPU kernels compute them), amax over the scale
 * group. h is rounded to float before it is quantized, as a kernel's epilogue would hold it. Weights
 * are never quantized, so the study isolates activation scaling. The layer is then computed in double
 * from the dequantized values.
 *
 * <p><b>Per-tensor scope.</b> x's per-tensor amax is taken over all {@code numTokens} rows of the
 * batch (outliers included when injected), as a real per-tensor scale would be. h's is taken over the
 * sampled (token, expert) rows only: the batch's full h would need every routed row's GEMM, which is
 * the cost sampling avoids. A smaller population can only lower amax, so per-tensor's h error is if
 * anything understated.
 *
 * <p><b>Error.</b> {@code ||out_variant - out_ref||_F / ||out_ref||_F} over the sampled tokens' outputs.
 *
 * <p><b>Inputs, all functions of {@code seed}.</b>
 * <ul>
 *   <li>Activations: rows of {@code SyntheticData.activations(seed, numTokens, H)}.
 *   <li>Weights of expert e: GateUp = {@code SyntheticData.weights(seed * 31 + e, 2I, H)},
 *       Down = {@code SyntheticData.weights(seed * 37 + e, H, I)}; only experts the sampled tokens use
 *       are made. Or, given {@link MoeLayerWeights} (the Spark job passes its GEMM rows' weight bank),
 *       their FP8 values times their block scales, read in place ({@link #run(RoutedBatch,
 *       MoeLayerWeights, long, int, double, double)}): no float copy of a bank matrix is made, so a
 *       DeepSeek-V3 study needs no more heap than the bank itself.
 *   <li>Routing weights of token t: a softmax of topK draws of {@code nextGaussian()} from
 *       {@code new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t)}, in slot order.
 *   <li>Sampled tokens: {@code min(sampleTokens, numTokens)} distinct tokens, drawn by Floyd's
 *       algorithm from the first {@code split()} of {@code new SplittableRandom(seed)}, in ascending order.
 *   <li>Outlier columns: {@code max(1, round(fraction * H))} distinct columns of x (capped at H), drawn
 *       the same way from the second {@code split()}; every token's value in them is multiplied by the
 *       factor and rounded to float. Defaults: 1% of columns, factor 50.
 * </ul>
 *
 * <p><b>Reading the numbers.</b> E4M3 has an exponent, so a scale mostly moves values between
 * binades and costs precision only where they fall into subnormals: without outliers the granularities
 * differ by a few percent, less than the spread between one small sample and the next (whose error is
 * set by its largest-norm tokens). Compare granularities over several seeds, not on one batch.
 */
public final class QuantizationStudy {
  public static final int DEFAULT_SAMPLE_TOKENS = 16;
  public static final double DEFAULT_OUTLIER_FRACTION = 0.01;
  public static final double DEFAULT_OUTLIER_FACTOR = 50.0;

  /** Rows generated at a time while scanning the whole batch for the per-tensor amax. */
  private static final int AMAX_SCAN_ROWS = 256;
  /** Multiply-adds above which the per-row GEMMs run on several threads (the result is the same). */
  private static final long PARALLEL_WORK = 1L << 22;

  private QuantizationStudy() {}

  /** One scaling's error, without and with the outlier columns injected. */
  public record Errors(double withoutOutliers, double withOutliers) {}

  /**
   * The errors per scaling and the parameters that produced them.
   *
   * @param tokensSampled tokens evaluated: {@code min(sampleTokens, numTokens)}
   * @param outlierColumns how many columns of x were scaled up in the with-outlier run
   */
  public record Result(int hidden, int intermediate, long seed, int tokensSampled, int outlierColumns,
      double outlierFraction, double outlierFactor, Map<ActivationScaling, Errors> errors) {
    public Result {
      errors = Collections.unmodifiableMap(new EnumMap<>(errors));
    }

    public double errorWithout(ActivationScaling scaling) {
      return errors.get(scaling).withoutOutliers();
    }

    public double errorWith(ActivationScaling scaling) {
      return errors.get(scaling).withOutliers();
    }
  }

  /** The study with the default outliers: 1% of hidden columns (at least one), multiplied by 50. */
  public static Result run(RoutedBatch batch, int hidden, int intermediate, long seed, int sampleTokens) {
    return run(batch, hidden, intermediate, seed, sampleTokens, DEFAULT_OUTLIER_FRACTION, DEFAULT_OUTLIER_FACTOR);
  }

  /** The study with {@code outlierFraction} of x's columns multiplied by {@code outlierFactor}. */
  public static Result run(RoutedBatch batch, int hidden, int intermediate, long seed, int sampleTokens,
      double outlierFraction, double outlierFactor) {
    return run(batch, hidden, intermediate, seed, sampleTokens, outlierFraction, outlierFactor,
        new StudyWeights.Synthetic(seed, hidden, intermediate));
  }

  /**
   * The study on given weights, dequantized (FP8 value x block scale, summed in double): the layer a
   * batch's GEMM rows ran, so no second set of weights is made. The weights stay the same in the
   * reference and every variant, so the study still measures activation scaling alone.
   */
  public static Result run(RoutedBatch batch, MoeLayerWeights weights, long seed, int sampleTokens,
      double outlierFraction, double outlierFactor) {
    Validate.notNull("weights", weights);
    Validate.require(batch.numExperts() == weights.experts(), "experts", batch.numExperts(),
        "the batch routes to " + batch.numExperts() + " experts, the weights have " + weights.experts());
    return run(batch, weights.hidden(), weights.intermediate(), seed, sampleTokens, outlierFraction, outlierFactor,
        new StudyWeights.Dequantized(weights));
  }

  private static Result run(RoutedBatch batch, int hidden, int intermediate, long seed, int sampleTokens,
      double outlierFraction, double outlierFactor, StudyWeights weights) {
    Validate.notNull("batch", batch);
    Validate.positive("hidden", hidden);
    Validate.positive("intermediate", intermediate);
    Validate.positive("sample_tokens", sampleTokens);
    Validate.require(outlierFraction > 0 && outlierFraction < 1, "outlier_fraction", outlierFraction,
        "must be in (0, 1)");
    Validate.require(outlierFactor >= 1 && Double.isFinite(outlierFactor), "outlier_factor", outlierFactor,
        "must be finite and >= 1");
    Validate.positive("num_tokens", batch.numTokens());
    Validate.product("gate_up rows x hidden", Validate.product("2 x intermediate", 2, intermediate), hidden);

    SplittableRandom root = new SplittableRandom(seed);
    int[] tokens = distinctSorted(root.split(), batch.numTokens(), Math.min(sampleTokens, batch.numTokens()));
    int outlierCount = (int) Math.min(hidden, Math.max(1, Math.round(outlierFraction * hidden)));
    int[] outlierCols = distinctSorted(root.split(), hidden, outlierCount);
    Layer layer = new Layer(batch, hidden, intermediate, seed, tokens, weights);

    float[] x = SyntheticData.activationRows(seed, tokens, hidden);
    float[] xOutliers = x.clone();
    scaleColumns(xOutliers, tokens.length, hidden, outlierCols, outlierFactor);
    float[] amax = batchAmax(seed, batch.numTokens(), hidden, outlierCols, outlierFactor);
    double[][] errs = layer.errors(new float[][] {x, xOutliers}, amax);
    double[] without = errs[0];
    double[] with = errs[1];

    Map<ActivationScaling, Errors> errors = new EnumMap<>(ActivationScaling.class);
    for (ActivationScaling s : ActivationScaling.values()) {
      errors.put(s, new Errors(without[s.ordinal()], with[s.ordinal()]));
    }
    return new Result(hidden, intermediate, seed, tokens.length, outlierCount, outlierFraction, outlierFactor, errors);
  }

  /**
   * FP8 round trip of {@code v} (rows x cols) with the given scaling's groups; {@code tensorAmax} is
   * the amax of a per-tensor scale, whose population may be larger than {@code v}.
   */
  static double[] fakeQuantize(float[] v, int rows, int cols, ActivationScaling scaling, float tensorAmax) {
    double[] out = new double[v.length];
    int width = scaling.groupColumns(cols);
    for (int r = 0; r < rows; r++) {
      for (int from = r * cols; from < (r + 1) * cols; from += width) {
        int to = Math.min(from + width, (r + 1) * cols);
        float amax = scaling.spansRows() ? tensorAmax : amax(v, from, to);
        float inverse = ScaleBlocks.inverseScaleOf(amax);
        double scale = ScaleBlocks.scaleOf(amax);
        for (int i = from; i < to; i++) {
          out[i] = Fp8E4M3.decode(Fp8E4M3.encode(v[i] * inverse)) * scale;
        }
      }
    }
    return out;
  }

  /** The layer on the sampled tokens: the weights it needs, made once and shared by every run. */
  private static final class Layer {
    private final int hidden;
    private final int inter;
    private final int topK;
    private final int tokens;
    /** Per sampled row (token i, slot j) at i * topK + j: the expert and its routing weight. */
    private final int[] experts;
    private final double[] routing;
    private final StudyWeights weights;

    Layer(RoutedBatch batch, int hidden, int inter, long seed, int[] sampled, StudyWeights weights) {
      this.weights = weights;
      this.hidden = hidden;
      this.inter = inter;
      this.topK = batch.topK();
      this.tokens = sampled.length;
      this.experts = new int[tokens * topK];
      this.routing = new double[tokens * topK];
      for (int i = 0; i < tokens; i++) {
        int t = sampled[i];
        double[] w = RoutingWeights.token(seed, t, topK);
        for (int j = 0; j < topK; j++) {
          int e = batch.expertIds()[t * topK + j];
          experts[i * topK + j] = e;
          routing[i * topK + j] = w[j];
          weights.prepare(e);
        }
      }
    }

    /**
     * Each scaling's relative error (indexed by ordinal) for each of the sampled tokens' activations
     * {@code xs[v]}, whose per-tensor amax is {@code xTensorAmax[v]}. Every variant (the double
     * reference and each scaling, for each x) goes through the two GEMMs together, so each weight is
     * read and decoded once for all of them; each variant's sums are the ones it would have alone.
     */
    double[][] errors(float[][] xs, float[] xTensorAmax) {
      ActivationScaling[] scalings = ActivationScaling.values();
      int per = 1 + scalings.length;
      double[][] inputs = new double[xs.length * per][];
      for (int v = 0; v < xs.length; v++) {
        double[] xd = new double[xs[v].length];
        for (int i = 0; i < xd.length; i++) {
          xd[i] = xs[v][i];
        }
        inputs[v * per] = xd;
        for (ActivationScaling s : scalings) {
          inputs[v * per + 1 + s.ordinal()] = fakeQuantize(xs[v], tokens, hidden, s, xTensorAmax[v]);
        }
      }
      double[][] h = gateUpSwiGlu(inputs);
      for (int v = 0; v < xs.length; v++) {
        for (ActivationScaling s : scalings) {
          h[v * per + 1 + s.ordinal()] = quantizeH(h[v * per + 1 + s.ordinal()], s);
        }
      }
      double[][] out = down(h);
      double[][] errors = new double[xs.length][scalings.length];
      for (int v = 0; v < xs.length; v++) {
        for (ActivationScaling s : scalings) {
          errors[v][s.ordinal()] = relativeFrobenius(out[v * per + 1 + s.ordinal()], out[v * per]);
        }
      }
      return errors;
    }

    /** h (tokens * topK rows x I) in double, from each x (tokens x H). */
    private double[][] gateUpSwiGlu(double[][] xs) {
      int n = xs.length;
      double[][] h = new double[n][tokens * topK * inter];
      rows((long) 2 * inter * hidden * n).forEach(r -> {
        int e = experts[r];
        int xAt = (r / topK) * hidden;
        double[] g = new double[n];
        double[] u = new double[n];
        for (int c = 0; c < inter; c++) {
          weights.gateUpDots(e, 2 * c, xs, xAt, g);
          weights.gateUpDots(e, 2 * c + 1, xs, xAt, u);
          for (int i = 0; i < n; i++) {
            h[i][r * inter + c] = g[i] / (1 + Math.exp(-g[i])) * u[i];
          }
        }
      });
      return h;
    }

    /** h rounded to float, then FP8 round-tripped with the scaling's groups (per-tensor: over these rows). */
    private double[] quantizeH(double[] h, ActivationScaling scaling) {
      float[] hf = new float[h.length];
      for (int i = 0; i < h.length; i++) {
        hf[i] = (float) h[i];
      }
      return fakeQuantize(hf, tokens * topK, inter, scaling, amax(hf, 0, hf.length));
    }

    /** The routed sum of Down . h per token (tokens x H), for each h. */
    private double[][] down(double[][] hs) {
      int n = hs.length;
      double[][] rowOut = new double[n][tokens * topK * hidden];
      rows((long) hidden * inter * n).forEach(r -> {
        int e = experts[r];
        double[] d = new double[n];
        for (int o = 0; o < hidden; o++) {
          weights.downDots(e, o, hs, r * inter, d);
          for (int i = 0; i < n; i++) {
            rowOut[i][r * hidden + o] = routing[r] * d[i];
          }
        }
      });
      // Summed over slots in slot order after the parallel part, so the result never depends on threads.
      double[][] out = new double[n][tokens * hidden];
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < tokens * topK; r++) {
          int at = (r / topK) * hidden;
          for (int o = 0; o < hidden; o++) {
            out[i][at + o] += rowOut[i][r * hidden + o];
          }
        }
      }
      return out;
    }

    private IntStream rows(long workPerRow) {
      IntStream rows = IntStream.range(0, tokens * topK);
      return workPerRow * tokens * topK >= PARALLEL_WORK ? rows.parallel() : rows;
    }
  }

  /**
   * amax of the whole batch's x (numTokens x H), without and with the outlier columns scaled, made a
   * slice of rows at a time so that a large batch's activations are never held at once (and made once
   * for both).
   */
  private static float[] batchAmax(long seed, int numTokens, int hidden, int[] outlierCols, double factor) {
    float plain = 0f;
    float scaled = 0f;
    for (int first = 0; first < numTokens; first += AMAX_SCAN_ROWS) {
      int[] slice = IntStream.range(first, Math.min(numTokens, first + AMAX_SCAN_ROWS)).toArray();
      float[] rows = SyntheticData.activationRows(seed, slice, hidden);
      plain = Math.max(plain, amax(rows, 0, rows.length));
      scaleColumns(rows, slice.length, hidden, outlierCols, factor);
      scaled = Math.max(scaled, amax(rows, 0, rows.length));
    }
    if (!Float.isFinite(scaled)) {
      throw new InvalidInputException("outlier_factor", factor, "overflows float: the activations' amax becomes "
          + scaled);
    }
    return new float[] {plain, scaled};
  }

  private static void scaleColumns(float[] x, int rows, int cols, int[] columns, double factor) {
    for (int r = 0; r < rows; r++) {
      for (int c : columns) {
        x[r * cols + c] = (float) (x[r * cols + c] * factor);
      }
    }
  }

  private static float amax(float[] v, int from, int to) {
    float amax = 0f;
    for (int i = from; i < to; i++) {
      amax = Math.max(amax, Math.abs(v[i]));
    }
    return amax;
  }

  /** {@code count} distinct values of [0, n) by Floyd's algorithm (count draws, no n-sized array), sorted. */
  private static int[] distinctSorted(SplittableRandom random, int n, int count) {
    Set<Integer> chosen = new HashSet<>();
    for (int j = n - count; j < n; j++) {
      int pick = random.nextInt(j + 1);
      if (!chosen.add(pick)) {
        chosen.add(j);
      }
    }
    int[] sorted = chosen.stream().mapToInt(Integer::intValue).toArray();
    Arrays.sort(sorted);
    return sorted;
  }

  private static double relativeFrobenius(double[] out, double[] reference) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < out.length; i++) {
      double d = out[i] - reference[i];
      diff += d * d;
      norm += reference[i] * reference[i];
    }
    return Math.sqrt(diff) / Math.sqrt(norm);
  }
}
