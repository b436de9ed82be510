package org.padfree.evaluate

import scala.jdk.CollectionConverters._
import org.padfree.backend.{BackendKind, CpuBackend, DeviceMemoryException, GroupedGemmBackend, GroupedGemmProblem, PathOutputs}
import org.padfree.dataset.DatasetSchema
import org.padfree.quant.QuantizedWeights
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.results.BatchResult

/**
 * A batch the GPU cannot hold: the backend's DeviceMemoryException becomes that batch's error rows,
 * one per GEMM, carrying its message; the next batch on the same backend evaluates normally. The
 * backend here is the CPU reference made to refuse one batch id, as the CUDA backend does when a
 * batch's estimate exceeds the device.
 */
class DeviceMemoryErrorRowSuite extends AnyFunSuite {
  /** The CPU backend, refusing batch `refused` with the CUDA backend's kind of message. */
  private final class RefusingBackend(refused: String) extends GroupedGemmBackend {
    private val cpu = new CpuBackend(1)
    var calls = 0
    override def kind(): BackendKind = BackendKind.CPU
    override def device(): String = cpu.device()
    override def run(p: GroupedGemmProblem, repetitions: Int): PathOutputs = run(p, repetitions, null)
    override def run(p: GroupedGemmProblem, repetitions: Int, checkRows: Array[Int]): PathOutputs = {
      calls += 1
      if (p.batch.batchId == refused)
        throw new DeviceMemoryException(s"batch $refused does not fit in device memory: ${p.rows} routed rows with "
          + s"N=${p.n} K=${p.k} need 999 bytes but at most 10 bytes can be free on a test GPU. Use smaller batches")
      cpu.run(p, repetitions, checkRows)
    }
    override def syntheticWeights(seeds: Array[Long], n: Int, k: Int): Array[QuantizedWeights] = cpu.syntheticWeights(seeds, n, k)
    override def close(): Unit = cpu.close()
  }

  test("a DeviceMemoryException is one error row per GEMM with its message, and the next batch is evaluated") {
    val settings = new EvaluateSettings("device-oom", EvaluateSettings.Backend.CPU, java.util.List.of("gate_up", "down"),
      1, 4, true, 1, 1L, 1, EvaluateFixtures.root.resolve("conf/models").toString, false)
    val backend = new RefusingBackend("q7-000")
    try {
      val evaluator = new BatchEvaluator(settings, backend, ExecutorBackends.catalog(settings.modelsDir))
      val Seq(big, normal) = EvaluateFixtures.qwenBatches(2, 16, 7L)
      val where = ExecutorInfo.current()
      val refused = evaluator.evaluate(EvalInput.of(0, "test", DatasetSchema.toRow(big)), where).asScala
      assert(refused.map(_.gemm).toSet == Set("gate_up", "down"), s"one row per GEMM: ${refused.map(_.gemm)}")
      for (row <- refused) {
        assert(row.status == BatchResult.ERROR, s"${row.gemm}: status ${row.status}")
        assert(row.error.startsWith("DeviceMemoryException: batch q7-000 does not fit in device memory"), row.error)
        assert(row.error.contains("Use smaller batches") && row.batchId == "q7-000", row.error)
      }
      val next = evaluator.evaluate(EvalInput.of(1, "test", DatasetSchema.toRow(normal)), where).asScala
      assert(next.size == 2 && next.forall(_.status == BatchResult.OK),
        s"the next batch: ${next.map(r => s"${r.gemm} ${r.status} ${r.error}")}")
      assert(backend.calls == 4, s"${backend.calls} backend calls")
    } finally backend.close()
  }
}
