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
  test("history files and points.csv written before the Spark application and layer columns still read: those columns read as not recorded") {
    val p = point()
    val fields = new RecordFields(classOf[PointResult])
    val kept = (0 until fields.size).filterNot(i => PointResult.ADDED_LATER.contains(fields.names.get(i)))
    assert(kept.size == fields.size - 11, "2 Spark application columns, 9 layer columns")
    val expectedValues = (0 until fields.size).map(i => if (kept.contains(i)) fields.valueAt(p, i) else fields.absentValue(i))
      .toArray[Object]
    val expected = fields.create(expectedValues)
    assert(expected.sparkApplicationId == "" && expected.layerSpeedup.isNaN && expected.layerBitIdentical == 0)

    // an old history file: the same schema without those columns
    val file = tempDir("old-history").resolve("points.parquet")
    writeOldParquet(Seq(p), PointResult.ADDED_LATER.asScala.toSet, file)
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

  test("a run with layer rows round-trips; an older run without layer columns loads beside it and is compared without error") {
    val dir = tempDir("layer-history")
    val history = new HistoryTable(dir)
    // last night's run, written by a padfree without layers: GEMM rows only, and no layer columns in the file
    val old = Seq(point(runId = "old", gemm = "gate_up"), point(runId = "old", gemm = "down"))
    writeOldParquet(old, Set("layer_bit_identical", "layer_error_passed", "padded_layer_ms", "padding_free_layer_ms",
      "layer_speedup", "padded_layer_peak_bytes", "padding_free_layer_peak_bytes", "layer_saved_fraction",
      "layer_error_max"), dir.resolve("date=2026-11-01/run=old/points.parquet"))
    val now = Seq(point(runId = "new", startedAt = "2026-11-02T02:00:00Z", gemm = "gate_up"),
      point(runId = "new", startedAt = "2026-11-02T02:00:00Z", gemm = "down"),
      layerPoint(runId = "new", startedAt = "2026-11-02T02:00:00Z", paddedMs = 2.0, paddingFreeMs = 1.6))
    history.write("2026-11-02", "new", now.asJava)

    val runs = history.runs.asScala
    assert(runs.map(_.runId) == Seq("old", "new"))
    assert(runs.last.rows.asScala == now, "layer columns round-trip")
    val layer = runs.last.rows.asScala.find(_.isLayer).get
    assert(layer.layerSpeedup == 1.25 && layer.paddedLayerPeakBytes == 3000L && layer.layerBitIdentical == 3)
    assert(runs.head.rows.asScala.forall(r => !r.isLayer && r.layerSpeedup.isNaN && r.paddedLayerPeakBytes == 0L))

    val findings = TrendCheck.check(now.asJava, runs.head.rows, null, RegressionPolicy.DEFAULT).asScala
    assert(TrendCheck.regressions(findings.asJava).isEmpty)
    val layerFindings = findings.filter(_.pointKey == layer.pointKey)
    assert(layerFindings.map(_.note) == Seq("new point: not in the previous run"), layerFindings)
    assert(findings.filter(!_.pointKey.endsWith("/layer")).map(_.metric).toSet == RegressionPolicy.GEMM_METRICS.asScala.toSet,
      "GEMM rows are compared on the GEMM metrics only")
    val trend = RunTrend.of(runs.asJava, "s", 10).asScala
    assert(trend.head.medianLayerSpeedup.isNaN && trend.last.medianLayerSpeedup == 1.25)
    assert(trend.last.medianSpeedup == 1.2, "the GEMM medians leave the layer row out")
  }
}
