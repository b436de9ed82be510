package org.padfree.evaluate

import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.apache.spark.SparkConf
import org.apache.spark.sql.{Row, SparkSession}
import org.padfree.dataset.{DatasetIO, DatasetSchema}
import org.padfree.routing.{RoutingDistribution, RoutingGenerator}
import org.padfree.jobs.EvaluateJob
import org.padfree.results.BatchResult
import org.padfree.table.RecordFields

/** Small datasets and a one-call way to run the job, shared by the evaluation suites. */
object EvaluateFixtures {
  /** The repository root (tests run in spark-job/). */
  val root: Path = Paths.get("..").toAbsolutePath.normalize
  val sampleDataset: String = root.resolve("datasets/sample/routed-batches.parquet").toString
  val sampleCountsTrace: String = root.resolve("datasets/sample/trace-counts.csv").toString

  /** qwen3-30b-a3b batches (128 experts, top-8): cheap enough to evaluate many in a test. */
  def qwenBatches(count: Int, tokens: Int, seed: Long, distribution: String = "lognormal(sigma=1.0)") =
    (0 until count).map(i => RoutingGenerator.generate(f"q$seed-$i%03d", "qwen3-30b-a3b",
      RoutingDistribution.parse(distribution), 128, 8, tokens, seed + i))

  def writeDataset(spark: SparkSession, dir: Path, name: String, batches: Seq[org.padfree.routing.RoutedBatch]): String = {
    val path = dir.resolve(name).toString
    DatasetIO.write(spark, batches.asJava, path, true)
    path
  }

  /** Writes raw rows in the dataset schema, bypassing validation, to make bad datasets. */
  def writeRawRows(spark: SparkSession, dir: Path, name: String, rows: Seq[Row]): String = {
    val path = dir.resolve(name).toString
    spark.createDataFrame(rows.asJava, DatasetSchema.SCHEMA).write.parquet(path)
    path
  }

  case class Run(exitCode: Int, dir: Path) {
    lazy val results: Seq[BatchResult] = {
      val spark = SparkSession.active
      // read back by Spark, as users read it; each row becomes a BatchResult through the one codec
      val fields = new RecordFields(classOf[BatchResult])
      val names = fields.names.asScala.toSeq
      spark.read.parquet(dir.resolve("results.parquet").toString).collect().toSeq
        .map(row => fields.create(names.map(n => row.get(row.fieldIndex(n)).asInstanceOf[AnyRef]).toArray))
    }
  }

  /** Runs EvaluateJob on the active session; {@code conf} adds spark.padfree.* settings. */
  def evaluate(spark: SparkSession, out: Path, runId: String, args: Seq[String], conf: Map[String, String] = Map.empty): Run = {
    val sparkConf = spark.sparkContext.getConf.clone()
    conf.foreach { case (k, v) => sparkConf.set(k, v) }
    val options = EvaluateOptions.parse(sparkConf, (args ++ Seq("--out", out.toString, "--run-id", runId, "--overwrite")): _*)
    Run(EvaluateJob.run(spark, options), out.resolve(runId))
  }

  def tempDir(prefix: String): Path = Files.createTempDirectory(prefix)

  /**
   * Writes `batches` as one more data file of `dataset` (one Parquet file, written beside it in `dir`
   * and moved in) and returns that file.
   */
  def addOneFile(spark: SparkSession, dir: Path, dataset: String, batches: Seq[org.padfree.routing.RoutedBatch]): Path = {
    val other = dir.resolve("other").toString
    DatasetIO.write(spark.createDataFrame(batches.map(DatasetSchema.toRow).asJava, DatasetSchema.SCHEMA).coalesce(1),
      other, false)
    val moved = Files.list(Paths.get(other)).iterator().asScala.find(_.getFileName.toString.endsWith(".parquet")).get
    Files.move(moved, Paths.get(dataset).resolve(moved.getFileName))
  }

  /**
   * Writes garbage over the first page header of the data file's expert_ids chunk: its footer and
   * scalar columns still read (planning succeeds), decoding its expert ids fails. Hadoop's .crc
   * sidecar goes too, since the local file system checks the whole file against it on every read.
   */
  def damageExpertIds(file: Path): Unit = {
    val footer = org.apache.parquet.hadoop.ParquetFileReader.readFooter(new org.apache.hadoop.conf.Configuration(),
      new org.apache.hadoop.fs.Path(file.toString))
    val chunk = footer.getBlocks.get(0).getColumns.asScala.find(_.getPath.toDotString.startsWith("expert_ids")).get
    val raf = new java.io.RandomAccessFile(file.toFile, "rw")
    try { raf.seek(chunk.getStartingPos); raf.write(Array.fill[Byte](64)(0xff.toByte)) } finally raf.close()
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName + ".crc"))
  }
}
