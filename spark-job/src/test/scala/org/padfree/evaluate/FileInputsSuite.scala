package org.padfree.evaluate

import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.apache.spark.sql.Row
import org.padfree.LocalSparkSuite
import org.padfree.dataset.{DatasetIO, DatasetSchema}
import org.padfree.jobs.EvaluateJob
import org.padfree.model.ModelCatalog
import org.padfree.results.BatchResult
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._

/**
 * Datasets placed as references to their files' rows (spark.padfree.inputs.read=files, what the cuDF
 * read path uses): on the CPU the evaluating task reads its batches' columns with parquet-mr, each
 * file once, and every result row is the Spark read's; a changed or damaged file fails its batches by
 * name, as the Spark read does.
 */
class FileInputsSuite extends AnyFunSuite with LocalSparkSuite {

  /** A dataset of two files holding three and two qwen batches. */
  private def twoFiles(dir: Path, seed: Long): String = {
    val path = dir.resolve("a dataset 100%").toString // Spark lists files URL-encoded: %20, %25
    val batches = qwenBatches(5, 24, seed)
    DatasetIO.write(spark.createDataFrame(batches.map(DatasetSchema.toRow).asJava, DatasetSchema.SCHEMA).repartition(2),
      path, false)
    path
  }

  private def files(options: Seq[String], read: String): EvalInputs.Loaded = {
    val conf = spark.sparkContext.getConf.clone().set(PadfreeConf.INPUTS_READ.name, read)
    EvalInputs.load(spark, EvaluateOptions.parse(conf, options: _*), ModelCatalog.load(null))
  }

  test("files mode places references (file, row, scalar columns; no expert ids), spark mode decoded rows") {
    val dataset = twoFiles(tempDir("refs"), 3L)
    val refs = files(Seq("--dataset", dataset), "files")
    val placed = refs.inputs.collect().asScala.toSeq.sortBy(_.index)
    assert(placed.size == 5 && placed.forall(_.inFile), placed.map(_.source))
    assert(placed.forall(in => !in.batch.schema.fieldNames.contains(DatasetSchema.EXPERT_IDS)), "no ids travel")
    assert(placed.map(_.source.file).distinct.size == 2)
    for ((file, ins) <- placed.groupBy(_.source.file)) {
      assert(ins.map(_.source.row).sorted == ins.indices.map(_.toLong), s"$file: rows 0..n-1")
    }
    // planned on the driver: indices follow the files by name, and each file's rows in order
    assert(placed.map(in => (in.source.file, in.source.row)) == placed.map(in => (in.source.file, in.source.row)).sorted)
    val rows = files(Seq("--dataset", dataset), "spark")
    assert(rows.inputs.collect().asScala.forall(in => !in.inFile && in.batch.schema.fieldNames.contains("expert_ids")))
    assert(rows.metas.asScala.map(_.batchId).sorted == refs.metas.asScala.map(_.batchId).sorted, "the same batches either way")
    assert(refs.metas.asScala.map(_.file).toSet == placed.map(_.source.file).toSet, "each meta names its input's file")
  }

  test("planning on the driver: an unreadable file fails alone by name, the others are planned; --models filters") {
    val dataset = twoFiles(tempDir("driver-plan"), 11L)
    val corrupt = Paths.get(dataset).resolve("part-99999-corrupt.parquet")
    Files.write(corrupt, "not parquet at all".getBytes)
    val loaded = files(Seq("--dataset", dataset), "files")
    val inputs = loaded.inputs.collect().asScala.toSeq
    assert(inputs.count(_.inFile) == 5, "both good files' batches are planned")
    val failed = inputs.filter(_.error != null)
    assert(failed.size == 1 && failed.head.error.contains("invalid dataset file = ")
      && failed.head.error.contains("part-99999-corrupt.parquet") && failed.head.error.contains(s"(in dataset $dataset)"),
      failed.map(_.error))
    Files.delete(corrupt)
    val none = files(Seq("--dataset", dataset, "--models", "deepseek-v3"), "files").inputs.collect().asScala.toSeq
    assert(none.size == 1 && none.head.error.contains("holds no batches of models [deepseek-v3]"), none.map(_.error))
    val missing = files(Seq("--dataset", dataset + "-nowhere"), "files").inputs.collect().asScala.toSeq
    assert(missing.size == 1 && missing.head.error.contains("does not exist"), missing.map(_.error))
  }

  /**
   * Every result column but timings, where it ran and the input index (the read modes number the batches
   * in their own orders: Spark's file splits, or the files by name), in batch and GEMM order.
   */
  private def comparable(results: Seq[BatchResult]) = results.map(r => (r.batchId, r.gemm, r.status, r.error,
    r.bitIdentical, r.paddedMismatches, r.maskedMismatches, r.referenceRows, r.referenceError, r.boundViolations, r.rows,
    r.paddedRows, r.emptyExperts, r.largestGroup, r.savedBytes, r.routingPath, r.activations)).sortBy(r => (r._1, r._2))

  test("files mode on the CPU gives every result row of the Spark read, a task reading each of its files once") {
    val dir = tempDir("same-rows")
    val dataset = twoFiles(dir, 5L)
    val args = Seq("--dataset", dataset, "--partitions", "1") // one task evaluates every batch of both files
    val viaSpark = evaluate(spark, dir.resolve("a"), "spark", args, Map(PadfreeConf.INPUTS_READ.name -> "spark"))
    val viaFiles = evaluate(spark, dir.resolve("b"), "files", args, Map(PadfreeConf.INPUTS_READ.name -> "files"))
    assert(viaSpark.exitCode == EvaluateJob.EXIT_OK && viaFiles.exitCode == EvaluateJob.EXIT_OK)
    assert(viaFiles.results.size == 10 && viaFiles.results.forall(_.isOk), viaFiles.results.map(_.error))
    assert(comparable(viaFiles.results) == comparable(viaSpark.results))
  }

  test("a task's reads on the host: rows as Spark reads them; a changed, missing or unreadable row fails naming the file") {
    val dataset = twoFiles(tempDir("host-read"), 7L)
    val refs = files(Seq("--dataset", dataset), "files").inputs.collect().asScala.toSeq
    val plan = FileReadPlan.of(refs.asJava)
    val expected = DatasetIO.readBatches(spark, dataset).asScala.map(b => b.batchId -> b).toMap
    for (file <- plan.files.asScala; in <- FileInputs.readOnHost(file).asScala) {
      assert(!in.inFile && in.error == null, String.valueOf(in.error))
      assert(in.decode() == expected(in.batchId), s"${in.batchId} read from ${file.file}")
    }
    val first = plan.files.get(0)
    val in = first.inputs.get(0)
    def moved(row: Long, file: String = in.source.file) =
      EvalInput.inFile(in.index, in.dataset, in.batch, new EvalInput.FileRow(file, row, false))
    val renamed = EvalInput.inFile(in.index, in.dataset, withBatchId(in.batch, "someone-else"), in.source)
    val changed = FileInputs.readOnHost(FileReadPlan.of(java.util.List.of(renamed)).files.get(0)).get(0)
    assert(changed.error.contains(s"invalid dataset file = ${in.source.file}: changed while the run read it")
      && changed.error.contains("someone-else when planned") && changed.error.contains(s"(in dataset $dataset)"), changed.error)
    val missing = FileInputs.readOnHost(FileReadPlan.of(java.util.List.of(moved(99L))).files.get(0)).get(0)
    assert(missing.error.contains("holds fewer batches than when the run planned it") && missing.batchId == in.batchId,
      missing.error)
    assert(FileInputs.localPath(in.source.file).endsWith("a dataset 100%/" + Paths.get(FileInputs.localPath(in.source.file)).getFileName))
    assert(Files.isRegularFile(Paths.get(FileInputs.localPath(in.source.file))), in.source.file)
    val elsewhere = intercept[org.padfree.InvalidInputException](FileInputs.localPath("hdfs://nn/d/part-0.parquet"))
    assert(elsewhere.getMessage.contains("hdfs:") && elsewhere.getMessage.contains("spark.padfree.inputs.read=spark"))
    val gone = FileInputs.readOnHost(FileReadPlan.of(java.util.List.of(moved(0L, in.source.file + ".gone"))).files.get(0)).get(0)
    assert(gone.error.contains("invalid dataset file = ") && gone.error.contains(".gone: cannot be read"), gone.error)
  }

  private def withBatchId(row: Row, id: String): Row = {
    val values: Array[Any] = row.toSeq.toArray
    values(row.fieldIndex(DatasetSchema.BATCH_ID)) = id
    new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, row.schema)
  }

  test("a file whose expert_ids cannot be decoded fails its own batches in files mode, naming it; the rest run") {
    val dir = tempDir("damaged-files")
    val dataset = writeDataset(spark, dir, "d", qwenBatches(2, 16, 71L))
    val damaged = addOneFile(spark, dir, dataset, qwenBatches(2, 16, 81L))
    damageExpertIds(damaged)
    val run = evaluate(spark, dir.resolve("out"), "d", Seq("--dataset", dataset, "--gemms", "down", "--partitions", "1"),
      Map(PadfreeConf.INPUTS_READ.name -> "files"))
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    val rows = run.results
    assert(rows.filter(_.isOk).map(_.batchId).toSet == Set("q71-000", "q71-001"), rows.map(r => r.batchId -> r.error))
    val failed = rows.filterNot(_.isOk)
    assert(failed.map(_.batchId).toSet == Set("q81-000", "q81-001"), "each batch of the damaged file fails by its id")
    for (r <- failed) assert(r.error.contains("invalid dataset file = ") && r.error.contains(damaged.getFileName.toString)
      && r.error.contains("cannot be read") && r.error.contains(s"(in dataset $dataset)"), r.error)
  }

  test("the read plan: each file once, its batches by row position, files in name order") {
    val row = DatasetSchema.toRow(qwenBatches(1, 4, 1L).head)
    def ref(index: Long, file: String, r: Long) = EvalInput.inFile(index, "d", row, new EvalInput.FileRow(file, r, file == "b"))
    val plan = FileReadPlan.of(java.util.List.of(ref(0, "b", 2), ref(1, "a", 1), ref(2, "b", 0), ref(3, "a", 0), ref(4, "b", 1)))
    assert(plan.files.asScala.map(_.file) == Seq("a", "b"))
    assert(plan.files.get(0).rows.toSeq == Seq(0L, 1L) && plan.files.get(1).rows.toSeq == Seq(0L, 1L, 2L))
    assert(plan.files.get(1).inputs.asScala.map(_.index) == Seq(2L, 4L, 0L))
    assert(!plan.files.get(0).activations && plan.files.get(1).activations)
    intercept[IllegalArgumentException](FileReadPlan.of(java.util.List.of(EvalInput.of(0, "d", row))))
  }

  test("spark.padfree.inputs.read: files only where tasks will read with cuDF under auto; a bad value names the key") {
    import EvaluateSettings.{Backend, Routing}
    import InputReading.Mode._
    val gpu = true
    assert(InputReading.fromFiles(FILES, Routing.HOST, Backend.CPU, false, false))
    assert(!InputReading.fromFiles(SPARK, Routing.CUDF, Backend.CUDA, gpu, true))
    assert(InputReading.fromFiles(AUTO, Routing.CUDF, Backend.CUDA, false, false), "cudf asked: read with cuDF")
    assert(InputReading.fromFiles(AUTO, Routing.AUTO, Backend.AUTO, gpu, true))
    assert(!InputReading.fromFiles(AUTO, Routing.AUTO, Backend.AUTO, gpu, false), "no cuDF jar on the driver")
    assert(!InputReading.fromFiles(AUTO, Routing.AUTO, Backend.AUTO, false, true), "no GPU executors")
    assert(!InputReading.fromFiles(AUTO, Routing.HOST, Backend.CUDA, gpu, true))
    assert(!InputReading.fromFiles(AUTO, Routing.AUTO, Backend.CPU, gpu, true), "the CPU backend routes on the host")
    val conf = new org.apache.spark.SparkConf(false).set(PadfreeConf.INPUTS_READ.name, "gpu")
    val e = intercept[org.padfree.InvalidInputException](EvaluateOptions.parse(conf, "--dataset", "d"))
    assert(e.getMessage.contains("spark.padfree.inputs.read = gpu") && e.getMessage.contains("auto, spark or files"))
    assert(InputReading.gpuExecutors(new org.apache.spark.SparkConf(false).set("spark.executor.resource.gpu.amount", "1")))
    assert(!InputReading.gpuExecutors(new org.apache.spark.SparkConf(false)))
  }
}
