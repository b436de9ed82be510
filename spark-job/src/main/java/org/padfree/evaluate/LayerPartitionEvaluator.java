package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.results.LayerResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layer stage's task body: one {@link LayerResult} per input of the partition. Like the GEMM
 * stage's {@link PartitionEvaluator}, only a successful attempt's rows reach the driver, and an input
 * that cannot run (no backend to make its weights, no model shapes) still gets its failed row.
 */
final class LayerPartitionEvaluator implements FlatMapFunction<Iterator<EvalInput>, LayerResult> {
  private static final Logger LOG = LoggerFactory.getLogger(LayerPartitionEvaluator.class);
  private final EvaluateSettings settings;

  LayerPartitionEvaluator(EvaluateSettings settings) {
    this.settings = settings;
  }

  @Override
  public Iterator<LayerResult> call(Iterator<EvalInput> inputs) {
    long start = System.nanoTime();
    ExecutorInfo where = ExecutorInfo.current();
    // The task's GEMM backend, the same one (per JVM) the GEMM rows used: it makes the weight bank.
    TaskSetup setup = TaskSetup.open(settings, where);
    GroupedGemmBackend weightMaker = setup.selection() == null ? null : setup.selection().backend();
    int threads = settings.cpuThreads() > 0 ? settings.cpuThreads() : ExecutorBackends.taskCpus();
    // The layer runs where the task's GEMM rows ran: the executor's GPU on a CUDA backend, else the CPU.
    LayerRunner runner = weightMaker == null ? null : LayerRunner.forBackend(weightMaker, settings, threads);
    LayerEvaluator evaluator = new LayerEvaluator(settings, weightMaker, runner, setup.catalog());
    List<LayerResult> results = new ArrayList<>();
    List<EvalInput> inFiles = new ArrayList<>();
    while (inputs.hasNext()) {
      EvalInput input = setup.admit(inputs.next());
      if (input.inFile()) {
        inFiles.add(input);
      } else {
        results.add(evaluator.evaluate(input, where));
      }
    }
    // Inputs placed as references: the layer runs on the host's ids, so their files are read on the host.
    for (FileReadPlan.FileBatches file : FileReadPlan.of(inFiles).files()) {
      for (EvalInput input : FileInputs.readOnHost(file)) {
        results.add(evaluator.evaluate(input, where));
      }
    }
    TaskContext task = TaskContext.get();
    LOG.info(String.format("layers: partition %d on executor %s: %d layers in %.0f ms",
        task == null ? -1 : task.partitionId(), where.executorId(), results.size(), (System.nanoTime() - start) / 1e6));
    return results.iterator();
  }
}
