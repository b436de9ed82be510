package org.padfree.bench;

import java.util.Map;

/**
 * One case's outcome: the configuration, the checks and (when they passed) each timed path's
 * statistics. {@code failure} is null when the case passed; otherwise it says why (a failed check
 * or an error), and the timings are empty since a benchmark times only correct kernels.
 *
 * @param maskedBitIdentical null when the masked path was not run
 * @param smClockBefore SM clock in MHz before the warm-up, -1 when unknown
 */
public record BenchResult(BenchCase benchCase, BenchBackend.KernelConfig config, Boolean bitIdentical,
    Boolean maskedBitIdentical, double relError, Map<BenchPath, TimingStats> timings, int smClockBefore,
    int smClockAfter, String failure) {

  public boolean passed() {
    return failure == null;
  }

  /** The median of {@code path} in microseconds, NaN when it was not timed. */
  public double us(BenchPath path) {
    TimingStats s = timings.get(path);
    return s == null ? Double.NaN : s.medianUs();
  }

  /** Useful TFLOPS of a GEMM path: 2 x valid rows x N x K over its median time. */
  public double tflops(BenchPath path) {
    return benchCase.usefulFlops() / (us(path) * 1e6);
  }

  /** Bytes the pad reads and writes: A and its scales in both layouts, and its row map. */
  public long padBytes() {
    BenchCase c = benchCase;
    long kBlocks = (c.k() + 127) / 128;
    return (long) (c.rows() + c.paddedRows()) * (c.k() + 4 * kBlocks) + 4L * c.paddedRows();
  }
}
