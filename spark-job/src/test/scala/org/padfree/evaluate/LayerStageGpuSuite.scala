package org.padfree.evaluate

import scala.jdk.CollectionConverters._
import org.padfree.LocalSparkSuite
import org.padfree.cuda.{Cuda, CudaDevice}
import org.padfree.jobs.EvaluateJob
import org.padfree.moe.LayerReference
import org.padfree.results.{BatchStatus, LayerResult}
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._

/**
 * The layer stage on a GPU executor (local mode: the executor is this JVM, so its resident layers
 * can be inspected). Cancels, with the reason, where there is no CUDA driver or no Hopper GPU.
 */
class LayerStageGpuSuite extends AnyFunSuite with LocalSparkSuite {

  private def requireHopper(): Unit = {
    Cuda.unavailableReason().ifPresent(reason => cancel(s"no GPU: $reason"))
    val device = CudaDevice.byOrdinal(0)
    if (!device.isHopper) cancel(s"needs a Hopper GPU (sm_90), found ${device.describe}")
  }

  test("on a CUDA executor the layer runs on the GPU: rows say cuda, checks pass, unfused_ms set, fused_ms null") {
    requireHopper()
    val dir = tempDir("gpu-layers")
    val batches = qwenBatches(3, 96, 17L, "zipf(s=1.2)")
    val dataset = writeDataset(spark, dir, "q", batches)
    val run = evaluate(spark, dir.resolve("out"), "gpu-layers",
      Seq("--dataset", dataset, "--gemms", "down", "--backend", "cuda", "--layers", "true"))
    val layers = EvaluateJob.LAYERS.read(run.dir.resolve("layers.parquet")).asScala.toSeq
    assert(layers.size == 3, "one layer row per batch")
    for (l <- layers) {
      val case_ = s"${l.batchId} (${l.distribution}, ${l.numTokens} tokens): ${l.error}"
      assert(l.status == BatchStatus.OK && l.error.isEmpty, case_)
      assert(l.backend == "cuda" && l.device.contains("H"), s"$case_: device ${l.device}")
      assert(l.bitIdentical && l.layerErrorPassed && l.layerError < LayerReference.RELATIVE_ERROR_BOUND, case_)
      assert(l.paddedLayerMs > 0 && l.paddingFreeLayerMs > 0, case_)
      assert(l.unfusedMs != null && l.unfusedMs.doubleValue == l.paddingFreeLayerMs, case_)
      assert(l.fusedMs == null, s"$case_: the fused layer runs only with spark.padfree.layers.fused")
      assert(l.paddedPeakBytes > l.paddingFreePeakBytes, case_)
    }
    assert(run.exitCode == EvaluateJob.EXIT_OK, layers.map(_.error).mkString("; "))
    assert(CudaLayerRunner.RESIDENT.layers == 1 && CudaLayerRunner.RESIDENT.weightSets(0) == 1,
      "one layer and one weight set for the model, however many batches")
  }

  test("with spark.padfree.layers.fused the fused layer is timed too and held to the double reference") {
    requireHopper()
    val dir = tempDir("gpu-layers-fused")
    val dataset = writeDataset(spark, dir, "q", qwenBatches(2, 64, 23L))
    val run = evaluate(spark, dir.resolve("out"), "gpu-layers-fused",
      Seq("--dataset", dataset, "--gemms", "down", "--backend", "cuda", "--layers", "true"),
      Map("spark.padfree.layers.fused" -> "true"))
    val layers = EvaluateJob.LAYERS.read(run.dir.resolve("layers.parquet")).asScala.toSeq
    for (l <- layers) {
      val case_ = s"${l.batchId}: ${l.error}"
      assert(l.backend == "cuda" && l.status == BatchStatus.OK, case_)
      assert(l.fusedMs != null && l.fusedMs.doubleValue > 0 && l.unfusedMs != null, case_)
    }
  }
}
