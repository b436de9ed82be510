package org.padfree.evaluate;

import java.io.Serializable;

/**
 * One result row: one input batch evaluated on one GEMM of its model (DESIGN.md's result row).
 * A batch that could not be evaluated still yields rows, with {@code status = "error"} and a reason,
 * so every input batch appears in the results exactly once per GEMM.
 *
 * <p>Times are medians in milliseconds; throughput counts useful work only (2*M*N*K over the M valid
 * rows); bytes follow {@link org.padfree.layout.MemoryAccounting}. Numeric fields of an error row are
 * NaN or 0 where nothing was measured; {@code gpuUuid} is empty off the GPU.
 */
public record BatchResult(
    // identity
    String runId, String dataset, long inputIndex, String batchId, String model, String distribution,
    String gemm, int n, int k,
    // routing shape
    int numExperts, int topK, int numTokens, int rows, int paddedRows, int emptyExperts, int largestGroup,
    double loadImbalance,
    // outcome
    String status, String error,
    // correctness
    boolean bitIdentical, long paddedMismatches, long maskedMismatches, int referenceRows,
    double referenceError, long boundViolations,
    // timings
    double padMs, double paddedGemmMs, double paddingFreeGemmMs, double maskedGemmMs, int repetitions,
    double speedup, double usefulFlops, double paddingFreeTflops, double paddedPathTflops,
    // memory
    long paddingFreePeakBytes, long paddedPeakBytes, long savedBytes, double savedFraction,
    long savedPaddedACopyBytes, long savedPaddedAScalesBytes, long savedLayoutIndexBytes, long savedDBytes,
    // where and how
    String backend, String device, String executorId, String host, String gpuUuid, String kernelConfig,
    int taskAttempt, int weightBank) implements Serializable {

  public static final String OK = "ok";
  public static final String MISMATCH = "mismatch";
  public static final String ERROR = "error";

  public boolean isOk() {
    return OK.equals(status);
  }

  public boolean isError() {
    return ERROR.equals(status);
  }
}
