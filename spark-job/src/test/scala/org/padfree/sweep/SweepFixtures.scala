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
      paddingFreePeak, paddedPeak, 1.5,
      0, 0, Double.NaN, Double.NaN, Double.NaN, 0L, 0L, Double.NaN, Double.NaN) // a GEMM row has no layer figures
  }

  /**
   * A grid point's layer row (gemm "layer"): its GEMM columns empty, the layer's times, peaks and checks
   * set; speedup and saved fraction follow from the times and peaks as the aggregator computes them.
   */
  def layerPoint(
      runId: String = "r1",
      sweep: String = "s",
      startedAt: String = "2026-11-01T02:00:00Z",
      model: String = "qwen3-30b-a3b",
      experts: Int = 128,
      topK: Int = 8,
      tokens: Int = 256,
      distribution: String = "balanced",
      backend: String = "cuda",
      failures: Int = 0,
      failure: String = "",
      paddedMs: Double = 2.0,
      paddingFreeMs: Double = 1.6,
      paddedPeak: Long = 3000L,
      paddingFreePeak: Long = 2000L): PointResult = {
    val key = s"$model/e$experts/k$topK/t$tokens/$distribution/rauto/$backend/layer"
    val nan = Double.NaN
    new PointResult(runId, sweep, startedAt, "abc123", "CPU: 2 threads on host-a", "580.65", "padfree dev", "local[2]",
      "local-1764500000000", "file:/tmp/spark-events", key, model, model, experts, topK, tokens, distribution,
      PointResult.LAYER, 0, 0, backend, "auto", backend, "CPU: 2 threads", "", 1, 3, failures, failure,
      nan, nan, nan, nan, nan, nan, 0L, 0L, 0L, nan,
      3 - failures, 3 - failures, paddedMs, paddingFreeMs, paddedMs / paddingFreeMs, paddedPeak, paddingFreePeak,
      1 - paddingFreePeak.toDouble / paddedPeak, 3.2e-4)
  }

  /**
   * Writes {@code rows} as a points.parquet file of an older padfree that did not have the columns
   * {@code dropped} (a history partition or a pinned baseline from before they were added).
   */
  def writeOldParquet(rows: Seq[PointResult], dropped: Set[String], file: Path): Unit = {
    val fields = new org.padfree.table.RecordFields(classOf[PointResult])
    val kept = (0 until fields.size).filterNot(i => dropped.contains(fields.names.get(i)))
    val b = org.apache.parquet.schema.Types.buildMessage()
    import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName._
    import org.apache.parquet.schema.LogicalTypeAnnotation.stringType
    for (i <- kept) {
      val name = fields.names.get(i)
      fields.typeAt(i) match {
        case c if c == classOf[String] => b.optional(BINARY).as(stringType()).named(name)
        case c if c == classOf[Int] => b.required(INT32).named(name)
        case c if c == classOf[Long] => b.required(INT64).named(name)
        case c if c == classOf[Double] => b.required(DOUBLE).named(name)
        case _ => b.required(BOOLEAN).named(name)
      }
    }
    val schema = b.named("padfree_sweep_point")
    Files.createDirectories(file.getParent)
    val writer = org.apache.parquet.hadoop.example.ExampleParquetWriter
      .builder(new org.apache.hadoop.fs.Path(file.toUri)).withType(schema).build()
    try {
      for (p <- rows) {
        val g = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema).newGroup()
        for (i <- kept) {
          val name = fields.names.get(i)
          fields.valueAt(p, i) match {
            case v: String => g.append(name, v)
            case v: java.lang.Integer => g.append(name, v.intValue)
            case v: java.lang.Long => g.append(name, v.longValue)
            case v: java.lang.Double => g.append(name, v.doubleValue)
            case v: java.lang.Boolean => g.append(name, v.booleanValue)
          }
        }
        writer.write(g)
      }
    } finally writer.close()
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
