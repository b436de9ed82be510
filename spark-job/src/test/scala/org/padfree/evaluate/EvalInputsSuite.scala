package org.padfree.evaluate

import java.nio.file.{Files, Paths}
import java.util.concurrent.atomic.AtomicLong
import scala.jdk.CollectionConverters._
import org.apache.spark.scheduler.{SparkListener, SparkListenerJobEnd, SparkListenerTaskEnd}
import org.padfree.LocalSparkSuite
import org.padfree.dataset.DatasetSchema
import org.padfree.model.ModelCatalog
import org.scalatest.funsuite.AnyFunSuite

/**
 * Loading inputs: one pass over each dataset's scalar columns gives dense indices and the planning
 * metadata; the rows themselves (expert_ids) are read and decoded only when the evaluation places them.
 */
class EvalInputsSuite extends AnyFunSuite with LocalSparkSuite {
  import EvaluateFixtures._

  test("datasets of several files and an unreadable one get dense indices 0..n-1, each batch once, metas in step") {
    val dir = tempDir("inputs")
    val first = dir.resolve("three-files").toString
    // Three files: the rows come back in three partitions, each indexed from its partition's start.
    spark.createDataFrame(qwenBatches(7, 16, 3L).map(DatasetSchema.toRow).asJava, DatasetSchema.SCHEMA)
      .repartition(3).write.parquet(first)
    val second = writeDataset(spark, dir, "second", qwenBatches(4, 16, 40L))
    val missing = dir.resolve("missing").toString
    val options = EvaluateOptions.parse(spark.sparkContext.getConf,
      "--dataset", first, "--dataset", missing, "--dataset", second, "--out", dir.toString)
    // One partition per file (Spark would otherwise pack small files into one partition).
    // (each file's open cost fills a whole partition).
    spark.conf.set("spark.sql.files.maxPartitionBytes", "64m")
    spark.conf.set("spark.sql.files.openCostInBytes", "64m")
    val loaded = try EvalInputs.load(spark, options, ModelCatalog.load(null))
      finally { spark.conf.unset("spark.sql.files.maxPartitionBytes"); spark.conf.unset("spark.sql.files.openCostInBytes") }
    // the unreadable dataset's one input on the driver, then one partition per file of each dataset
    val secondFiles = Files.list(Paths.get(second)).iterator().asScala.count(_.getFileName.toString.endsWith(".parquet"))
    assert(loaded.inputs.getNumPartitions == 1 + 3 + secondFiles, "the three files are three partitions")
    assert(loaded.count == 12)
    val inputs = loaded.inputs.collect().asScala.sortBy(_.index)
    assert(inputs.map(_.index) == (0L until 12L), "dense indices")
    assert(inputs.count(_.error != null) == 1 && inputs(7).error.contains("missing"), "the unreadable dataset is input 7")
    val ids = inputs.filter(_.batch != null).map(_.batch.getAs[String]("batch_id"))
    assert(ids.size == 11 && ids.distinct.size == 11)
    assert(ids.take(7).toSet == qwenBatches(7, 16, 3L).map(_.batchId).toSet && ids.drop(7).toSet == qwenBatches(4, 16, 40L).map(_.batchId).toSet)
    val metas = loaded.metas.asScala
    assert(metas.map(_.index) == (0L until 12L))
    for (in <- inputs) assert(metas(in.index.toInt).batchId == (if (in.batch == null) "" else in.batch.getAs[String]("batch_id")), s"input ${in.index}")
    assert(metas.filter(_.rows > 0).forall(_.rows == 16 * 8), "routed rows = tokens x top-k")
    for (in <- inputs if in.batch != null)
      assert(in.batch.get(in.batch.fieldIndex("expert_ids")).isInstanceOf[Array[Int]], "compact rows")
  }

  test("planning reads no expert_ids: a small fraction of the dataset's bytes; the placed rows decode to the batches") {
    val dir = tempDir("scalars")
    val batches = qwenBatches(6, 2048, 60L) // 16384 expert ids a batch: the bulk of every file
    val path = writeDataset(spark, dir, "big", batches)
    val datasetBytes = Files.walk(Paths.get(path)).iterator().asScala
      .filter(f => f.getFileName.toString.endsWith(".parquet")).map(Files.size(_)).sum
    val read = new AtomicLong()
    val jobsEnded = new AtomicLong()
    val listener = new SparkListener {
      override def onTaskEnd(end: SparkListenerTaskEnd): Unit =
        if (end.taskMetrics != null) read.addAndGet(end.taskMetrics.inputMetrics.bytesRead)
      override def onJobEnd(end: SparkListenerJobEnd): Unit = jobsEnded.incrementAndGet()
    }
    spark.sparkContext.addSparkListener(listener)
    val options = EvaluateOptions.parse(spark.sparkContext.getConf, "--dataset", path, "--out", dir.toString)
    val loaded = try {
      val l = EvalInputs.load(spark, options, ModelCatalog.load(null))
      // the bus delivers a job's task ends before its end
      val deadline = System.nanoTime() + 10_000_000_000L
      while (jobsEnded.get == 0 && System.nanoTime() < deadline) Thread.sleep(20)
      l
    } finally spark.sparkContext.removeSparkListener(listener)
    assert(loaded.count == 6 && loaded.metas.asScala.forall(_.rows == 2048 * 8))
    assert(read.get > 0 && read.get < datasetBytes / 10,
      s"planning read ${read.get} of the dataset's $datasetBytes bytes: expert_ids must not be read")
    val decoded = loaded.inputs.collect().asScala.map(_.decode())
    assert(decoded.sortBy(_.batchId) == batches.sortBy(_.batchId), "the rows read when placed are the batches written")
  }

  test("a read error fails inputs only on the task's last attempt, counted as Spark's scheduler counts them") {
    assert(DatasetInputReader.maxTaskFailures("local", 4) == 1)
    assert(DatasetInputReader.maxTaskFailures("local[2]", 4) == 1 && DatasetInputReader.maxTaskFailures("local[*]", 2) == 1)
    assert(DatasetInputReader.maxTaskFailures("local[2,3]", 4) == 3 && DatasetInputReader.maxTaskFailures("local[*, 2]", 4) == 2)
    assert(DatasetInputReader.maxTaskFailures("local-cluster[2,1,1024]", 2) == 2)
    assert(DatasetInputReader.maxTaskFailures("spark://host:7077", 4) == 4 && DatasetInputReader.maxTaskFailures("yarn", 0) == 1)
  }
}
