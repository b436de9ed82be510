package org.padfree.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.padfree.Validate;
import org.padfree.results.BatchResult;
import org.padfree.render.Percentiles;

/**
 * Turns result rows into {@link GroupSummary} rows: one per (model, GEMM, distribution), sorted by
 * those keys, then the run's total. A missing (null) key groups as the empty string, so a row with
 * broken identity still counts instead of failing the report.
 */
public final class ResultAggregator {
  private ResultAggregator() {}

  /** Milliseconds to seconds and FLOP/s to TFLOP/s in one factor: flops / ms / 1e9 = TFLOP/s. */
  private static final double FLOPS_PER_MS_TO_TFLOPS = 1e-9;

  private record Key(String model, String gemm, String distribution) {}

  private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::model)
      .thenComparing(Key::gemm).thenComparing(Key::distribution);

  /** The groups in key order followed by the total row (only the total when there are no rows). */
  public static List<GroupSummary> summarize(List<BatchResult> results) {
    List<GroupSummary> summaries = byGroup(results);
    summaries.add(total(results));
    return summaries;
  }

  /** One summary per (model, GEMM, distribution), in key order. */
  public static List<GroupSummary> byGroup(List<BatchResult> results) {
    return grouped(results, r -> new Key(key(r.model()), key(r.gemm()), key(r.distribution())));
  }

  /**
   * One summary per (model, GEMM) with distribution {@link GroupSummary#ALL}, in key order: the
   * throughput of a GEMM shape over all its traffic, which ratios of the per-group figures cannot
   * give (they are ratios of sums).
   */
  public static List<GroupSummary> byShape(List<BatchResult> results) {
    return grouped(results, r -> new Key(key(r.model()), key(r.gemm()), GroupSummary.ALL));
  }

  /** Every row in one summary with all keys {@link GroupSummary#ALL}. */
  public static GroupSummary total(List<BatchResult> results) {
    Validate.notNull("results", results);
    return summarize(new Key(GroupSummary.ALL, GroupSummary.ALL, GroupSummary.ALL), results);
  }

  private static List<GroupSummary> grouped(List<BatchResult> results, Function<BatchResult, Key> keyOf) {
    Validate.notNull("results", results);
    Map<Key, List<BatchResult>> groups = new TreeMap<>(KEY_ORDER);
    for (BatchResult r : results) {
      groups.computeIfAbsent(keyOf.apply(r), k -> new ArrayList<>()).add(r);
    }
    List<GroupSummary> summaries = new ArrayList<>(groups.size() + 1);
    groups.forEach((key, rows) -> summaries.add(summarize(key, rows)));
    return summaries;
  }

  private static String key(String value) {
    return Objects.toString(value, "");
  }

  private static GroupSummary summarize(Key key, List<BatchResult> rows) {
    long errors = 0;
    long mismatches = 0;
    List<BatchResult> measured = new ArrayList<>(rows.size());
    for (BatchResult r : rows) {
      if (r.isError()) {
        errors++;
      } else {
        measured.add(r);
        if (BatchResult.MISMATCH.equals(r.status())) {
          mismatches++;
        }
      }
    }
    Percentiles speedup = Percentiles.of(values(measured, BatchResult::speedup));
    Percentiles saving = Percentiles.of(values(measured, BatchResult::savedFraction));
    Percentiles savedBytes = Percentiles.of(values(measured, BatchResult::savedBytes));
    Percentiles imbalance = Percentiles.of(values(measured, BatchResult::loadImbalance));
    Throughput throughput = Throughput.of(measured);
    return new GroupSummary(key.model(), key.gemm(), key.distribution(),
        rows.size(), errors, mismatches, errors + mismatches,
        bitIdenticalRate(measured),
        speedup.at(50), speedup.at(90), speedup.min(),
        saving.at(50), saving.max(), savedBytes.at(50),
        imbalance.mean(),
        throughput.paddingFreeTflops(), throughput.paddedPathTflops());
  }

  private static double[] values(List<BatchResult> rows, ToDoubleFunction<BatchResult> field) {
    return rows.stream().mapToDouble(field).toArray();
  }

  private static double bitIdenticalRate(List<BatchResult> measured) {
    if (measured.isEmpty()) {
      return Double.NaN;
    }
    long identical = measured.stream().filter(BatchResult::bitIdentical).count();
    return (double) identical / measured.size();
  }

  /**
   * Useful FLOPs over summed time of both paths, over the rows where all three timings and the FLOP
   * count are finite, so the two figures compare the same work.
   */
  private record Throughput(double paddingFreeTflops, double paddedPathTflops) {
    static Throughput of(List<BatchResult> measured) {
      double flops = 0;
      double paddingFreeMs = 0;
      double paddedPathMs = 0;
      for (BatchResult r : measured) {
        if (Double.isFinite(r.usefulFlops()) && Double.isFinite(r.paddingFreeGemmMs())
            && Double.isFinite(r.padMs()) && Double.isFinite(r.paddedGemmMs())) {
          flops += r.usefulFlops();
          paddingFreeMs += r.paddingFreeGemmMs();
          paddedPathMs += r.padMs() + r.paddedGemmMs();
        }
      }
      return new Throughput(tflops(flops, paddingFreeMs), tflops(flops, paddedPathMs));
    }

    private static double tflops(double flops, double ms) {
      return ms > 0 ? flops / ms * FLOPS_PER_MS_TO_TFLOPS : Double.NaN;
    }
  }
}
