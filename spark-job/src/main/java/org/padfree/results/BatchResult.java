package org.padfree.results;

import java.io.Serializable;

/**
 * One result row: one input batch evaluated on one GEMM of its model (DESIGN.md's result row).
 * A batch that could not be evaluated still yields rows, with status {@link BatchStatus#ERROR} and a reason,
 * so every input batch appears in the results exactly once per GEMM.
 *
 * <p>Times are medians in milliseconds; throughput counts useful work only (2*M*N*K over the M valid
 * rows); bytes follow {@link org.padfree.layout.MemoryAccounting}. Numeric fields of an error row are
 * NaN or 0 where nothing was measured; {@code gpuUuid} is empty off the GPU.
 *
 * <p>Busy time: {@code gpuBusyMs} is the time the GPU spent on this row's kernels and copies (CUDA
 * events around making or uploading the inputs, the warm-up, each timed run and the copies back;
 * overlapping spans counted once); {@code backendWallMs} the host wall time of the backend call; {@code taskMs} the
 * executor's wall time for the whole row (building the problem and its layouts, the backend call, the
 * checks). {@link #busyFraction()} = gpuBusyMs / taskMs. {@code backendNote} says why auto fell back
 * to the CPU, or that a task without a GPU assignment used device 0; empty otherwise.
 *
 * <p>{@code routingPath} says where the row's layouts were built: "host" (the executor's CPU) or "cudf"
 * (on its GPU with RAPIDS cuDF, read there by the kernels); empty where no task ran for it.
 * {@code routingMs} is that build's wall time: on the host per GEMM row (each row's problem builds its
 * layouts), with cuDF the batch's one build (ids up to the GPU included), repeated on each of its rows.
 *
 * <p>{@code activations} says where the GEMM's A came from: "dataset" (the batch's stored activations,
 * gate_up only: columns activations_fp8 and activation_scales) or "synthetic" (generated from the
 * batch's seed); empty on rows where no GEMM ran. The reference check always uses the same A.
 */
public record BatchResult(
    // identity
    String runId, String dataset, long inputIndex, String batchId, String model, String distribution,
    String gemm, int n, int k,
    // routing shape
    int numExperts, int topK, int numTokens, int rows, int paddedRows, int emptyExperts, int largestGroup,
    double loadImbalance,
    // outcome
    BatchStatus status, String error,
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
    int taskAttempt, int weightBank,
    // how busy the device was (GPU rows; NaN elsewhere), and what the backend choice needs to say
    double gpuBusyMs, double backendWallMs, double taskMs, String backendNote,
    // where the layouts were built: "host" or "cudf" (spark.padfree.routing), and how long that took
    String routingPath, double routingMs,
    // where the GEMM's A came from: "dataset" or "synthetic"
    String activations) implements Serializable {

  public static final String DATASET_ACTIVATIONS = "dataset";
  public static final String SYNTHETIC_ACTIVATIONS = "synthetic";

  public static final BatchStatus OK = BatchStatus.OK;
  public static final BatchStatus MISMATCH = BatchStatus.MISMATCH;
  public static final BatchStatus ERROR = BatchStatus.ERROR;

  public boolean isOk() {
    return status == OK;
  }

  public boolean isError() {
    return status == ERROR;
  }

  /** Fraction of the row's executor wall time the GPU was busy with it; NaN off the GPU. */
  public double busyFraction() {
    return taskMs > 0 ? gpuBusyMs / taskMs : Double.NaN;
  }
}
