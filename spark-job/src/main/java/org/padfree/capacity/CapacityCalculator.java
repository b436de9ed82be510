package org.padfree.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.padfree.InvalidInputException;
import org.padfree.sweep.PointResult;

/**
 * The capacity arithmetic (README "Capacity studies" works an example through):
 *
 * <pre>
 *   layer time(t)      = the median time per batch of t tokens of the whole MoE layer (the sweep's layer
 *                        rows, {@link TimeBasis#LAYER}: padded and padding-free forms), or, without layer
 *                        rows ({@link TimeBasis#GEMM}), the sum over the model's GEMMs (gate_up, down) of
 *                        the median time per batch (padding-free: the grouped GEMM; padded: pad + padded GEMM)
 *   throughput(t)      = t / (moe_layers x layer time(t))                     tokens/s per GPU
 *   usable             = throughput(T) x (1 - headroom)
 *   GPUs               = ceil(target tokens/s / usable)
 *   cost per hour      = GPUs x price per GPU-hour
 *   cost per 1M tokens = cost per hour / (target x 3600) x 1e6
 *   monthly saving     = (padded GPUs - padding-free GPUs) x price x 730
 *   peak bytes(t)      = the layer's peak activation bytes of each form, or (GEMM basis) the max over the
 *                        GEMMs of the path's peak activation bytes (GEMMs run one at a time)
 *   memory gained      = padded peak(T) - padding-free peak(T), and / GPU memory
 * </pre>
 *
 * Throughput at a planned T between measured counts is interpolated linearly in log2(tokens); peak
 * bytes via bytes per token, interpolated the same way and multiplied by T (bytes grow linearly with
 * tokens, so per-token bytes are what varies little). Outside the measured counts the figures are
 * held at the nearest one and marked extrapolated.
 */
public final class CapacityCalculator {
  private CapacityCalculator() {}

  static final double HOURS_PER_MONTH = 730;
  /** GPU memory is quoted in decimal gigabytes (an H200 has 141 GB). */
  public static final double GB = 1e9;

  /** Per measured token count of one distribution: both pipelines' throughput and peak bytes. */
  public record Measured(int tokens, double paddingFreeTokensPerSecond, double paddedTokensPerSecond,
      double paddingFreePeakBytes, double paddedPeakBytes) {}

  /**
   * The measured curve of one distribution from sweep rows already filtered to one model shape and
   * backend: token counts where every GEMM of {@code gemms} passed.
   */
  public static List<Measured> curve(List<PointResult> rows, String distribution, List<String> gemms, int moeLayers) {
    Map<Integer, List<PointResult>> byTokens = new TreeMap<>();
    for (PointResult r : rows) {
      if (r.distribution().equals(distribution) && r.failures() == 0 && gemms.contains(r.gemm())) {
        byTokens.computeIfAbsent(r.tokens(), t -> new ArrayList<>()).add(r);
      }
    }
    List<Measured> out = new ArrayList<>();
    for (Map.Entry<Integer, List<PointResult>> e : byTokens.entrySet()) {
      List<PointResult> points = e.getValue();
      TreeSet<String> present = new TreeSet<>();
      points.forEach(p -> present.add(p.gemm()));
      if (!present.containsAll(gemms)) {
        continue; // a layer needs every GEMM; a token count missing one cannot give a layer time
      }
      double pfMs = 0;
      double paddedMs = 0;
      double pfPeak = 0;
      double paddedPeak = 0;
      for (String gemm : gemms) {
        PointResult p = points.stream().filter(x -> x.gemm().equals(gemm)).findFirst().orElseThrow();
        pfMs += p.paddingFreeGemmMs();
        paddedMs += p.paddedPathMs();
        pfPeak = Math.max(pfPeak, p.paddingFreePeakBytes());
        paddedPeak = Math.max(paddedPeak, p.paddedPeakBytes());
      }
      int t = e.getKey();
      out.add(new Measured(t, throughput(t, moeLayers, pfMs), throughput(t, moeLayers, paddedMs), pfPeak, paddedPeak));
    }
    return out;
  }

  /**
   * The measured curve of one distribution from the layer rows ({@link org.padfree.sweep.PointResult#LAYER})
   * of sweep rows already filtered to one model shape and backend: token counts whose layer row passed
   * with both forms timed.
   */
  public static List<Measured> layerCurve(List<PointResult> rows, String distribution, int moeLayers) {
    Map<Integer, PointResult> byTokens = new TreeMap<>();
    for (PointResult r : rows) {
      if (r.isLayer() && r.distribution().equals(distribution) && hasLayerTimes(r)) {
        byTokens.putIfAbsent(r.tokens(), r);
      }
    }
    List<Measured> out = new ArrayList<>();
    byTokens.forEach((t, r) -> out.add(new Measured(t, throughput(t, moeLayers, r.paddingFreeLayerMs()),
        throughput(t, moeLayers, r.paddedLayerMs()), r.paddingFreeLayerPeakBytes(), r.paddedLayerPeakBytes())));
    return out;
  }

  /** Whether {@code r} is a layer row that passed with both forms' times measured. */
  public static boolean hasLayerTimes(PointResult r) {
    return r.isLayer() && r.failures() == 0 && r.paddedLayerMs() > 0 && r.paddingFreeLayerMs() > 0;
  }

  /** Tokens per second of one GPU: t tokens pass through moe_layers layers of layerMs each. */
  public static double throughput(int tokens, int moeLayers, double layerMs) {
    return layerMs > 0 ? tokens / (moeLayers * layerMs / 1000.0) : Double.NaN;
  }

  /** GPUs to serve {@code target} tokens/s when each may be loaded to (1 - headroom) of its throughput. */
  public static int gpusNeeded(double target, double perGpu, double headroom) {
    double usable = perGpu * (1 - headroom);
    if (!(usable > 0) || !Double.isFinite(usable)) {
      throw new InvalidInputException("throughput", perGpu, "no positive throughput measured; cannot size the cluster");
    }
    // A relative hair of tolerance, so 20.000000000000004 GPUs from rounding in the division stays 20;
    // any positive target needs at least one GPU.
    return Math.max(1, (int) Math.ceil(target / usable * (1 - 1e-12)));
  }

  public static ScenarioResult scenario(CapacitySpec spec, int tokens, String distribution, List<Measured> curve) {
    List<Integer> t = curve.stream().map(Measured::tokens).toList();
    LogTokenInterpolation pf = new LogTokenInterpolation(t, curve.stream().map(Measured::paddingFreeTokensPerSecond).toList());
    LogTokenInterpolation padded = new LogTokenInterpolation(t, curve.stream().map(Measured::paddedTokensPerSecond).toList());
    LogTokenInterpolation pfBytes = new LogTokenInterpolation(t,
        curve.stream().map(m -> m.paddingFreePeakBytes() / m.tokens()).toList());
    LogTokenInterpolation paddedBytes = new LogTokenInterpolation(t,
        curve.stream().map(m -> m.paddedPeakBytes() / m.tokens()).toList());
    LogTokenInterpolation.Estimate pfAt = pf.at(tokens);
    LogTokenInterpolation.Estimate paddedAt = padded.at(tokens);
    int pfGpus = gpusNeeded(spec.targetTokensPerSecond(), pfAt.value(), spec.headroom());
    int paddedGpus = gpusNeeded(spec.targetTokensPerSecond(), paddedAt.value(), spec.headroom());
    double pfPeak = pfBytes.at(tokens).value() * tokens;
    double paddedPeak = paddedBytes.at(tokens).value() * tokens;
    double gained = paddedPeak - pfPeak;
    double pfCost = pfGpus * spec.pricePerGpuHour();
    double paddedCost = paddedGpus * spec.pricePerGpuHour();
    double perMillion = 1e6 / (spec.targetTokensPerSecond() * 3600);
    return new ScenarioResult(tokens, distribution, pfAt.method(), pfAt.extrapolated(), pfAt.value(), paddedAt.value(),
        pfGpus, paddedGpus, paddedGpus - pfGpus, pfPeak, paddedPeak, gained, gained / (spec.gpuMemoryGb() * GB),
        pfCost, paddedCost, pfCost * perMillion, paddedCost * perMillion, (paddedCost - pfCost) * HOURS_PER_MONTH);
  }
}
