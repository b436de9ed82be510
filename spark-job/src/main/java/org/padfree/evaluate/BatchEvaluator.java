package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.List;
import org.padfree.InvalidInputException;
import org.padfree.backend.BackendKind;
import org.padfree.backend.DeviceRouting;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.backend.GroupedGemmProblem;
import org.padfree.backend.PathOutputs;
import org.padfree.dataset.DatasetActivations;
import org.padfree.dataset.DatasetSchema;
import org.padfree.quant.QuantizedActivations;
import org.padfree.layout.MemoryAccounting;
import org.padfree.model.GemmShape;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.padfree.quant.QuantizedWeights;
import org.padfree.routing.RoutedBatch;
import org.padfree.results.BatchResult;

/**
 * Executor-side evaluation of one input batch: validate it, then for each requested GEMM of its model
 * build the problem, run every path on the backend, check, account memory, and return one
 * {@link BatchResult} per GEMM. Nothing here throws for a bad batch: problems become error rows.
 */
final class BatchEvaluator {
  private final EvaluateSettings settings;
  private final GroupedGemmBackend backend;
  private final ModelCatalog catalog;
  private final String backendNote;
  private final RoutingPaths.Choice routing;

  BatchEvaluator(EvaluateSettings settings, GroupedGemmBackend backend, ModelCatalog catalog) {
    this(settings, backend, catalog, "");
  }

  /** @param backendNote what every row must say about the backend choice (e.g. auto's fallback reason) */
  BatchEvaluator(EvaluateSettings settings, GroupedGemmBackend backend, ModelCatalog catalog, String backendNote) {
    this(settings, backend, catalog, backendNote, new RoutingPaths.Choice(RoutingPaths.HOST, null));
  }

  /** @param routing where the layouts are built: the host, or the backend's GPU with cuDF */
  BatchEvaluator(EvaluateSettings settings, GroupedGemmBackend backend, ModelCatalog catalog, String backendNote,
      RoutingPaths.Choice routing) {
    this.settings = settings;
    this.backend = backend;
    this.catalog = catalog;
    this.backendNote = backendNote == null ? "" : backendNote;
    this.routing = routing;
  }

  List<BatchResult> evaluate(EvalInput input, ExecutorInfo where) {
    if (input.error() != null) {
      return errorRows(input, where, input.batchId(), "", "", input.error());
    }
    RoutedBatch batch;
    ModelShape model;
    try {
      batch = input.decode();
      model = catalog.byName(batch.model());
      requireMatchesModel(batch, model);
    } catch (RuntimeException e) {
      return badRow(input, where, e);
    }
    // With cuDF the batch's layouts are built once on the GPU and serve every GEMM of the batch; they
    // are freed after the last GEMM's run, which has synchronised the backend's streams.
    DeviceRouting onDevice = null;
    double routingMs = Double.NaN;
    if (routing.cudf()) {
      long t = System.nanoTime();
      try {
        onDevice = CudfTaskRouting.build(routing.device(), batch);
      } catch (RuntimeException e) {
        return errorRows(input, where, batch.batchId(), batch.model(), batch.distribution(), cudfFailure(e));
      }
      routingMs = (System.nanoTime() - t) / 1e6;
    }
    RoutedBatch routed = batch;
    DeviceRouting layouts = onDevice;
    double ms = routingMs;
    return eachGemm(model, layouts, gemm -> {
      QuantizedActivations real;
      try {
        real = gemm.name().equals(GATE_UP) && input.batch() != null
            ? DatasetActivations.of(input.batch(), routed.numTokens(), gemm.k(), routed.batchId()) : null;
      } catch (RuntimeException e) {
        return startRow(input, where, routed, gemm, layouts).status(BatchResult.ERROR, message(e)).build();
      }
      return evaluateGemm(input, where, routed, gemm, layouts, ms, (seed, weights) -> real != null
          ? GroupedGemmProblem.of(routed, real, weights, layouts)
          : GroupedGemmProblem.synthetic(routed, seed, weights, layouts), real != null);
    });
  }

  /**
   * A batch placed as a reference to its file's row, whose file the task read onto its GPU with cuDF
   * ({@code file}, checked to hold this batch at that row): the routing is built from the ids where
   * they lie, and gate_up's A is the batch's stored activations there when the dataset has them.
   */
  List<BatchResult> evaluateInFile(EvalInput input, ExecutorInfo where, DeviceBatchFile file) {
    RoutedBatch batch;
    ModelShape model;
    try {
      batch = DatasetSchema.shapeFromRow(input.batch());
      model = catalog.byName(batch.model());
      requireMatchesModel(batch, model);
    } catch (RuntimeException e) {
      return badRow(input, where, e);
    }
    long row = input.source().row();
    long t = System.nanoTime();
    DeviceRouting onDevice;
    try {
      onDevice = file.routing(row, batch);
    } catch (RuntimeException e) {
      return errorRows(input, where, batch.batchId(), batch.model(), batch.distribution(),
          e instanceof InvalidInputException ? e.getMessage() : cudfFailure(e));
    }
    double routingMs = (System.nanoTime() - t) / 1e6;
    return eachGemm(model, onDevice, gemm -> {
      if (!gemm.name().equals(GATE_UP) || !file.hasActivations()) {
        return evaluateGemm(input, where, batch, gemm, onDevice, routingMs,
            (seed, weights) -> GroupedGemmProblem.synthetic(batch, seed, weights, onDevice), false);
      }
      DeviceBatchFile.Tokens tokens;
      try {
        tokens = file.tokens(row, batch.batchId(), batch.numTokens(), gemm.k());
      } catch (RuntimeException e) {
        return startRow(input, where, batch, gemm, onDevice).status(BatchResult.ERROR, message(e)).build();
      }
      if (tokens == null) { // this batch's activations are null: synthetic ones, as on the host
        return evaluateGemm(input, where, batch, gemm, onDevice, routingMs,
            (seed, weights) -> GroupedGemmProblem.synthetic(batch, seed, weights, onDevice), false);
      }
      try (tokens) {
        return evaluateGemm(input, where, batch, gemm, onDevice, routingMs,
            (seed, weights) -> GroupedGemmProblem.onDevice(batch, tokens.tokens(), weights, onDevice), true);
      }
    });
  }

  private static final String GATE_UP = "gate_up";

  /** The requested GEMMs of the model, one row each; the device routing (if any) is closed after the last. */
  private List<BatchResult> eachGemm(ModelShape model, DeviceRouting onDevice,
      java.util.function.Function<GemmShape, BatchResult> row) {
    List<BatchResult> results = new ArrayList<>();
    try {
      for (GemmShape gemm : model.gemms()) {
        if (settings.gemms().contains(gemm.name())) {
          results.add(row.apply(gemm));
        }
      }
    } finally {
      if (onDevice != null) {
        onDevice.close();
      }
    }
    return results;
  }

  private QuantizedWeights weightsFor(RoutedBatch batch, GemmShape gemm) {
    return WeightBank.weights(batch.model(), gemm, batch.numExperts(), settings.weightBankFor(backend.kind()),
        settings.weightSeed(), backend);
  }

  private String cudfFailure(RuntimeException e) {
    return "cannot build the layouts on the GPU with cuDF (" + PadfreeConf.ROUTING.name() + " = "
        + settings.routing().label() + "): " + e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** A batch whose row cannot be decoded or does not fit its model: its error rows. */
  private List<BatchResult> badRow(EvalInput input, ExecutorInfo where, RuntimeException e) {
    return errorRows(input, where, input.batchId(), input.rawText(DatasetSchema.MODEL),
        input.rawText(DatasetSchema.DISTRIBUTION), message(e));
  }

  /** A row with wrong types fails with a Spark or cast exception rather than our own; keep its name. */
  private static String message(RuntimeException e) {
    return e instanceof InvalidInputException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private BatchResultBuilder startRow(EvalInput input, ExecutorInfo where, RoutedBatch batch, GemmShape gemm,
      DeviceRouting onDevice) {
    int bank = settings.weightBankFor(backend.kind());
    BatchResultBuilder row = new BatchResultBuilder(settings.runId(), input.dataset(), input.index(), where);
    // A batch routed on the device has no host ids: its counts are the differences of the offsets.
    row.routing(batch, batch.hasHostIds() ? batch.expertCounts() : counts(onDevice.hostOffsets()));
    return row.gemm(gemm).backend(backend.name(), backend.device(), bank).backendNote(backendNote)
        .routingPath(routing.path(), Double.NaN);
  }

  private static int[] counts(int[] offsets) {
    int[] counts = new int[offsets.length - 1];
    for (int e = 0; e < counts.length; e++) {
      counts[e] = offsets[e + 1] - offsets[e];
    }
    return counts;
  }

  /** Makes one GEMM's problem from the seed of its synthetic tokens (unused when the tokens are the dataset's). */
  private interface ProblemMaker {
    GroupedGemmProblem make(long seed, QuantizedWeights weights);
  }

  private BatchResult evaluateGemm(EvalInput input, ExecutorInfo where, RoutedBatch batch, GemmShape gemm,
      DeviceRouting onDevice, double cudfRoutingMs, ProblemMaker maker, boolean datasetActivations) {
    long start = System.nanoTime();
    int bank = settings.weightBankFor(backend.kind());
    BatchResultBuilder row = startRow(input, where, batch, gemm, onDevice)
        .activations(datasetActivations ? BatchResult.DATASET_ACTIVATIONS : BatchResult.SYNTHETIC_ACTIVATIONS);
    String tooLarge = heapShortfall(batch, gemm, bank);
    if (tooLarge != null) {
      return row.status(BatchResult.ERROR, tooLarge).build();
    }
    try {
      long seed = batch.seed() * 31 + gemm.name().hashCode();
      // Synthetic tokens: a GPU backend makes them on its device, the CPU backend on the host, the
      // reference check only the rows it samples; the same values everywhere. A dataset's tokens are
      // used as they are, by every path and by the reference check alike.
      QuantizedWeights weights = weightsFor(batch, gemm);
      long routed = System.nanoTime();
      GroupedGemmProblem problem = maker.make(seed, weights);
      row.routingPath(routing.path(), onDevice == null ? (System.nanoTime() - routed) / 1e6 : cudfRoutingMs);
      // The rows to check against the reference, chosen first so a GPU backend can compare the paths
      // on its device and send back only these rows.
      int[] checkRows = PathChecks.sampleRows(problem.rows(), settings.referenceRows(), seed);
      PathOutputs out = backend.run(problem, settings.repetitionsFor(backend.kind()), checkRows);
      PathChecks.Outcome checks = PathChecks.check(problem, out, checkRows);
      row.measured(out.timings(), out.kernelConfig(),
              MemoryAccounting.of(problem.rows(), problem.paddedRows(), batch.numExperts(), gemm.n(), gemm.k()),
              problem.paddedRows())
          .checks(checks.paddedMismatches(), checks.maskedMismatches(), checks.referenceRows(),
              checks.referenceError(), checks.boundViolations());
      row.busy(out.deviceBusyMs(), out.callWallMs(), (System.nanoTime() - start) / 1e6);
      boolean passed = checks.passed(backend.kind() == BackendKind.CPU);
      return row.status(passed ? BatchResult.OK : BatchResult.MISMATCH, checks.describe()).build();
    } catch (RuntimeException e) {
      // One GEMM failing (a bad shape, a backend error) must not lose the batch's other rows.
      return row.status(BatchResult.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage()).build();
    } catch (OutOfMemoryError e) {
      // The estimate let it through but the heap was fuller than planned (other tasks, Spark's blocks):
      // this GEMM's arrays are unreachable now, so the executor can go on with the next batch.
      return row.status(BatchResult.ERROR, "ran out of executor heap (" + e.getMessage() + ") on batch "
          + batch.batchId() + " " + gemm.name() + " (" + batch.routedRows() + " routed rows, N=" + gemm.n() + ", K="
          + gemm.k() + "); give executors more memory (spark.executor.memory; locally PADFREE_DRIVER_MEMORY)"
          + " or run fewer tasks per executor").build();
    }
  }

  /**
   * Why this batch and GEMM cannot fit in the executor's heap, or null when it can: the weight bank
   * it needs (unless already made) and, on the CPU backend, the batch's own arrays.
   */
  private String heapShortfall(RoutedBatch batch, GemmShape gemm, int bank) {
    HeapBudget.Limit limit = HeapBudget.Limit.current(HeapBudget.concurrentTasks());
    long held = WeightBank.heldBytes();
    String more = "give executors more memory (spark.executor.memory; locally PADFREE_DRIVER_MEMORY)";
    String heap = " (heap " + HeapBudget.bytes(limit.maxHeapBytes()) + ", " + HeapBudget.bytes(held)
        + " held by weights already made";
    if (!WeightBank.isMade(batch.model(), gemm, batch.numExperts(), bank, settings.weightSeed())) {
      int distinct = bank == 0 ? batch.numExperts() : Math.min(bank, batch.numExperts());
      long need = HeapBudget.weightBytes(distinct, gemm.n(), gemm.k(), Runtime.getRuntime().availableProcessors());
      if (need > limit.shared(held)) {
        return "the weights of " + batch.model() + " " + gemm.name() + " need " + HeapBudget.bytes(need)
            + " of executor heap (" + distinct + " distinct matrices of N=" + gemm.n() + " x K=" + gemm.k()
            + ", --weight-bank " + bank + "); the executor may use " + HeapBudget.bytes(limit.shared(held)) + heap
            + "): lower --weight-bank or " + more;
      }
    }
    if (backend != null && backend.kind() == BackendKind.CPU && batch.hasHostIds()) {
      long need = HeapBudget.cpuBatchBytes(batch, gemm.n(), gemm.k());
      long may = limit.perTask(held);
      if (need > may) {
        return "batch " + batch.batchId() + " " + gemm.name() + " needs about " + HeapBudget.bytes(need)
            + " of executor heap on the cpu backend (" + batch.routedRows() + " routed rows over "
            + batch.numExperts() + " experts, N=" + gemm.n() + ", K=" + gemm.k() + "); one task may use "
            + HeapBudget.bytes(may) + heap + ", " + limit.concurrentTasks() + " tasks at once): split the batch,"
            + " evaluate one GEMM at a time (--gemms) or " + more;
      }
    }
    return null;
  }

  private static void requireMatchesModel(RoutedBatch batch, ModelShape model) {
    if (batch.numExperts() != model.experts()) {
      throw new InvalidInputException("num_experts", batch.numExperts(),
          "model " + model.name() + " has " + model.experts() + " experts (batch " + batch.batchId() + ")");
    }
  }

  /** One error row per requested GEMM, so a failed batch still appears once per GEMM. */
  private List<BatchResult> errorRows(EvalInput input, ExecutorInfo where, String batchId, String model,
      String distribution, String error) {
    List<BatchResult> rows = new ArrayList<>();
    for (String gemm : settings.gemms()) {
      rows.add(new BatchResultBuilder(settings.runId(), input.dataset(), input.index(), where)
          .identity(batchId, model, distribution).gemmName(gemm)
          .backend(backend == null ? "" : backend.name(), backend == null ? "" : backend.device(), 0)
          .backendNote(backendNote).routingPath(routing.path(), Double.NaN).status(BatchResult.ERROR, error).build());
    }
    return rows;
  }
}
