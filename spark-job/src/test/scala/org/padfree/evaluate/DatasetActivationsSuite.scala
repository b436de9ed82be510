package org.padfree.evaluate

import java.nio.file.Path
import scala.jdk.CollectionConverters._
import org.apache.spark.sql.Row
import org.padfree.{InvalidInputException, LocalSparkSuite}
import org.padfree.dataset.{ActivationGenerator, DatasetActivations, DatasetIO, DatasetSchema, GenerateDatasetOptions}
import org.padfree.jobs.{EvaluateJob, GenerateDataset}
import org.padfree.numerics.{Bf16, Fp8E4M3}
import org.padfree.quant.Fp8Quantizer
import org.padfree.results.BatchResult
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._

/**
 * Datasets that carry real activations (activations_fp8, activation_scales): the generator writes them
 * deterministically, quantized by the project's quantizer; the evaluation uses them as gate_up's A (and
 * the reference check with them), says so in every row and the report, and refuses bad ones by name.
 */
class DatasetActivationsSuite extends AnyFunSuite with LocalSparkSuite {
  private val hidden = 2048 // qwen3-30b-a3b: gate_up K

  private def generate(out: Path, activations: String, seed: Long = 9L): String = {
    GenerateDataset.generate(spark, GenerateDatasetOptions.parse("--model", "qwen3-30b-a3b", "--distribution",
      "zipf(s=1.2),balanced", "--batches", "2", "--tokens", "8:24", "--seed", seed.toString, "--out", out.toString,
      "--activations", activations, "--overwrite"))
    out.toString
  }

  private def rows(path: String): Seq[Row] =
    DatasetIO.readFiles(spark, path).select(DatasetIO.readColumns(DatasetIO.readFiles(spark, path).schema): _*)
      .collect().toSeq.sortBy(_.getAs[String]("batch_id"))

  test("--activations fp8 stores each batch's FP8 codes and 1x128 scales from its seed, the same every run; none stores none") {
    val dir = tempDir("gen-activations")
    val first = rows(generate(dir.resolve("a"), "fp8"))
    val again = rows(generate(dir.resolve("b"), "fp8"))
    assert(first.size == 4)
    for ((row, other) <- first.zip(again)) {
      val id = row.getAs[String]("batch_id")
      val tokens = row.getAs[Int]("num_tokens")
      val seed = row.getAs[Long]("seed")
      val codes = row.getAs[Array[Byte]](DatasetSchema.ACTIVATIONS_FP8)
      val scales = row.getSeq[Float](row.fieldIndex(DatasetSchema.ACTIVATION_SCALES)).toArray
      assert(codes.length == tokens * hidden && scales.length == tokens * hidden / 128, id)
      assert(codes.sameElements(other.getAs[Array[Byte]](DatasetSchema.ACTIVATIONS_FP8)), s"$id: deterministic")
      val x = ActivationGenerator.bf16Values(seed, tokens, hidden)
      assert(x.forall(v => Bf16.roundToFloat(v) == v), s"$id: BF16 values")
      assert(x.map(math.abs).max > 8f, s"$id: outlier channels")
      val q = Fp8Quantizer.quantizeActivations(x, tokens, hidden)
      assert(codes.sameElements(q.values) && scales.sameElements(q.scales), s"$id: the project's 1x128 quantization")
      assert(codes.forall(c => !Fp8E4M3.isNaN(c)), id)
    }
    val plain = DatasetIO.readFiles(spark, generate(dir.resolve("c"), "none")).schema
    assert(!DatasetSchema.hasActivations(plain))
    val e = intercept[InvalidInputException](GenerateDatasetOptions.parse("--model", "m", "--out", "o", "--activations", "bf16"))
    assert(e.getMessage.contains("--activations = bf16") && e.getMessage.contains("none or fp8"), e.getMessage)
  }

  private def comparable(r: BatchResult) = (r.inputIndex, r.batchId, r.gemm, r.status, r.error, r.bitIdentical,
    r.referenceRows, r.referenceError, r.boundViolations, r.activations)

  test("gate_up uses the dataset's activations (rows and report say so, the reference uses the same A); down stays synthetic") {
    val dir = tempDir("eval-activations")
    val withA = generate(dir.resolve("with"), "fp8", 21L)
    val without = generate(dir.resolve("without"), "none", 21L)
    val run = evaluate(spark, dir.resolve("out"), "with", Seq("--dataset", withA))
    assert(run.exitCode == EvaluateJob.EXIT_OK, run.results.map(_.error))
    val byGemm = run.results.groupBy(_.gemm)
    assert(byGemm("gate_up").forall(r => r.isOk && r.activations == BatchResult.DATASET_ACTIVATIONS && r.referenceRows > 0),
      byGemm("gate_up").map(r => (r.batchId, r.activations, r.error)))
    assert(byGemm("down").forall(r => r.isOk && r.activations == BatchResult.SYNTHETIC_ACTIVATIONS))
    val report = java.nio.file.Files.readString(run.dir.resolve("report.md"))
    assert(report.contains("4 batch(es) used their dataset's activations"), report)
    // The same batches with synthetic tokens: gate_up's reference error differs (another A), down's is the same.
    val plain = evaluate(spark, dir.resolve("out"), "without", Seq("--dataset", without)).results
    for ((a, b) <- run.results.zip(plain)) {
      assert(a.batchId == b.batchId && a.gemm == b.gemm)
      if (a.gemm == "gate_up") assert(a.referenceError != b.referenceError && b.activations == "synthetic", a.batchId)
      else assert(a.referenceError == b.referenceError, a.batchId)
    }
    // Read by the evaluating tasks from the files (the cuDF path's placement) the rows are the same.
    val files = evaluate(spark, dir.resolve("out"), "files", Seq("--dataset", withA, "--partitions", "1"),
      Map(PadfreeConf.INPUTS_READ.name -> "files"))
    assert(files.results.map(comparable) == run.results.map(comparable))
  }

  test("bad activations become error rows naming the column and the batch; the batch's down row and other batches run") {
    val dir = tempDir("bad-activations")
    val good = qwenBatches(4, 8, 31L)
    val a = ActivationGenerator.fp8(1L, 8, hidden)
    val nanCodes = a.values.clone()
    nanCodes(100) = Fp8E4M3.POSITIVE_NAN
    val zeroScale = a.scales.clone()
    zeroScale(3) = 0f
    val rowsIn = Seq(
      DatasetSchema.toRow(good(0), a.values, a.scales),
      DatasetSchema.toRow(good(1), a.values.take(8 * hidden - 1), a.scales),
      DatasetSchema.toRow(good(2), nanCodes, zeroScale),
      DatasetSchema.toRow(good(3), null, null))
    val path = dir.resolve("d").toString
    DatasetIO.write(spark.createDataFrame(rowsIn.asJava, DatasetSchema.SCHEMA_WITH_ACTIVATIONS), path, false)
    val run = evaluate(spark, dir.resolve("out"), "bad", Seq("--dataset", path))
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    val byBatch = run.results.groupBy(r => (r.batchId, r.gemm))
    assert(byBatch((good(0).batchId, "gate_up")).head.isOk && byBatch((good(0).batchId, "gate_up")).head.activations == "dataset")
    val short = byBatch((good(1).batchId, "gate_up")).head
    assert(short.isError && short.error.contains(s"activations_fp8 = ${8 * hidden - 1} bytes")
      && short.error.contains(s"batch ${good(1).batchId}") && short.error.contains(s"= ${8 * hidden}"), short.error)
    val nan = byBatch((good(2).batchId, "gate_up")).head
    assert(nan.isError && nan.error.contains("activations_fp8[100]") && nan.error.contains("NaN"), nan.error)
    assert(Seq(good(1), good(2)).forall(b => byBatch((b.batchId, "down")).head.isOk), "the down rows still run")
    val nulls = byBatch((good(3).batchId, "gate_up")).head
    assert(nulls.isOk && nulls.activations == "synthetic", "a batch with null activations uses synthetic ones")
    // Read by the tasks from the files, the same rows.
    val files = evaluate(spark, dir.resolve("out"), "bad-files", Seq("--dataset", path),
      Map(PadfreeConf.INPUTS_READ.name -> "files")).results
    assert(files.map(r => (r.batchId, r.gemm, r.status, r.error, r.activations))
      == run.results.map(r => (r.batchId, r.gemm, r.status, r.error, r.activations)))
  }

  test("the activations columns come together with their types; values are checked by length and content") {
    val schema = DatasetSchema.SCHEMA.add(DatasetSchema.ACTIVATION_FIELDS(0))
    val alone = intercept[InvalidInputException](DatasetSchema.requireColumns(schema))
    assert(alone.getMessage.contains("activation_scales = missing"), alone.getMessage)
    val wrongType = DatasetSchema.SCHEMA.add(DatasetSchema.ACTIVATIONS_FP8, org.apache.spark.sql.types.DataTypes.StringType)
      .add(DatasetSchema.ACTIVATION_FIELDS(1))
    val typed = intercept[InvalidInputException](DatasetSchema.requireColumns(wrongType))
    assert(typed.getMessage.contains("activations_fp8 = string") && typed.getMessage.contains("binary"), typed.getMessage)
    DatasetSchema.requireColumns(DatasetSchema.SCHEMA_WITH_ACTIVATIONS)
    val a = ActivationGenerator.fp8(2L, 2, 256)
    assert(DatasetActivations.of(null, null, 2, 256, "b") == null, "a batch with neither column is synthetic")
    val one = intercept[InvalidInputException](DatasetActivations.of(a.values, null, 2, 256, "b"))
    assert(one.getMessage.contains("activation_scales = null") && one.getMessage.contains("batch b"), one.getMessage)
    val scales = intercept[InvalidInputException](DatasetActivations.of(a.values, a.scales.take(3), 2, 256, "b"))
    assert(scales.getMessage.contains("activation_scales = 3 floats") && scales.getMessage.contains("expected"), scales.getMessage)
    val back = DatasetActivations.of(a.values, java.util.List.of(a.scales.map(Float.box): _*), 2, 256, "b")
    assert(back.values.sameElements(a.values) && back.scales.sameElements(a.scales))
  }
}
