package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.padfree.backend.GroupedGemmBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.padfree.results.BatchResult;

/**
 * The task body: evaluates every input of one partition and returns their result rows. The rows of
 * a failed attempt are discarded by Spark with the attempt, and only the successful attempt's rows
 * reach the driver, so each input yields its rows exactly once even when tasks are retried.
 */
final class PartitionEvaluator implements FlatMapFunction<Iterator<EvalInput>, BatchResult> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionEvaluator.class);
  private final EvaluateSettings settings;

  PartitionEvaluator(EvaluateSettings settings) {
    this.settings = settings;
  }

  @Override
  public Iterator<BatchResult> call(Iterator<EvalInput> inputs) {
    long start = System.nanoTime();
    ExecutorInfo where = ExecutorInfo.current();
    // Without a backend or the model shapes no batch can run here; each still gets its error rows.
    TaskSetup setup = TaskSetup.open(settings, where);
    GroupedGemmBackend backend = setup.selection() == null ? null : setup.selection().backend();
    String note = setup.selection() == null ? "" : setup.selection().note();
    if (setup.selection() != null) {
      where = where.withGpu(setup.selection().gpuUuid());
    }
    // Where layouts are built (spark.padfree.routing); a cudf request that cannot run here fails every
    // input of the task with the reason, as an unavailable backend does.
    RoutingPaths.Choice routing = new RoutingPaths.Choice(RoutingPaths.HOST, null);
    String routingUnavailable = null;
    try {
      routing = RoutingPaths.forTask(settings, backend);
    } catch (RoutingPaths.RoutingUnavailable e) {
      routingUnavailable = e.getMessage();
    }
    BatchEvaluator evaluator = new BatchEvaluator(settings, backend, setup.catalog(), note, routing);
    long ready = System.nanoTime();
    TestHooks.delayTask();
    List<BatchResult> results = new ArrayList<>();
    List<EvalInput> inFiles = new ArrayList<>();
    while (inputs.hasNext()) {
      EvalInput input = setup.admit(inputs.next());
      if (routingUnavailable != null && input.error() == null) {
        input = EvalInput.failed(input.index(), input.dataset(), input.batchId(), routingUnavailable);
      }
      if (input.inFile()) {
        inFiles.add(input); // read below, each file once (references are small: no ids in them)
        continue;
      }
      evaluated(results, evaluator.evaluate(input, where), where);
    }
    for (FileReadPlan.FileBatches file : FileReadPlan.of(inFiles).files()) {
      if (routing.cudf()) {
        evaluateOnDevice(file, routing, evaluator, where, results);
      } else {
        for (EvalInput input : FileInputs.readOnHost(file)) {
          evaluated(results, evaluator.evaluate(input, where), where);
        }
      }
    }
    // Where a task's time goes beyond its rows' own (setup, reading inputs): the executor log's view
    // of the fixed costs that do not shrink with more GPUs.
    double rowsMs = results.stream().mapToDouble(BatchResult::taskMs).filter(Double::isFinite).sum();
    LOG.info(String.format("partition %d on executor %s: %d rows, backend and catalog ready in %.0f ms, rows %.0f ms,"
            + " task %.0f ms", partitionId(), where.executorId(), results.size(), (ready - start) / 1e6, rowsMs,
        (System.nanoTime() - start) / 1e6));
    return results.iterator();
  }

  private void evaluated(List<BatchResult> results, List<BatchResult> rows, ExecutorInfo where) {
    results.addAll(rows);
    failFirstAttemptIfAsked(where, results.size());
    TestHooks.killExecutorIfAsked();
  }

  /**
   * One file's batches on the cuDF path: the file's columns read onto the task's GPU once, each batch
   * checked to be the planned one at its row, then evaluated from its columns where they lie. A file
   * that cannot be read fails its batches by name (after Spark's last retry of the task).
   */
  private void evaluateOnDevice(FileReadPlan.FileBatches file, RoutingPaths.Choice routing, BatchEvaluator evaluator,
      ExecutorInfo where, List<BatchResult> results) {
    DeviceBatchFile read;
    try {
      read = CudfTaskRouting.open(routing.device(), FileInputs.localPath(file.file()), file.activations());
    } catch (Exception e) { // cuDF's errors for a damaged file are unchecked; a bad path is ours
      String reason = e instanceof org.padfree.InvalidInputException ? e.getMessage() + " (in dataset "
          + file.inputs().get(0).dataset() + ")" : FileInputs.onReadError(file, e);
      for (EvalInput input : file.inputs()) {
        evaluated(results, evaluator.evaluate(FileInputs.failed(input, reason), where), where);
      }
      return;
    }
    try (read) {
      String[] batchIds = read.batchIds();
      for (EvalInput input : file.inputs()) {
        long row = input.source().row();
        String wrong = FileInputs.mismatch(input, row >= 0 && row < batchIds.length ? batchIds[(int) row] : null);
        evaluated(results, wrong != null ? evaluator.evaluate(FileInputs.failed(input, wrong), where)
            : evaluator.evaluateInFile(input, where, read), where);
      }
    }
  }

  /** The test hook of spark.padfree.test.failFirstAttempt: fail after real work was done. */
  private void failFirstAttemptIfAsked(ExecutorInfo where, int rowsSoFar) {
    if (settings.failFirstAttempt() && where.attempt() == 0) {
      TaskContext task = TaskContext.get();
      throw new IllegalStateException("padfree test hook (" + PadfreeConf.FAIL_FIRST_ATTEMPT.name()
          + "): failing attempt 0 of partition " + (task == null ? -1 : task.partitionId()) + " after "
          + rowsSoFar + " result rows");
    }
  }

  private static int partitionId() {
    TaskContext task = TaskContext.get();
    return task == null ? -1 : task.partitionId();
  }
}
