package org.padfree.evaluate;

import java.util.Arrays;
import org.padfree.InvalidInputException;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.dataset.DatasetSchema;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.padfree.moe.ActivationScaling;
import org.padfree.moe.CpuMoeLayer;
import org.padfree.moe.LayerReference;
import org.padfree.moe.MoeLayerWeights;
import org.padfree.moe.QuantizationStudy;
import org.padfree.moe.RoutingWeights;
import org.padfree.quant.QuantizedActivations;
import org.padfree.reference.RelativeError;
import org.padfree.results.BatchStatus;
import org.padfree.results.LayerResult;
import org.padfree.routing.RoutedBatch;

/**
 * Executor-side layer evaluation of one input batch: its model's whole routed-expert layer in both
 * forms on the task's {@link LayerRunner} (the executor's GPU where its GEMM backend is CUDA, else the
 * CPU reference), on the GEMM rows' own weight bank (gate_up's N = 2I matrices read as interleaved
 * gate/up rows, down as it is), the checks, and the quantization study on the same weights (on the
 * host). Nothing here throws for a bad batch: problems, a GPU's included, become a failed row.
 *
 * <p>Cost on the CPU is kept to the GEMM rows' order: the layer's two GEMMs per form are the GEMM rows'
 * work again; the double reference costs {@code top_k (2IH + HI)} multiply-adds per checked token, so
 * it checks as many tokens as the GEMM rows check rows (--reference-rows); the quantization study
 * computes that layer ten times per sampled token (reference and four scalings, without and with
 * outliers), so it samples {@link #studyTokens} tokens: as many as fit in {@link #STUDY_WORK}
 * multiply-adds, at least {@value #MIN_STUDY_TOKENS} and at most {@value #MAX_STUDY_TOKENS}.
 */
final class LayerEvaluator {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LayerEvaluator.class);
  /** The backend label of rows that failed before a runner was chosen (the task had no backend). */
  static final String NO_BACKEND = "none";
  /** Multiply-adds of one layer pass over the study's sampled tokens (2 DeepSeek-V3 tokens: 0.7 G). */
  static final long STUDY_WORK = 1_000_000_000L;
  static final int MIN_STUDY_TOKENS = 2;
  static final int MAX_STUDY_TOKENS = 16;

  private final EvaluateSettings settings;
  private final GroupedGemmBackend weightMaker;
  private final LayerRunner runner;
  private final ModelCatalog catalog;

  /**
   * @param weightMaker the task's GEMM backend: it makes (or, already made by the GEMM rows, shares) the
   *     weight bank, so the bank's size and bytes are the GEMM rows' own
   * @param runner where the layer runs ({@link LayerRunner#forBackend} of {@code weightMaker}); null
   *     only when the task has no backend, and then every input arrives already failed
   */
  LayerEvaluator(EvaluateSettings settings, GroupedGemmBackend weightMaker, LayerRunner runner, ModelCatalog catalog) {
    this.settings = settings;
    this.weightMaker = weightMaker;
    this.runner = runner;
    this.catalog = catalog;
  }

  /** Study tokens of a layer: {@link #STUDY_WORK} over top_k (2IH + HI), clamped to [2, 16] and to the batch. */
  static int studyTokens(int tokens, int topK, int hidden, int intermediate) {
    double perToken = (double) topK * 3 * hidden * intermediate;
    int fit = (int) Math.min(MAX_STUDY_TOKENS, Math.max(MIN_STUDY_TOKENS, Math.floor(STUDY_WORK / perToken)));
    return Math.min(fit, tokens);
  }

  LayerResult evaluate(EvalInput input, ExecutorInfo where) {
    long start = System.nanoTime();
    if (input.error() != null) {
      return failed(input, where, input.error());
    }
    RoutedBatch batch;
    ModelShape model;
    try {
      batch = input.decode();
      model = catalog.byName(batch.model());
      if (batch.numExperts() != model.experts()) {
        throw new InvalidInputException("num_experts", batch.numExperts(),
            "model " + model.name() + " has " + model.experts() + " experts (batch " + batch.batchId() + ")");
      }
    } catch (RuntimeException e) {
      return failed(input, where, e instanceof InvalidInputException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    int bank = settings.weightBankFor(weightMaker.kind());
    String tooLarge = heapShortfall(batch, model, bank);
    if (tooLarge != null) {
      return failed(input, where, tooLarge);
    }
    try {
      return run(input, where, batch, model, bank, start);
    } catch (RuntimeException e) {
      return failed(input, where, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (OutOfMemoryError e) {
      return failed(input, where, "ran out of executor heap (" + e.getMessage() + ") in the layer of batch "
          + batch.batchId() + " (" + batch.routedRows() + " routed rows, H=" + model.hidden() + ", I="
          + model.intermediate() + "); give executors more memory (spark.executor.memory; locally"
          + " PADFREE_DRIVER_MEMORY) or run fewer tasks per executor");
    }
  }

  private LayerResult run(EvalInput input, ExecutorInfo where, RoutedBatch batch, ModelShape model, int bank,
      long start) {
    int hidden = model.hidden();
    int inter = model.intermediate();
    MoeLayerWeights weights = new MoeLayerWeights(model.experts(), hidden, inter,
        WeightBank.weights(batch.model(), model.gateUp(), batch.numExperts(), bank, settings.weightSeed(), weightMaker),
        WeightBank.weights(batch.model(), model.down(), batch.numExperts(), bank, settings.weightSeed(), weightMaker));
    long made = System.nanoTime();
    QuantizedActivations tokens = CpuMoeLayer.tokens(batch, hidden);
    float[] routing = RoutingWeights.synthetic(batch);
    long inputs = System.nanoTime();
    LayerRunner.Runs runs = runner.run(new LayerRunner.WeightsKey(batch.model(), hidden, inter, batch.numExperts(), bank,
        settings.weightSeed()), weights, batch, tokens, routing);
    CpuMoeLayer.Run free = runs.paddingFree();
    CpuMoeLayer.Run padded = runs.padded();
    boolean identical = Arrays.equals(free.out().bits(), padded.out().bits());

    long ran = System.nanoTime();
    int[] checked = PathChecks.sampleRows(batch.numTokens(), settings.referenceRows(), batch.seed() * 41 + 7);
    double layerError = Double.NaN;
    double fusedError = Double.NaN;
    if (checked.length > 0) {
      double[] expected = new double[checked.length * hidden];
      for (int i = 0; i < checked.length; i++) {
        System.arraycopy(LayerReference.token(batch, weights, tokens, routing, checked[i]), 0, expected, i * hidden, hidden);
      }
      layerError = RelativeError.of(tokenValues(free, checked, hidden), expected);
      if (runs.fused() != null) {
        fusedError = RelativeError.of(tokenValues(runs.fused(), checked, hidden), expected);
      }
    }
    // No token checked (an empty batch, or --reference-rows 0): nothing failed.
    boolean errorPassed = checked.length == 0 || layerError < LayerReference.RELATIVE_ERROR_BOUND;
    // The fused layer quantizes h from FP32, so it is held to the double reference, not to the unfused bits.
    boolean fusedPassed = runs.fused() == null || checked.length == 0 || fusedError < LayerReference.RELATIVE_ERROR_BOUND;

    long referenced = System.nanoTime();
    int sampled = studyTokens(batch.numTokens(), batch.topK(), hidden, inter);
    QuantizationStudy.Result study = sampled == 0 ? null : QuantizationStudy.run(batch, weights, batch.seed(), sampled,
        QuantizationStudy.DEFAULT_OUTLIER_FRACTION, QuantizationStudy.DEFAULT_OUTLIER_FACTOR);

    long studied = System.nanoTime();
    // Where a layer's host time goes, per batch, for whoever tunes the stage: in the executor log on a
    // GPU, where host time is time the GPU waits; at debug level on the CPU, whose console stays quiet.
    boolean onGpu = runner.label().equals("cuda");
    if (onGpu ? LOG.isInfoEnabled() : LOG.isDebugEnabled()) {
      String line = String.format(java.util.Locale.ROOT, "layer of batch %s (%d tokens, %s): weights %.0f ms, tokens %.0f ms,"
          + " %s runs %.0f ms, reference (%d tokens) %.0f ms, study (%d tokens) %.0f ms", batch.batchId(),
          batch.numTokens(), batch.model(), (made - start) / 1e6, (inputs - made) / 1e6, runner.label(),
          (ran - inputs) / 1e6, checked.length, (referenced - ran) / 1e6, sampled, (studied - referenced) / 1e6);
      if (onGpu) {
        LOG.info(line);
      } else {
        LOG.debug(line);
      }
    }
    java.util.List<String> problems = new java.util.ArrayList<>();
    if (!identical) {
      problems.add("padded and padding-free layer outputs differ");
    }
    if (!errorPassed) {
      problems.add(String.format(java.util.Locale.ROOT, "layer error %.3e over %d tokens is above the bound %.1e",
          layerError, checked.length, LayerReference.RELATIVE_ERROR_BOUND));
    }
    if (!fusedPassed) {
      problems.add(String.format(java.util.Locale.ROOT, "fused layer error %.3e over %d tokens is above the bound %.1e",
          fusedError, checked.length, LayerReference.RELATIVE_ERROR_BOUND));
    }
    long saved = padded.peakBytes() - free.peakBytes();
    double nan = Double.NaN;
    return new LayerResult(settings.runId(), input.dataset(), input.index(), batch.batchId(), batch.model(),
        batch.distribution(), batch.numExperts(), batch.topK(), batch.numTokens(), hidden, inter, free.rows(),
        padded.rows(), problems.isEmpty() ? BatchStatus.OK : BatchStatus.MISMATCH, String.join("; ", problems),
        padded.millis(), free.millis(), padded.millis() / free.millis(),
        runs.fused() == null ? null : runs.fused().millis(), runs.unfusedMs(),
        padded.peakBytes(), free.peakBytes(), saved, (double) saved / padded.peakBytes(),
        identical, checked.length, layerError, LayerReference.RELATIVE_ERROR_BOUND, errorPassed,
        sampled, study == null ? 0 : study.outlierColumns(), QuantizationStudy.DEFAULT_OUTLIER_FRACTION,
        QuantizationStudy.DEFAULT_OUTLIER_FACTOR,
        study == null ? nan : study.errorWithout(ActivationScaling.PER_TENSOR),
        study == null ? nan : study.errorWith(ActivationScaling.PER_TENSOR),
        study == null ? nan : study.errorWithout(ActivationScaling.PER_TOKEN),
        study == null ? nan : study.errorWith(ActivationScaling.PER_TOKEN),
        study == null ? nan : study.errorWithout(ActivationScaling.BLOCK_1X128),
        study == null ? nan : study.errorWith(ActivationScaling.BLOCK_1X128),
        study == null ? nan : study.errorWithout(ActivationScaling.BLOCK_1X64),
        study == null ? nan : study.errorWith(ActivationScaling.BLOCK_1X64),
        runner.label(), runner.device(), where.executorId(), where.host(), bank,
        (System.nanoTime() - start) / 1e6);
  }

  /**
   * Why this batch's layer cannot fit in the executor's heap, or null when it can: the weight banks it
   * needs that are not made yet (the GEMM rows have usually made them) and its arrays on the CPU.
   */
  private String heapShortfall(RoutedBatch batch, ModelShape model, int bank) {
    HeapBudget.Limit limit = HeapBudget.Limit.current(HeapBudget.concurrentTasks());
    long held = WeightBank.heldBytes();
    long weights = 0;
    int distinct = bank == 0 ? batch.numExperts() : Math.min(bank, batch.numExperts());
    for (org.padfree.model.GemmShape gemm : model.gemms()) {
      if (!WeightBank.isMade(batch.model(), gemm, batch.numExperts(), bank, settings.weightSeed())) {
        weights += HeapBudget.weightBytes(distinct, gemm.n(), gemm.k(), Runtime.getRuntime().availableProcessors());
      }
    }
    long need = runner.heapBytes(batch, model.hidden(), model.intermediate());
    long may = limit.perTask(held + weights);
    if (weights > limit.shared(held) || need > may) {
      return "the layer of batch " + batch.batchId() + " needs about " + HeapBudget.bytes(need) + " of executor heap"
          + (weights > 0 ? " plus " + HeapBudget.bytes(weights) + " of weights not made yet" : "") + " ("
          + batch.routedRows() + " routed rows over " + batch.numExperts() + " experts, H=" + model.hidden() + ", I="
          + model.intermediate() + ", --weight-bank " + bank + "); one task may use " + HeapBudget.bytes(may)
          + " (heap " + HeapBudget.bytes(limit.maxHeapBytes()) + ", " + HeapBudget.bytes(held)
          + " held by weights already made, " + limit.concurrentTasks() + " tasks at once): split the batch,"
          + " lower --weight-bank or give executors more memory (spark.executor.memory; locally"
          + " PADFREE_DRIVER_MEMORY)";
    }
    return null;
  }

  private LayerResult failed(EvalInput input, ExecutorInfo where, String error) {
    return LayerResult.failed(settings.runId(), input.dataset(), input.index(), input.batchId(),
        input.rawText(DatasetSchema.MODEL), input.rawText(DatasetSchema.DISTRIBUTION), error,
        runner == null ? NO_BACKEND : runner.label(), where.executorId(), where.host());
  }

  /** The checked tokens' outputs of one run, token after token, as doubles. */
  private static double[] tokenValues(CpuMoeLayer.Run run, int[] tokens, int hidden) {
    double[] values = new double[tokens.length * hidden];
    for (int i = 0; i < tokens.length; i++) {
      for (int h = 0; h < hidden; h++) {
        values[i * hidden + h] = run.out().get(tokens[i], h);
      }
    }
    return values;
  }
}
