package org.padfree.sweep

import java.nio.file.{Files, Path}

/** Synthetic history rows for the sweep and capacity suites: every field a test does not care about fixed. */
object SweepFixtures {
  def point(
      runId: String = "r1",
      sweep: String = "s",
      startedAt: String = "2026-11-01T02:00:00Z",
      model: String = "qwen3-30b-a3b",
      experts: Int = 128,
      topK: Int = 8,
      tokens: Int = 256,
      distribution: String = "balanced",
      gemm: String = "down",
      backend: String = "cuda",
      failures: Int = 0,
      failure: String = "",
      tflops: Double = 500.0,
      speedup: Double = 1.2,
      saved: Double = 0.3,
      paddingFreeMs: Double = 1.0,
      paddedMs: Double = 1.2,
      paddingFreePeak: Long = 1000L,
      paddedPeak: Long = 1500L): PointResult = {
    val key = s"$model/e$experts/k$topK/t$tokens/$distribution/rauto/$backend/$gemm"
    new PointResult(runId, sweep, startedAt, "abc123", "H200 on host-a", "580.65", "padfree dev", "local[2]",
      "local-1764500000000", "file:/tmp/spark-events", key, model, model, experts, topK, tokens, distribution, gemm, 2048, 768, backend, "auto",
      backend, "NVIDIA H200", "block_n=128", 10, 3, failures, failure,
      tflops, tflops / speedup, speedup, paddingFreeMs, paddedMs, saved, paddedPeak - paddingFreePeak,
      paddingFreePeak, paddedPeak, 1.5)
  }

  /** {@code p} with some components replaced, by component name (Java records have no copy). */
  def copy(p: PointResult, changes: (String, Any)*): PointResult = {
    val components = classOf[PointResult].getRecordComponents
    val byName = changes.toMap
    require(byName.keySet.subsetOf(components.map(_.getName).toSet), s"unknown components in ${byName.keySet}")
    val args = components.map(c => byName.getOrElse(c.getName, c.getAccessor.invoke(p)).asInstanceOf[AnyRef])
    classOf[PointResult].getDeclaredConstructor(components.map(_.getType): _*).newInstance(args: _*)
  }

  def tempDir(prefix: String): Path = Files.createTempDirectory(prefix)
}
