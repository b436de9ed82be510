package org.padfree.evaluate

import java.nio.ByteOrder
import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.apache.spark.sql.functions.col
import org.padfree.LocalSparkSuite
import org.padfree.backend.{DeviceRouting, GroupedGemmProblem}
import org.padfree.cuda.{Cuda, CudaDevice, DeviceBuffer}
import org.padfree.cuda.kernels.DeviceGemmOperands
import org.padfree.cudf.CudfJar
import org.padfree.dataset.{DatasetIO, DatasetSchema, GenerateDatasetOptions}
import org.padfree.jobs.{EvaluateJob, GenerateDataset}
import org.padfree.layout.LayoutBuilder
import org.padfree.quant.{QuantizedWeights, ScaleBlocks}
import org.padfree.results.BatchResult
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._

/**
 * The cuDF read path on a GPU executor (issue 16): a generated dataset's files read straight onto the
 * GPU with cuDF (Table.readParquet of batch_id, expert_ids and the activations), each batch's routing
 * built from its slice of the ids where they lie equals the host's layouts element for element, its
 * activations on the device equal the dataset's bytes and scales, and a job run reading with cuDF gives
 * the host path's rows. Cancels, visibly, without a Hopper GPU or without the cuDF jar.
 */
class CudfFileReadGpuSuite extends AnyFunSuite with LocalSparkSuite {

  private def cudfDevice(): CudaDevice = {
    Cuda.unavailableReason().ifPresent(reason => cancel(s"no GPU: $reason"))
    val device = CudaDevice.byOrdinal(0)
    if (!device.isHopper) cancel(s"needs a Hopper GPU (sm_90), found ${device.describe}")
    CudfJar.missing().ifPresent(reason => cancel(s"no cuDF: $reason"))
    CudfTaskRouting.initialize(device, 1L << 30)
    device
  }

  private def generated(dir: Path, activations: String): String = {
    val out = dir.resolve("d-" + activations)
    GenerateDataset.generate(spark, GenerateDatasetOptions.parse("--model", "qwen3-30b-a3b", "--distribution",
      "lognormal(sigma=1.0),balanced(empty=3)", "--batches", "3", "--tokens", "1:700", "--seed", "16", "--partitions", "2",
      "--out", out.toString, "--activations", activations))
    out.toString
  }

  private def ints(b: DeviceBuffer, count: Int): Array[Int] = {
    if (count == 0) return Array.empty
    val buf = java.nio.ByteBuffer.wrap(b.toBytes()).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
    Array.tabulate(count)(buf.get)
  }

  private def assertLayoutsEqual(b: org.padfree.routing.RoutedBatch, r: DeviceRouting): Unit = {
    val free = LayoutBuilder.paddingFree(b)
    val padded = LayoutBuilder.padded(b)
    val masked = LayoutBuilder.masked(b, LayoutBuilder.largestGroup(b))
    val tiny = new QuantizedWeights(128, 128, Array.fill(b.numExperts)(new Array[Byte](128 * 128)),
      Array.fill(b.numExperts)(new Array[Float](1)))
    val host = GroupedGemmProblem.synthetic(b, 1L, tiny)
    val what = s"batch ${b.batchId} (tokens=${b.numTokens})"
    assert(r.hostOffsets.sameElements(free.offsets) && ints(r.offsets, b.numExperts + 1).sameElements(free.offsets), what)
    assert(r.hostGroupStarts.sameElements(padded.groupStarts), s"group starts of $what")
    assert(ints(r.rowSource, b.routedRows).sameElements(free.rowSource), s"row source of $what")
    assert(ints(r.tokenOfRow, b.routedRows).sameElements(host.tokenOfRow), s"token of row of $what")
    assert(ints(r.counts, b.numExperts).sameElements(masked.counts), s"counts of $what")
    assert(ints(r.groupIndex, padded.paddedRows).sameElements(padded.groupIndex), s"group index of $what")
    assert(ints(r.padSource, padded.paddedRows).sameElements(host.padSource), s"pad source of $what")
    assert(ints(r.maskedSource, masked.rowSource.length).sameElements(host.maskedSource), s"masked source of $what")
    val table = DeviceGemmOperands.blockTable(free.offsets)
    assert(ints(r.blockTable, table.length).sameElements(table), s"block table of $what")
  }

  test("each file read once onto the GPU: every batch's routing from its slice equals the host's; its activations are the dataset's") {
    val device = cudfDevice()
    val dataset = generated(tempDir("cudf-read"), "fp8")
    val read = DatasetIO.readFiles(spark, dataset)
    val byFile = read.select(col("_metadata.file_path").as("f"), col("_metadata.row_index").as("r"), col("batch_id"))
      .collect().toSeq.groupBy(_.getString(0))
    val batches = DatasetIO.readBatches(spark, dataset).asScala.map(b => b.batchId -> b).toMap
    val stored = read.select(DatasetIO.readColumns(read.schema): _*).collect().map(r => r.getAs[String]("batch_id") -> r).toMap
    assert(byFile.size == 2)
    for ((file, rows) <- byFile) {
      val start = System.nanoTime()
      val f = CudfTaskRouting.open(device, FileInputs.localPath(file), true)
      info(f"${Paths.get(file).getFileName}: ${rows.size} batches read by cuDF in ${(System.nanoTime() - start) / 1e6}%.1f ms")
      try {
        for (row <- rows) {
          val (r, id) = (row.getLong(1), row.getString(2))
          assert(f.batchIds()(r.toInt) == id, s"batch id at row $r of $file")
          val b = batches(id)
          val routing = f.routing(r, org.padfree.routing.RoutedBatch.idsElsewhere(id, b.model, b.distribution,
            b.numExperts, b.topK, b.numTokens, b.seed))
          try assertLayoutsEqual(b, routing) finally routing.close()
          val tokens = f.tokens(r, id, b.numTokens, 2048)
          try {
            val want = org.padfree.dataset.DatasetActivations.of(stored(id), b.numTokens, 2048, id)
            val t = tokens.tokens()
            assert(java.util.Arrays.equals(t.values.toBytes.take(b.numTokens * 2048), want.values), s"FP8 codes of $id")
            val mMajor = ScaleBlocks.toTmaAlignedMMajor(want.scales, b.numTokens, 16)
            val got = t.mMajorScales.toFloats
            val stride = ScaleBlocks.roundUp(b.numTokens, 4)
            for (kb <- 0 until 16; m <- 0 until b.numTokens) {
              assert(got(kb * stride + m) == mMajor(kb * stride + m), s"scale (token $m, block $kb) of $id")
            }
            val sampled = Array(0, b.numTokens - 1).distinct.filter(_ >= 0)
            val back = t.rowsToHost(sampled)
            assert(java.util.Arrays.equals(back.values, want.gatherRows(sampled).values) &&
              java.util.Arrays.equals(back.scales, want.gatherRows(sampled).scales), s"sampled tokens of $id")
          } finally tokens.close()
        }
        val wrong = intercept[org.padfree.InvalidInputException](f.routing(0L,
          org.padfree.routing.RoutedBatch.idsElsewhere("x", "m", "d", 128, 8, 100000, 1L)))
        assert(wrong.getMessage.contains("expert_ids") && wrong.getMessage.contains("batch x"), wrong.getMessage)
      } finally f.close()
    }
  }

  /**
   * Every result column but timings, where it ran, the routing path and the input index (the Spark read
   * and the driver's planning of files number the batches in their own orders), in batch and GEMM order.
   */
  private def comparable(results: Seq[BatchResult]) = results.map(r => (r.batchId, r.gemm, r.status, r.error,
    r.bitIdentical, r.paddedMismatches, r.maskedMismatches, r.referenceRows, r.referenceError, r.rows, r.paddedRows,
    r.activations)).sortBy(r => (r._1, r._2))

  test("a job reading with cuDF (rows say cudf) gives the host path's rows, with and without stored activations") {
    cudfDevice()
    val dir = tempDir("cudf-job")
    for (activations <- Seq("none", "fp8")) {
      val dataset = generated(dir, activations)
      val args = Seq("--dataset", dataset, "--backend", "cuda", "--partitions", "1")
      val host = evaluate(spark, dir.resolve("out"), s"host-$activations", args,
        Map("spark.padfree.routing" -> "host", PadfreeConf.INPUTS_READ.name -> "spark"))
      val cudf = evaluate(spark, dir.resolve("out"), s"cudf-$activations", args,
        Map("spark.padfree.routing" -> "cudf", PadfreeConf.INPUTS_READ.name -> "auto"))
      assert(host.exitCode == EvaluateJob.EXIT_OK && cudf.exitCode == EvaluateJob.EXIT_OK, cudf.results.map(_.error))
      assert(cudf.results.forall(_.routingPath == "cudf") && host.results.forall(_.routingPath == "host"))
      assert(comparable(cudf.results) == comparable(host.results), s"activations $activations")
      val expected = if (activations == "fp8") "dataset" else "synthetic"
      assert(cudf.results.filter(_.gemm == "gate_up").forall(_.activations == expected))
    }
  }

  test("on the cuDF path a damaged file fails its own batches by name; the other file's batches run") {
    cudfDevice()
    val dir = tempDir("cudf-damaged")
    val dataset = generated(dir, "none")
    val victim = Files.list(Paths.get(dataset)).iterator().asScala.filter(_.getFileName.toString.endsWith(".parquet")).toSeq.min
    val victimIds = DatasetIO.readBatches(spark, victim.toString).asScala.map(_.batchId).toSet
    damageExpertIds(victim) // only the damaged pages fail, when cuDF reads them
    val run = evaluate(spark, dir.resolve("out"), "damaged", Seq("--dataset", dataset, "--backend", "cuda",
      "--gemms", "down"), Map("spark.padfree.routing" -> "cudf"))
    val failed = run.results.filterNot(_.isOk)
    assert(failed.map(_.batchId).toSet == victimIds, run.results.map(r => r.batchId -> r.error))
    for (r <- failed) assert(r.error.contains(victim.getFileName.toString) && r.error.contains("cannot be read"), r.error)
    assert(run.results.count(_.isOk) == 6 - victimIds.size)
  }
}
