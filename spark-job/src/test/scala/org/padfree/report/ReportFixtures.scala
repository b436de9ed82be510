package org.padfree.report

import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.results.EvaluationTimings
import org.padfree.results.RunInfo

/** Result rows and run facts for the report suites, with every field a test does not care about fixed. */
object ReportFixtures {

  /** A measured row; bytes follow from {@code savedBytes} and {@code savedFraction}. */
  def row(
      batchId: String = "b0",
      model: String = "deepseek-v3",
      gemm: String = "down",
      distribution: String = "balanced",
      status: org.padfree.results.BatchStatus = BatchResult.OK,
      error: String = "",
      bitIdentical: Boolean = true,
      speedup: Double = 1.5,
      padMs: Double = 0.5,
      paddedGemmMs: Double = 1.5,
      paddingFreeGemmMs: Double = 1.0,
      usefulFlops: Double = 2e9,
      savedBytes: Long = 1000L,
      savedFraction: Double = 0.25,
      loadImbalance: Double = 1.2,
      paddedMismatches: Long = 0L,
      boundViolations: Long = 0L,
      inputIndex: Long = 0L,
      rows: Int = 512,
      numTokens: Int = 64,
      backend: String = "cpu",
      executorId: String = "1",
      gpuUuid: String = "",
      gpuBusyMs: Double = Double.NaN,
      taskMs: Double = Double.NaN): BatchResult = {
    val paddedPeak = if (savedFraction > 0) math.round(savedBytes / savedFraction) else 4 * savedBytes
    new BatchResult(
      "run-1", "sample", inputIndex, batchId, model, distribution, gemm, 7168, 2048,
      256, 8, numTokens, rows, 1024, 0, 40, loadImbalance,
      status, error,
      bitIdentical, paddedMismatches, 0L, 16, 1e-6, boundViolations,
      padMs, paddedGemmMs, paddingFreeGemmMs, Double.NaN, 3, speedup, usefulFlops,
      usefulFlops / paddingFreeGemmMs * 1e-9, usefulFlops / (padMs + paddedGemmMs) * 1e-9,
      paddedPeak - savedBytes, paddedPeak, savedBytes, savedFraction, savedBytes / 2, savedBytes / 8,
      savedBytes / 8, savedBytes / 4,
      backend, "CPU reference: 2 threads", executorId, "host-a", gpuUuid, "tile=64", 0, 4,
      gpuBusyMs, if (taskMs.isNaN) Double.NaN else 0.9 * taskMs, taskMs, "", "host", 0.5, "synthetic")
  }

  /** A row that measured nothing, as the job writes for a batch that failed. */
  def errorRow(batchId: String = "bad", model: String = "deepseek-v3", gemm: String = "down",
      distribution: String = "balanced", error: String = "java.lang.IllegalStateException: boom"): BatchResult =
    row(batchId = batchId, model = model, gemm = gemm, distribution = distribution, status = BatchResult.ERROR,
      error = error, bitIdentical = false, speedup = Double.NaN, padMs = Double.NaN, paddedGemmMs = Double.NaN,
      paddingFreeGemmMs = Double.NaN, usefulFlops = Double.NaN, savedBytes = 0L, savedFraction = Double.NaN,
      loadImbalance = Double.NaN)

  def runInfo(rows: Seq[BatchResult] = Seq.empty, runId: String = "run-1",
      notes: Seq[String] = RunInfo.cpuCaveats().asScala.toSeq,
      timings: EvaluationTimings = EvaluationTimings.UNKNOWN): RunInfo =
    new RunInfo(runId, "2025-06-01T12:00:00Z", 12.5, timings, "auto", List("cpu").asJava,
      List("CPU reference: 2 threads").asJava, "local[2]", "local-1764500000000", null, List("0", "1").asJava, List("sample").asJava,
      List("gate_up", "down").asJava, 3, 16, 4, rows.size.toLong, rows.size.toLong,
      rows.count(_.isError).toLong, rows.count(_.status == BatchResult.MISMATCH).toLong, notes.asJava)

  def tempDir(prefix: String): Path = Files.createTempDirectory(prefix)

  def filesIn(dir: Path): Seq[String] = {
    val stream = Files.list(dir)
    try stream.iterator().asScala.map(_.getFileName.toString).toSeq.sorted
    finally stream.close()
  }
}
