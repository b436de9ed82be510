package org.padfree.dataset

import java.nio.file.{Files, Paths}

import scala.jdk.CollectionConverters._

import org.padfree.LocalSparkSuite
import org.padfree.model.ModelCatalog
import org.padfree.routing.RoutingDistribution
import org.scalatest.funsuite.AnyFunSuite

/** Keeps the committed samples under datasets/sample/ readable and within their documented budget. */
class SampleDatasetSuite extends AnyFunSuite with LocalSparkSuite {

  private val sample = Paths.get("..", "datasets", "sample")
  private val catalog = ModelCatalog.fromClasspath()

  test("routed-batches.parquet: both models, every standard distribution, valid batches") {
    assert(Files.isDirectory(sample), s"run from spark-job/: ${sample.toAbsolutePath}")
    val batches = DatasetIO.readBatches(spark, sample.resolve("routed-batches.parquet").toString).asScala
    val standard = RoutingDistribution.standardSet().asScala.map(_.toString).toSet
    for (name <- Seq("qwen3-30b-a3b", "deepseek-v3")) {
      val model = catalog.byName(name)
      val ofModel = batches.filter(_.model() == name)
      assert(ofModel.map(_.distribution()).toSet == standard, name)
      assert(ofModel.forall(b => b.numExperts() == model.experts() && b.topK() == model.topK()), name)
    }
    assert(batches.forall(b => b.numTokens() >= 64 && b.numTokens() <= 512))
  }

  test("routed-batches.parquet: a CPU GEMM of every batch stays under ~2e11 gate_up FLOPs") {
    val batches = DatasetIO.readBatches(spark, sample.resolve("routed-batches.parquet").toString).asScala
    val flops = batches.map(b => catalog.byName(b.model()).gateUp().flops(b.routedRows().toLong)).sum
    assert(flops < 2.0e11, f"gate_up FLOPs $flops%.3e")
  }

  test("trace samples: both forms read as Mixtral-8x7B and describe the same routing") {
    val mixtral = catalog.byName("mixtral-8x7b")
    val tokens = TraceReader.read(spark, sample.resolve("trace-tokens.csv").toString, null, mixtral, 0).asScala
    val counts = TraceReader.read(spark, sample.resolve("trace-counts.csv").toString, null, mixtral, 0).asScala
    assert(tokens.map(_.batchId()) == Seq("step-0", "step-1") && tokens.map(_.numTokens()) == Seq(6, 4))
    assert(tokens.map(_.expertCounts().toSeq) == counts.map(_.expertCounts().toSeq))
    assert(tokens.map(_.numTokens()) == counts.map(_.numTokens()))
  }
}
