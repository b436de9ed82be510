package org.padfree.evaluate

import scala.jdk.CollectionConverters._
import org.padfree.LocalSparkSuite
import org.padfree.dataset.DatasetSchema
import org.padfree.model.ModelCatalog
import org.scalatest.funsuite.AnyFunSuite

/** Loading inputs: one pass per dataset gives dense indices, the planning metadata and compact cached rows. */
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
    try {
      assert(loaded.cached.get(0).getNumPartitions == 3, "the three files are three partitions")
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
    } finally loaded.release()
  }
}
