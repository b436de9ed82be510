package org.padfree.evaluate

import java.nio.file.Files
import scala.jdk.CollectionConverters._
import com.fasterxml.jackson.databind.ObjectMapper
import org.apache.spark.sql.Row
import org.padfree.LocalSparkSuite
import org.padfree.jobs.EvaluateJob
import org.padfree.moe.{LayerReference, QuantizationStudy}
import org.padfree.results.{BatchStatus, LayerResult}
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._

/** The layer stage of EvaluateJob (--layers): layers.parquet, its checks, failures, and the report sections. */
class LayerRowsSuite extends AnyFunSuite with LocalSparkSuite {

  private def layersOf(run: Run): Seq[LayerResult] =
    EvaluateJob.LAYERS.read(run.dir.resolve("layers.parquet")).asScala.toSeq

  test("with --layers true every batch gets one layer row: forms bit-identical, within the bound, study errors, reports") {
    val dir = tempDir("layers")
    val batches = qwenBatches(3, 24, 11L, "zipf(s=1.2)")
    val dataset = writeDataset(spark, dir, "q", batches)
    val run = evaluate(spark, dir.resolve("out"), "layers", Seq("--dataset", dataset, "--gemms", "down", "--layers", "true"))
    assert(run.exitCode == EvaluateJob.EXIT_OK)
    val layers = layersOf(run)
    assert(layers.map(_.inputIndex) == Seq(0L, 1L, 2L), "one row per input, in input order")
    assert(layers.map(_.batchId).toSet == batches.map(_.batchId).toSet)
    for (l <- layers) {
      val case_ = s"${l.batchId}: ${l.error}"
      assert(l.status == BatchStatus.OK && l.error.isEmpty, case_)
      assert(l.model == "qwen3-30b-a3b" && l.hidden == 2048 && l.intermediate == 768 && l.topK == 8 && l.numTokens == 24, case_)
      assert(l.bitIdentical && l.rows == 24 * 8 && l.paddedRows > l.rows && l.paddedRows % 128 == 0, case_)
      assert(l.referenceTokens == 4 && l.layerError > 0 && l.layerError < LayerReference.RELATIVE_ERROR_BOUND, case_)
      assert(l.layerErrorBound == LayerReference.RELATIVE_ERROR_BOUND && l.layerErrorPassed, case_)
      assert(l.paddedPeakBytes > l.paddingFreePeakBytes && l.savedBytes == l.paddedPeakBytes - l.paddingFreePeakBytes, case_)
      assert(l.savedFraction > 0 && l.savedFraction < 1, case_)
      assert(l.paddedLayerMs > 0 && l.paddingFreeLayerMs > 0 && l.backend == "cpu" && l.weightBank == 4, case_)
      assert(l.fusedMs == null && l.unfusedMs == null, s"$case_: no GPU layer ran, so its times are null, not made up")
      // qwen3-30b: 1e9 / (8 x 3 x 2048 x 768) = 26 tokens fit the study's budget; capped at 16, then at the batch's 24
      assert(l.studyTokens == 16 && l.outlierColumns == 20 && l.outlierFraction == QuantizationStudy.DEFAULT_OUTLIER_FRACTION, case_)
      for (e <- Seq(l.perTensorError, l.perTensorOutlierError, l.perTokenError, l.perTokenOutlierError, l.block128Error,
        l.block128OutlierError, l.block64Error, l.block64OutlierError)) assert(e > 0 && e < 0.2, case_)
    }
    // the Parquet columns as users read them: snake_case, GPU times nullable and null
    val frame = spark.read.parquet(run.dir.resolve("layers.parquet").toString)
    assert(frame.schema("fused_ms").nullable && frame.filter("fused_ms is null").count() == 3)

    val json = new ObjectMapper().readTree(run.dir.resolve("summary.json").toFile)
    val layerGroups = json.path("layers").elements().asScala.toSeq
    assert(layerGroups.exists(g => g.path("model").asText() == "qwen3-30b-a3b" && g.path("distribution").asText() == "*"
      && g.path("batches").asLong() == 3 && g.path("bit_identical_rate").asDouble() == 1.0))
    val study = json.path("quantization").elements().asScala.toSeq
    assert(study.map(_.path("model").asText()) == Seq("qwen3-30b-a3b", "*"))
    assert(study.head.path("block128_outlier_error").asDouble() > 0 && study.head.path("outlier_factor").asDouble() == 50.0)
    val csv = Files.readAllLines(run.dir.resolve("summary.csv")).asScala
    assert(csv.exists(_.startsWith("qwen3-30b-a3b,layer,*,3,0,0,0,1.0,")), csv.mkString("\n"))
    val md = Files.readString(run.dir.resolve("report.md"))
    assert(md.contains("## MoE layers") && md.contains("### qwen3-30b-a3b") && md.contains("## Quantization study"))
    assert(md.contains("multiplied by 50"), "the report states the outliers' factor")
    val html = Files.readString(run.dir.resolve("index.html"))
    assert(html.contains("<section id=\"layers\">") && html.contains("<section id=\"quantization\">"))
    // the layer-time chart sits in the layer section, with the run's own medians on its bars
    val layerSection = html.substring(html.indexOf("<section id=\"layers\">"), html.indexOf("<section id=\"quantization\">"))
    assert(layerSection.contains("data-chart=\"layer-time\""), "the MoE layers section has its chart")
    val medianPadded = org.padfree.render.Percentiles.of(layers.map(_.paddedLayerMs): _*).median()
    assert(layerSection.contains("qwen3-30b-a3b layer, padded layer: " + org.padfree.render.HumanFormat.significant(medianPadded, 3)
      + " ms"), "the padded bar shows the median padded layer time")
  }

  test("without --layers (the default) there is no layers.parquet and no layer section") {
    val dir = tempDir("no-layers")
    val dataset = writeDataset(spark, dir, "q", qwenBatches(1, 16, 3L))
    val run = evaluate(spark, dir.resolve("out"), "plain", Seq("--dataset", dataset, "--gemms", "down"))
    assert(run.exitCode == EvaluateJob.EXIT_OK)
    assert(Files.exists(run.dir.resolve("results.parquet")) && !Files.exists(run.dir.resolve("layers.parquet")))
    val json = new ObjectMapper().readTree(run.dir.resolve("summary.json").toFile)
    assert(!json.has("layers") && !json.has("quantization"))
    assert(!Files.readString(run.dir.resolve("report.md")).contains("## MoE layers"))
    assert(!Files.readAllLines(run.dir.resolve("summary.csv")).asScala.exists(_.contains(",layer,")))
  }

  test("spark.padfree.layers=true turns the layer stage on like --layers") {
    val dir = tempDir("layers-conf")
    val dataset = writeDataset(spark, dir, "q", qwenBatches(1, 8, 5L))
    val run = evaluate(spark, dir.resolve("out"), "conf", Seq("--dataset", dataset, "--gemms", "down"),
      Map("spark.padfree.layers" -> "true"))
    assert(run.exitCode == EvaluateJob.EXIT_OK && layersOf(run).map(_.status) == Seq(BatchStatus.OK))
  }

  test("the layer stage reads the GEMM stage's placed inputs: one stage, no dataset byte read or decoded again") {
    val dir = tempDir("layers-reuse")
    val dataset = writeDataset(spark, dir, "q", qwenBatches(2, 8, 9L))
    val layerStages = java.util.concurrent.ConcurrentHashMap.newKeySet[Int]()
    val layerBytesRead = new java.util.concurrent.atomic.AtomicLong()
    val layerTasks = new java.util.concurrent.atomic.AtomicLong()
    val listener = new org.apache.spark.scheduler.SparkListener {
      override def onStageSubmitted(s: org.apache.spark.scheduler.SparkListenerStageSubmitted): Unit =
        if (Option(s.properties).flatMap(p => Option(p.getProperty("spark.jobGroup.id"))).exists(_.startsWith("padfree-layers-")))
          layerStages.add(s.stageInfo.stageId)
      override def onTaskEnd(end: org.apache.spark.scheduler.SparkListenerTaskEnd): Unit =
        if (layerStages.contains(end.stageId) && end.taskMetrics != null) {
          layerTasks.incrementAndGet()
          layerBytesRead.addAndGet(end.taskMetrics.inputMetrics.bytesRead)
        }
    }
    spark.sparkContext.addSparkListener(listener)
    val run = try evaluate(spark, dir.resolve("out"), "reuse", Seq("--dataset", dataset, "--gemms", "down", "--layers", "true"))
      finally spark.sparkContext.removeSparkListener(listener)
    assert(run.exitCode == EvaluateJob.EXIT_OK && layersOf(run).map(_.status) == Seq(BatchStatus.OK, BatchStatus.OK))
    assert(layerStages.size == 1, s"the layer job ran stages $layerStages: the placing stage must be skipped, not rerun")
    assert(layerTasks.get > 0 && layerBytesRead.get == 0, s"layer tasks read ${layerBytesRead.get} bytes of the dataset")
  }

  test("a bad batch fails only its own layer row, naming the error; the other layers run and the exit status is 1") {
    val dir = tempDir("layers-bad")
    val good = writeDataset(spark, dir, "good", qwenBatches(2, 16, 7L))
    val ids = Array.tabulate(16 * 8)(i => i % 8)
    ids(5) = 999 // expert id out of range
    val bad = writeRawRows(spark, dir, "bad", Seq(Row("bad-expert", "qwen3-30b-a3b", "hand", 128, 8, 16, 7L, ids)))
    val run = evaluate(spark, dir.resolve("out"), "bad", Seq("--dataset", good, "--dataset", bad, "--gemms", "down",
      "--layers", "true"))
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    val layers = layersOf(run)
    assert(layers.size == 3, "every input has its layer row, the bad one too")
    val (failed, ok) = layers.partition(_.batchId == "bad-expert")
    assert(failed.size == 1 && failed.head.isError && failed.head.error.contains("expert_ids[5] = 999"), failed.head.error)
    assert(failed.head.paddedLayerMs.isNaN && failed.head.studyTokens == 0 && !failed.head.bitIdentical)
    assert(ok.size == 2 && ok.forall(_.isOk), ok.map(l => s"${l.batchId}: ${l.error}").mkString("; "))
    val md = Files.readString(run.dir.resolve("report.md"))
    assert(md.contains("## MoE layers"), "the report still has its layer section")
  }
}
