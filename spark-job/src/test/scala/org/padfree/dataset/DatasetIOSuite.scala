package org.padfree.dataset

import java.nio.file.Files

import scala.jdk.CollectionConverters._

import org.apache.spark.sql.Row
import org.apache.spark.sql.catalyst.expressions.{GenericInternalRow, GenericRowWithSchema}
import org.apache.spark.sql.catalyst.util.GenericArrayData
import org.apache.spark.unsafe.types.UTF8String
import org.padfree.{InvalidInputException, LocalSparkSuite}
import org.padfree.routing.{RoutedBatch, RoutingDistribution, RoutingGenerator}
import org.scalatest.funsuite.AnyFunSuite

class DatasetIOSuite extends AnyFunSuite with LocalSparkSuite {

  private def generated(id: String, text: String, experts: Int, topK: Int, tokens: Int, seed: Long) =
    RoutingGenerator.generate(id, "toy", RoutingDistribution.parse(text), experts, topK, tokens, seed)

  private val batches = Seq(
    generated("b0", "balanced", 8, 2, 33, 1),
    generated("b1", "zipf(s=1.2,empty=2)", 16, 4, 100, 2),
    generated("b2", "lognormal(sigma=1.0)", 128, 8, 64, 3),
    generated("b3", "uniform30", 4, 1, 0, 4))

  test("a row converts back to the same batch, without Spark") {
    for (b <- batches) assert(DatasetSchema.fromRow(DatasetSchema.toRow(b)) == b, b.toString)
  }

  test("write then read gives the same batches, sorted by batch id") {
    val out = tempDir("dataset").resolve("batches.parquet").toString
    DatasetIO.write(spark, batches.reverse.asJava, out, false)
    assert(DatasetIO.readBatches(spark, out).asScala == batches)
    assert(DatasetIO.read(spark, out).schema.fieldNames.toSeq == DatasetSchema.columnNames().asScala)
  }

  test("an existing target is an error unless overwrite, which replaces it and leaves no temporaries") {
    val parent = tempDir("dataset")
    val out = parent.resolve("batches.parquet").toString
    DatasetIO.write(spark, batches.take(1).asJava, out, false)
    val e = intercept[InvalidInputException](DatasetIO.write(spark, batches.asJava, out, false))
    assert(e.field() == "out" && e.getMessage.contains("already exists"), e.getMessage)
    DatasetIO.write(spark, batches.asJava, out, true)
    assert(DatasetIO.readBatches(spark, out).size == batches.size)
    assert(Files.list(parent).iterator().asScala.map(_.getFileName.toString).toSeq == Seq("batches.parquet"))
  }

  test("overwrite replaces only a dataset folder: a user's folder, a parent of other data or a file is refused") {
    val parent = tempDir("not-a-dataset")
    val home = Files.createDirectories(parent.resolve("home"))
    Files.writeString(home.resolve("thesis.tex"), "years of work")
    val e = intercept[InvalidInputException](DatasetIO.write(spark, batches.asJava, home.toString, true))
    assert(e.getMessage.contains("the file thesis.tex") && e.getMessage.contains("refusing to replace"), e.getMessage)
    val reports = Files.createDirectories(parent.resolve("reports"))
    Files.createDirectories(reports.resolve("run-1"))
    val e2 = intercept[InvalidInputException](DatasetIO.write(spark, batches.asJava, reports.toString, true))
    assert(e2.getMessage.contains("the folder run-1"), e2.getMessage)
    val file = Files.writeString(parent.resolve("notes.txt"), "keep")
    val e3 = intercept[InvalidInputException](DatasetIO.write(spark, batches.asJava, file.toString, true))
    assert(e3.getMessage.contains("is a file"), e3.getMessage)
    assert(Files.readString(home.resolve("thesis.tex")) == "years of work" && Files.isDirectory(reports.resolve("run-1")))
    assert(Files.readString(file) == "keep")
    assert(Files.list(parent).iterator().asScala.map(_.getFileName.toString).toSet == Set("home", "reports", "notes.txt"),
      "no temporaries left")
  }

  test("a dataset missing columns is an error listing every missing column") {
    val out = tempDir("dataset").resolve("partial.parquet").toString
    spark.createDataFrame(batches.map(DatasetSchema.toRow).asJava, DatasetSchema.SCHEMA)
      .drop("seed", "top_k").write.parquet(out)
    val e = intercept[InvalidInputException](DatasetIO.read(spark, out))
    assert(e.field() == "columns" && e.value() == "[top_k, seed]", e.getMessage)
  }

  test("a column of the wrong type is named with its type") {
    val out = tempDir("dataset").resolve("typed.parquet").toString
    spark.createDataFrame(batches.map(DatasetSchema.toRow).asJava, DatasetSchema.SCHEMA)
      .withColumn("num_tokens", org.apache.spark.sql.functions.col("num_tokens").cast("string"))
      .write.parquet(out)
    val e = intercept[InvalidInputException](DatasetIO.read(spark, out))
    assert(e.field() == "num_tokens" && e.value() == "string", e.getMessage)
  }

  test("a missing dataset path is named") {
    val path = tempDir("dataset").resolve("nothing-here").toString
    val e = intercept[InvalidInputException](DatasetIO.read(spark, path))
    assert(e.field() == "dataset" && e.value() == path, e.getMessage)
  }

  private def rowWith(column: String, value: Any): Row = {
    val values = DatasetSchema.toRow(batches(1)).toSeq.toArray
    values(DatasetSchema.SCHEMA.fieldIndex(column)) = value
    new GenericRowWithSchema(values, DatasetSchema.SCHEMA)
  }

  test("bad rows are errors naming the column and the batch") {
    val nullModel = intercept[InvalidInputException](DatasetSchema.fromRow(rowWith("model", null)))
    assert(nullModel.field() == "model" && nullModel.getMessage.contains("batch b1"), nullModel.getMessage)
    val shortIds = intercept[InvalidInputException](
      DatasetSchema.fromRow(rowWith("expert_ids", java.util.List.of(1, 2, 3))))
    assert(shortIds.field() == "expert_ids.length" && shortIds.getMessage.contains("batch b1"), shortIds.getMessage)
    val zeroExperts = intercept[InvalidInputException](DatasetSchema.fromRow(rowWith("num_experts", 0)))
    assert(zeroExperts.field() == "num_experts" && zeroExperts.getMessage.contains("batch b1"), zeroExperts.getMessage)
    val nullId = intercept[InvalidInputException](
      DatasetSchema.fromRow(rowWith("expert_ids", java.util.Arrays.asList[Integer](1, null))))
    assert(nullId.field() == "expert_ids[1]" && nullId.getMessage.contains("batch b1"), nullId.getMessage)
    val text = intercept[InvalidInputException](DatasetSchema.fromRow(rowWith("expert_ids", "1,2")))
    assert(text.field() == "expert_ids" && text.getMessage.contains("batch b1"), text.getMessage)
    val outOfRange = DatasetSchema.toRow(batches(1)).toSeq.toArray
    val ids = batches(1).expertIds().clone()
    ids(5) = 16
    outOfRange(7) = ids
    val e = intercept[InvalidInputException](
      DatasetSchema.fromRow(new GenericRowWithSchema(outOfRange, DatasetSchema.SCHEMA)))
    assert(e.field() == "expert_ids[5]" && e.value() == "16" && e.getMessage.contains("batch b1"), e.getMessage)
  }

  test("rows as Spark reads them internally become rows with expert_ids as int[] and the same batches; a null id stays for fromRow to name") {
    val out = tempDir("internal").resolve("batches.parquet").toString
    DatasetIO.write(spark, batches.asJava, out, false)
    val frame = DatasetIO.read(spark, out)
    val schema = frame.schema
    val rows = frame.queryExecution.toRdd.map(r => DatasetSchema.fromInternal(r, schema)).collect().toSeq
    for (row <- rows) {
      assert(row.get(row.fieldIndex("expert_ids")).isInstanceOf[Array[Int]], "ids as int[], not boxed")
      assert(row.schema == schema)
    }
    assert(rows.map(DatasetSchema.fromRow).sortBy(_.batchId) == batches)
    val withNull = DatasetSchema.fromInternal(new GenericInternalRow(Array[Any](UTF8String.fromString("b1"),
      UTF8String.fromString("toy"), UTF8String.fromString("balanced"), 16, 2, 1, 7L, new GenericArrayData(Array[Any](1, null)))),
      DatasetSchema.SCHEMA)
    val e = intercept[InvalidInputException](DatasetSchema.fromRow(withNull))
    assert(e.field() == "expert_ids[1]" && e.getMessage.contains("batch b1"), e.getMessage)
    val nullIds = DatasetSchema.fromInternal(new GenericInternalRow(Array[Any](UTF8String.fromString("b2"),
      UTF8String.fromString("toy"), UTF8String.fromString("balanced"), 16, 2, 1, 7L, null)), DatasetSchema.SCHEMA)
    val n = intercept[InvalidInputException](DatasetSchema.fromRow(nullIds))
    assert(n.field() == "expert_ids" && n.getMessage.contains("batch b2"), n.getMessage)
  }
}
