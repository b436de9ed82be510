package org.padfree.sweep

import java.nio.file.Files
import scala.jdk.CollectionConverters._
import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite
import SweepFixtures._
import org.padfree.table.RecordCsv
import org.padfree.table.RecordFields

class HistoryTableSuite extends AnyFunSuite {

  private def partitions(history: HistoryTable): Seq[String] = {
    val stream = Files.walk(history.root)
    try stream.iterator().asScala.filter(_.getFileName.toString.endsWith(".parquet"))
      .map(p => history.root.relativize(p).toString).toSeq.sorted
    finally stream.close()
  }

  test("rows round-trip through the date=/run= partitions, NaN and empty strings included") {
    val history = new HistoryTable(tempDir("history"))
    val rows = Seq(point(), point(gemm = "gate_up", tflops = Double.NaN, failures = 1, failure = "error: boom"))
    val dir = history.write("2026-11-01", "r1", rows.asJava)
    assert(dir.endsWith("date=2026-11-01/run=r1"))
    assert(partitions(history) == Seq("date=2026-11-01/run=r1/points.parquet"))
    val back = history.run("r1").rows.asScala
    assert(back.size == 2 && back.head == rows.head)
    assert(back(1).paddingFreeTflops.isNaN && back(1).failure == "error: boom")
  }

  test("re-running a run id replaces its partition, also under another date: no duplicate rows") {
    val history = new HistoryTable(tempDir("rerun"))
    history.write("2026-11-01", "nightly-1", Seq(point(runId = "nightly-1"), point(runId = "nightly-1", gemm = "gate_up")).asJava)
    history.write("2026-11-01", "nightly-2", Seq(point(runId = "nightly-2")).asJava)
    // the same run id again the next day (a retried nightly job), with one row changed
    history.write("2026-11-02", "nightly-1",
      Seq(point(runId = "nightly-1", tflops = 480), point(runId = "nightly-1", gemm = "gate_up")).asJava)
    assert(partitions(history) == Seq("date=2026-11-01/run=nightly-2/points.parquet",
      "date=2026-11-02/run=nightly-1/points.parquet"))
    val runs = history.runs.asScala
    assert(runs.map(_.runId).sorted == Seq("nightly-1", "nightly-2"))
    val rerun = history.run("nightly-1")
    assert(rerun.rows.size == 2 && rerun.date == "2026-11-02" && rerun.rows.asScala.exists(_.paddingFreeTflops == 480))
    assert(runs.flatMap(_.rows.asScala).size == 3, "each run's rows exactly once")
    val hidden = Files.list(history.root).iterator().asScala.map(_.getFileName.toString).filter(_.startsWith(".")).toSeq
    assert(hidden == Seq(".lock"), s"no staging or trash folders left behind: $hidden")
  }

  test("baselines: run:<id> from the history, points.csv (edited by hand) and .parquet files; bad ones named") {
    val dir = tempDir("baseline")
    val history = new HistoryTable(dir.resolve("history"))
    val rows = Seq(point(distribution = "zipf(s=1.2,empty=4)", failure = "a, \"quoted\" reason"), point(gemm = "gate_up"))
    history.write("2026-11-01", "good", rows.asJava)
    assert(Baselines.load("run:good", history).asScala == rows)
    val csv = dir.resolve("points.csv")
    Files.writeString(csv, new RecordCsv(classOf[PointResult]).write(rows.asJava))
    assert(Baselines.load(csv.toString, history).asScala == rows)
    assert(Baselines.load(dir.toString, history).asScala == rows, "a report folder holding points.csv")
    val parquet = Files.list(dir.resolve("history/date=2026-11-01/run=good")).findFirst().get
    assert(Baselines.load(parquet.toString, history).asScala == rows)
    val missingRun = intercept[InvalidInputException](Baselines.load("run:nope", history))
    assert(missingRun.field == "baseline" && missingRun.getMessage.contains("runs there: [good]"))
    val noFile = intercept[InvalidInputException](Baselines.load(dir.resolve("nope.csv").toString, history))
    assert(noFile.field == "baseline")
    val bad = dir.resolve("bad.csv")
    Files.writeString(bad, Files.readString(csv).replace(",256,", ",many,"))
    val badValue = intercept[InvalidInputException](Baselines.load(bad.toString, history))
    assert(badValue.field == "tokens" && badValue.value == "many" && badValue.getMessage.contains("line 2"), badValue.getMessage)
  }
  test("history files and points.csv written before the Spark application columns still read: those columns read empty") {
    val p = point()
    val fields = new RecordFields(classOf[PointResult])
    val kept = (0 until fields.size).filterNot(i => PointResult.ADDED_LATER.contains(fields.names.get(i)))
    assert(kept.size == fields.size - 2)
    val expectedValues = (0 until fields.size).map(i => if (kept.contains(i)) fields.valueAt(p, i) else "").toArray[Object]
    val expected = fields.create(expectedValues)

    // an old history file: the same schema without the two columns
    val b = org.apache.parquet.schema.Types.buildMessage()
    import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName._
    import org.apache.parquet.schema.LogicalTypeAnnotation.stringType
    for (i <- kept) {
      val name = fields.names.get(i)
      fields.typeAt(i) match {
        case c if c == classOf[String] => b.optional(BINARY).as(stringType()).named(name)
        case c if c == classOf[Int] => b.required(INT32).named(name)
        case c if c == classOf[Long] => b.required(INT64).named(name)
        case c if c == classOf[Double] => b.required(DOUBLE).named(name)
        case _ => b.required(BOOLEAN).named(name)
      }
    }
    val schema = b.named("padfree_sweep_point")
    val file = tempDir("old-history").resolve("points.parquet")
    val writer = org.apache.parquet.hadoop.example.ExampleParquetWriter
      .builder(new org.apache.hadoop.fs.Path(file.toUri)).withType(schema).build()
    try {
      val g = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema).newGroup()
      for (i <- kept) {
        val name = fields.names.get(i)
        fields.valueAt(p, i) match {
          case v: String => g.append(name, v)
          case v: java.lang.Integer => g.append(name, v.intValue)
          case v: java.lang.Long => g.append(name, v.longValue)
          case v: java.lang.Double => g.append(name, v.doubleValue)
          case v: java.lang.Boolean => g.append(name, v.booleanValue)
        }
      }
      writer.write(g)
    } finally writer.close()
    assert(HistoryTable.readFile(file).asScala == Seq(expected))

    // an old points.csv: the same columns dropped from the header and the rows
    val lines = RecordCsv.parse(new RecordCsv(classOf[PointResult]).write(Seq(p).asJava), "points.csv").asScala
      .filter(l => !(l.size == 1 && l.get(0).isEmpty))
    def withColumns(columns: Seq[Int]): String = org.padfree.CsvText.write(columns.map(lines.head.get(_)).asJava,
      lines.tail.map(l => columns.map(l.get(_)).asJava).asJava, org.padfree.CsvText.CRLF)
    val csvFile = tempDir("old-points").resolve("points.csv")
    Files.writeString(csvFile, withColumns(kept))
    assert(SweepReportWriter.readPointsCsv(csvFile).asScala == Seq(expected))

    // but a column that was always there is still required
    val noModel = kept.filterNot(i => fields.names.get(i) == "model")
    Files.writeString(csvFile, withColumns(noModel))
    assert(intercept[InvalidInputException](SweepReportWriter.readPointsCsv(csvFile)).getMessage.contains("model"))
  }
}
