package org.padfree.evaluate;

import org.padfree.backend.PathTimings;
import org.padfree.layout.MemoryAccounting;
import org.padfree.model.GemmShape;
import org.padfree.routing.RoutedBatch;
import org.padfree.results.BatchResult;
import org.padfree.results.BatchStatus;

/**
 * Assembles a {@link BatchResult} in steps, so the success and error paths share one place that
 * knows the row's many columns. Everything not set is "not measured": NaN, 0 or empty.
 */
final class BatchResultBuilder {
  private final String runId;
  private final String dataset;
  private final long inputIndex;
  private String batchId = "";
  private String model = "";
  private String distribution = "";
  private String gemm = "";
  private int n;
  private int k;
  private int numExperts;
  private int topK;
  private int numTokens;
  private int rows;
  private int paddedRows;
  private int emptyExperts;
  private int largestGroup;
  private double loadImbalance = Double.NaN;
  private BatchStatus status = BatchResult.ERROR;
  private String error = "";
  private boolean bitIdentical;
  private long paddedMismatches;
  private long maskedMismatches;
  private int referenceRows;
  private double referenceError = Double.NaN;
  private long boundViolations;
  private PathTimings timings = new PathTimings(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
  private double usefulFlops = Double.NaN;
  private MemoryAccounting memory;
  private String backend = "";
  private String device = "";
  private String kernelConfig = "";
  private int weightBank;
  private double gpuBusyMs = Double.NaN;
  private double backendWallMs = Double.NaN;
  private double taskMs = Double.NaN;
  private String backendNote = "";
  private String routingPath = "";
  private double routingMs = Double.NaN;
  private String activations = "";
  private final ExecutorInfo executor;

  BatchResultBuilder(String runId, String dataset, long inputIndex, ExecutorInfo executor) {
    this.runId = runId;
    this.dataset = dataset;
    this.inputIndex = inputIndex;
    this.executor = executor;
  }

  BatchResultBuilder identity(String batchId, String model, String distribution) {
    this.batchId = batchId == null ? "" : batchId;
    this.model = model == null ? "" : model;
    this.distribution = distribution == null ? "" : distribution;
    return this;
  }

  BatchResultBuilder routing(RoutedBatch batch) {
    return routing(batch, batch.expertCounts());
  }

  /** As {@link #routing(RoutedBatch)} with the counts given (a batch routed on a device has no host ids). */
  BatchResultBuilder routing(RoutedBatch batch, int[] counts) {
    identity(batch.batchId(), batch.model(), batch.distribution());
    numExperts = batch.numExperts();
    topK = batch.topK();
    numTokens = batch.numTokens();
    rows = batch.routedRows();
    emptyExperts = 0;
    largestGroup = 0;
    for (int c : counts) {
      emptyExperts += c == 0 ? 1 : 0;
      largestGroup = Math.max(largestGroup, c);
    }
    loadImbalance = rows == 0 ? Double.NaN : largestGroup / ((double) rows / numExperts);
    return this;
  }

  BatchResultBuilder gemm(GemmShape shape) {
    gemm = shape.name();
    n = shape.n();
    k = shape.k();
    usefulFlops = shape.flops(rows);
    return this;
  }

  BatchResultBuilder gemmName(String name) {
    gemm = name;
    return this;
  }

  BatchResultBuilder backend(String name, String deviceDescription, int bank) {
    backend = name;
    device = deviceDescription;
    weightBank = bank;
    return this;
  }

  /** Why the backend is what it is, when that needs saying (auto's fallback reason). */
  BatchResultBuilder backendNote(String note) {
    backendNote = note == null ? "" : note;
    return this;
  }

  /** Where the layouts were built ("host" or "cudf") and the build's wall time (NaN when none was made). */
  BatchResultBuilder routingPath(String path, double ms) {
    routingPath = path == null ? "" : path;
    routingMs = ms;
    return this;
  }

  /** Where the GEMM's A came from: {@link BatchResult#DATASET_ACTIVATIONS} or {@link BatchResult#SYNTHETIC_ACTIVATIONS}. */
  BatchResultBuilder activations(String source) {
    activations = source;
    return this;
  }

  /** Device busy time and the backend call's wall time (PathOutputs), and the row's executor wall time. */
  BatchResultBuilder busy(double deviceBusyMs, double callWallMs, double rowWallMs) {
    gpuBusyMs = deviceBusyMs;
    backendWallMs = callWallMs;
    taskMs = rowWallMs;
    return this;
  }

  BatchResultBuilder measured(PathTimings t, String config, MemoryAccounting m, int padded) {
    timings = t;
    kernelConfig = config;
    memory = m;
    paddedRows = padded;
    return this;
  }

  BatchResultBuilder checks(long paddedDiff, long maskedDiff, int checkedRows, double refError, long violations) {
    paddedMismatches = paddedDiff;
    maskedMismatches = maskedDiff;
    bitIdentical = paddedDiff == 0 && maskedDiff == 0;
    referenceRows = checkedRows;
    referenceError = refError;
    boundViolations = violations;
    return this;
  }

  BatchResultBuilder status(BatchStatus status, String error) {
    this.status = status;
    this.error = error == null ? "" : error;
    return this;
  }

  BatchResult build() {
    double freeTflops = usefulFlops / (timings.paddingFreeGemmMs() * 1e9);
    double paddedTflops = usefulFlops / (timings.paddedPathMs() * 1e9);
    return new BatchResult(runId, dataset, inputIndex, batchId, model, distribution, gemm, n, k,
        numExperts, topK, numTokens, rows, paddedRows, emptyExperts, largestGroup, loadImbalance,
        status, error,
        bitIdentical, paddedMismatches, maskedMismatches, referenceRows, referenceError, boundViolations,
        timings.padMs(), timings.paddedGemmMs(), timings.paddingFreeGemmMs(), timings.maskedGemmMs(),
        timings.repetitions(), timings.speedup(), usefulFlops, freeTflops, paddedTflops,
        memory == null ? 0 : memory.paddingFreePeak(), memory == null ? 0 : memory.paddedPeak(),
        memory == null ? 0 : memory.savedBytes(), memory == null ? Double.NaN : memory.savedFraction(),
        saved("padded_A_copy"), saved("padded_A_scales"), saved("layout_index"), saved("D"),
        backend, device, executor.executorId(), executor.host(), executor.gpuUuid(), kernelConfig,
        executor.attempt(), weightBank, gpuBusyMs, backendWallMs, taskMs, backendNote, routingPath, routingMs,
        activations);
  }

  private long saved(String tensor) {
    return memory == null ? 0 : memory.savedByTensor().get(tensor);
  }
}
