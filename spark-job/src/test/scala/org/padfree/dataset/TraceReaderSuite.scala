package org.padfree.dataset

import java.nio.file.Files

import scala.jdk.CollectionConverters._

import org.apache.spark.sql.{DataFrame, Row}
import org.apache.spark.sql.types.{DataTypes, StructType}
import org.padfree.{InvalidInputException, LocalSparkSuite}
import org.padfree.model.ModelShape
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

class TraceReaderSuite extends AnyFunSuite with LocalSparkSuite {

  private val toy = new ModelShape("toy", 8, 2, 64, 32, 1)

  // Two batches in the tokens form; token ids are sparse and rows out of order on purpose.
  private val tokenRows = Seq(
    ("a", 10L, 3), ("a", 10L, 1), ("a", 7L, 0), ("a", 7L, 5), ("a", 99L, 1), ("a", 99L, 2),
    ("b", 0L, 7), ("b", 0L, 6))
  private val countRows = Seq(("a", 1, 2), ("a", 3, 1), ("a", 0, 1), ("a", 5, 2), ("b", 7, 4), ("b", 6, 4))

  private def csv(name: String, header: String, rows: Seq[Product]): String = {
    val file = tempDir("trace").resolve(name)
    val lines = header +: rows.map(_.productIterator.mkString(","))
    Files.writeString(file, lines.mkString("", "\n", "\n"))
    file.toString
  }

  private def parquet(name: String, frame: DataFrame): String = {
    val path = tempDir("trace").resolve(name).toString
    frame.write.parquet(path)
    path
  }

  private def tokensFrame(rows: Seq[(String, Long, Int)]): DataFrame =
    spark.createDataFrame(rows.map { case (b, t, e) => Row(b, t, e) }.asJava, new StructType()
      .add("batch_id", DataTypes.StringType).add("token", DataTypes.LongType).add("expert", DataTypes.IntegerType))

  private def countsFrame(rows: Seq[(String, Int, Int)]): DataFrame =
    spark.createDataFrame(rows.map { case (b, e, c) => Row(b, e, c) }.asJava, new StructType()
      .add("batch_id", DataTypes.StringType).add("expert", DataTypes.IntegerType).add("count", DataTypes.IntegerType))

  private def read(path: String, format: String = null, seed: Long = 5): Seq[RoutedBatch] =
    TraceReader.read(spark, path, format, toy, seed).asScala.toSeq

  /** Tokens renumbered by ascending id (7, 10, 99 -> 0, 1, 2), experts ascending within a token. */
  private def expectedFromTokens(seed: Long): Seq[RoutedBatch] = {
    val seeds = new java.util.SplittableRandom(seed)
    Seq(
      new RoutedBatch("a", "toy", "trace", 8, 2, 3, Array(0, 5, 1, 3, 1, 2), seeds.nextLong()),
      new RoutedBatch("b", "toy", "trace", 8, 2, 1, Array(6, 7), seeds.nextLong()))
  }

  private def expectedFromCounts(seed: Long): Seq[RoutedBatch] = {
    val seeds = new java.util.SplittableRandom(seed)
    Seq(
      RoutedBatch.fromCounts("a", "toy", "trace", 2, Array(1, 2, 0, 1, 0, 2, 0, 0), seeds.nextLong()),
      RoutedBatch.fromCounts("b", "toy", "trace", 2, Array(0, 0, 0, 0, 0, 0, 4, 4), seeds.nextLong()))
  }

  test("tokens form from CSV") {
    assert(read(csv("t.csv", "batch_id,token,expert", tokenRows)) == expectedFromTokens(5))
  }

  test("tokens form from Parquet") {
    assert(read(parquet("t.parquet", tokensFrame(tokenRows))) == expectedFromTokens(5))
  }

  test("counts form from CSV, experts without a row count 0, top_k from the model") {
    val batches = read(csv("c.csv", "batch_id,expert,count", countRows))
    assert(batches == expectedFromCounts(5))
    assert(batches.map(_.numTokens()) == Seq(3, 4))
  }

  test("counts form from Parquet") {
    assert(read(parquet("c.parquet", countsFrame(countRows))) == expectedFromCounts(5))
  }

  test("column names ignore case; an explicit format overrides the extension; the seed is used") {
    val path = csv("trace.txt", "Batch_ID,Token,EXPERT", tokenRows)
    assert(read(path, format = "CSV", seed = 9) == expectedFromTokens(9))
    val e = intercept[InvalidInputException](read(path))
    assert(e.field() == "trace" && e.value() == path, e.getMessage)
    assert(intercept[InvalidInputException](read(path, format = "json")).field() == "format")
  }

  private def rejected(path: String, field: String, value: String, parts: String*): Unit = {
    val e = intercept[InvalidInputException](read(path))
    assert(e.field() == field && e.value() == value, e.getMessage)
    for (part <- parts) assert(e.getMessage.contains(part), s"'$part' not in: ${e.getMessage}")
  }

  test("an expert out of range is named with its batch, in both forms") {
    rejected(csv("t.csv", "batch_id,token,expert", tokenRows :+ (("b", 1L, 8))), "expert", "8",
      "[0, 8)", "batch b", "toy")
    rejected(parquet("c.parquet", countsFrame(countRows :+ (("a", -1, 1)))), "expert", "-1", "batch a")
  }

  test("a negative count is named with its expert and batch") {
    rejected(csv("c.csv", "batch_id,expert,count", countRows :+ (("b", 2, -3))), "count", "-3",
      "expert 2", "batch b")
  }

  test("counts that do not fit top_k are named with the batch") {
    rejected(csv("c.csv", "batch_id,expert,count", Seq(("a", 1, 3))), "expert_counts", "sum 3", "batch a")
    rejected(csv("c2.csv", "batch_id,expert,count", Seq(("a", 1, 3), ("a", 2, 1))), "expert_counts[1]", "3",
      "batch a")
  }

  test("missing columns are listed for both forms; both forms at once is ambiguous") {
    val e = intercept[InvalidInputException](read(csv("x.csv", "batch_id,expert", Seq(("a", 1)))))
    assert(e.field() == "columns" && e.value() == "[batch_id, expert]", e.getMessage)
    assert(e.getMessage.contains("missing [token]") && e.getMessage.contains("missing [count]"), e.getMessage)
    val both = intercept[InvalidInputException](read(csv("y.csv", "batch_id,token,expert,count", Seq(("a", 0, 1, 1)))))
    assert(both.field() == "columns" && both.getMessage.contains("both"), both.getMessage)
  }

  test("a token with a different number of experts is an inconsistent top_k") {
    rejected(csv("t.csv", "batch_id,token,expert", tokenRows :+ (("a", 99L, 4))), "top_k", "3",
      "token 99 has 3", "token 7 has 2", "batch a")
  }

  test("a token listing an expert twice is named") {
    rejected(csv("t2.csv", "batch_id,token,expert", Seq(("a", 0L, 1), ("a", 0L, 1))), "expert", "1",
      "token 0 lists this expert twice", "batch a")
  }

  test("non-integer, missing and fractional values are named") {
    rejected(csv("t.csv", "batch_id,token,expert", tokenRows :+ (("b", 1L, "x1"))), "expert", "x1",
      "not an integer", "batch b")
    rejected(csv("t2.csv", "batch_id,token,expert", tokenRows :+ (("b", "", 1))), "token", "null", "missing", "batch b")
    rejected(csv("t3.csv", "batch_id,token,expert", tokenRows :+ (("", 1L, 1))), "batch_id", "null", "missing")
    val doubles = spark.createDataFrame(Seq(Row("a", 0L, 1.5)).asJava, new StructType()
      .add("batch_id", DataTypes.StringType).add("token", DataTypes.LongType).add("expert", DataTypes.DoubleType))
    rejected(parquet("d.parquet", doubles), "expert", "double", "must hold integers")
  }

  test("a missing path and an empty trace are named") {
    val nowhere = tempDir("trace").resolve("none.csv").toString
    rejected(nowhere, "trace", nowhere, "does not exist")
    val empty = csv("empty.csv", "batch_id,token,expert", Nil)
    rejected(empty, "trace", empty, "no rows")
  }

  test("form detection from a schema alone") {
    val tokens = new StructType().add("batch_id", "string").add("token", "long").add("expert", "int").add("x", "int")
    assert(TraceReader.detectForm(tokens, "s") == TraceReader.Form.TOKENS)
    val counts = new StructType().add("BATCH_ID", "string").add("Expert", "int").add("count", "int")
    assert(TraceReader.detectForm(counts, "s") == TraceReader.Form.COUNTS)
  }

  test("format from the extension") {
    assert(TraceReader.Format.of(null, "/x/trace.parquet/") == TraceReader.Format.PARQUET)
    assert(TraceReader.Format.of("", "/x/trace.CSV") == TraceReader.Format.CSV)
    assert(TraceReader.Format.of(" ", "/x/trace.csv.gz") == TraceReader.Format.CSV)
  }

}
