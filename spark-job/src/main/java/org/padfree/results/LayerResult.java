package org.padfree.results;

import java.io.Serializable;

/**
 * One row of layers.parquet: one input batch run through its model's whole routed-expert layer
 * (org.padfree.moe.CpuMoeLayer: dispatch, gate_up, SwiGLU, FP8 quantization of h, down, top-k combine)
 * in the padded and the padding-free form, with the layer's checks and the quantization study.
 * Every input yields exactly one such row when the run has {@code --layers true}; a batch whose layer
 * could not run has status {@link BatchStatus#ERROR} and the reason, and NaN or 0 where nothing was measured.
 *
 * <p>Times: wall milliseconds of each form on the {@code backend} that ran the layer (the CPU reference
 * for now, whose times are not the product's figures). {@code fusedMs} and {@code unfusedMs} are the
 * GPU layer's times with the SwiGLU-and-quantize epilogue fused into gate_up and without it: null
 * (not NaN) until a GPU layer exists, because nothing measured them.
 *
 * <p>Memory (org.padfree.moe.LayerMemory, weights excluded): the peak activation bytes of each form:
 * the token activations (FP8 + 1x128 scales) and the output (BF16) throughout, plus the largest pair
 * of consecutive intermediates of the dispatched rows (A and G, G and h, h and its FP8 form, that and
 * D); the padded form counts its padding rows in each.
 *
 * <p>Checks: {@code bitIdentical}, the padded and padding-free outputs are equal bit for bit;
 * {@code layerError}, DeepGEMM's measure over {@code referenceTokens} sampled tokens against the layer
 * in double (org.padfree.moe.LayerReference), passed when below {@code layerErrorBound}.
 *
 * <p>Quantization study (org.padfree.moe.QuantizationStudy, on the batch's routing and the layer's own
 * weights dequantized): relative Frobenius error of the layer over {@code studyTokens} sampled tokens
 * when both GEMM inputs are FP8 with per-tensor, per-token (per-channel), 1x128 or 1x64 scales, without
 * and with {@code outlierColumns} (= max(1, round(outlierFraction x H))) columns of the tokens
 * multiplied by {@code outlierFactor}.
 */
public record LayerResult(
    // identity
    String runId, String dataset, long inputIndex, String batchId, String model, String distribution,
    int numExperts, int topK, int numTokens, int hidden, int intermediate, int rows, int paddedRows,
    // outcome
    BatchStatus status, String error,
    // timings
    double paddedLayerMs, double paddingFreeLayerMs, double speedup, Double fusedMs, Double unfusedMs,
    // memory
    long paddedPeakBytes, long paddingFreePeakBytes, long savedBytes, double savedFraction,
    // checks
    boolean bitIdentical, int referenceTokens, double layerError, double layerErrorBound, boolean layerErrorPassed,
    // quantization study
    int studyTokens, int outlierColumns, double outlierFraction, double outlierFactor,
    double perTensorError, double perTensorOutlierError, double perTokenError, double perTokenOutlierError,
    double block128Error, double block128OutlierError, double block64Error, double block64OutlierError,
    // where and how
    String backend, String device, String executorId, String host, int weightBank, double taskMs)
    implements Serializable {

  public boolean isOk() {
    return status == BatchStatus.OK;
  }

  public boolean isError() {
    return status == BatchStatus.ERROR;
  }

  /**
   * A row for an input whose layer could not run: its identity as far as known and the reason; every
   * figure NaN, 0 or false, the GPU-only times null.
   */
  public static LayerResult failed(String runId, String dataset, long inputIndex, String batchId, String model,
      String distribution, String error, String backend, String executorId, String host) {
    double nan = Double.NaN;
    return new LayerResult(runId, dataset, inputIndex, batchId, model, distribution, 0, 0, 0, 0, 0, 0, 0,
        BatchStatus.ERROR, error, nan, nan, nan, null, null, 0, 0, 0, nan, false, 0, nan, nan, false,
        0, 0, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, backend, "", executorId, host, 0, nan);
  }
}
