package org.padfree.sweep

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}
import scala.jdk.CollectionConverters._
import org.apache.commons.csv.{CSVFormat, QuoteMode}
import org.padfree.InvalidInputException
import org.padfree.table.RecordCsv
import org.scalatest.funsuite.AnyFunSuite
import SweepFixtures._

/**
 * points.csv as people keep it for a pinned baseline: saved again by a spreadsheet (byte order mark,
 * CRLF line ends, every field quoted), or edited by hand. It must read back to the same rows, and a
 * bad value must still be reported by column, value and the line an editor shows.
 */
class PointsCsvSuite extends AnyFunSuite {
  private val codec = new RecordCsv(classOf[PointResult], PointResult.ADDED_LATER)
  private val rows = Seq(
    point(distribution = "zipf(s=1.2,empty=4)", failures = 1, failure = "a, \"quoted\" reason", tflops = Double.NaN),
    point(gemm = "gate_up", failure = ""))

  /** The records of `csv` as a spreadsheet saves them: UTF-8 with a BOM, CRLF, every field quoted. */
  private def asSpreadsheetSaves(csv: String): String = {
    val excel = CSVFormat.EXCEL.builder().setQuoteMode(QuoteMode.ALL).get()
    "\uFEFF" + RecordCsv.parse(csv, "points.csv").asScala.map(r => excel.format(r.asScala.toSeq: _*) + "\r\n").mkString
  }

  private def file(name: String, text: String): Path = {
    val f = tempDir("points-csv").resolve(name)
    Files.write(f, text.getBytes(UTF_8))
    f
  }

  test("a points.csv saved by a spreadsheet (BOM, CRLF, quoted fields) reads back to the same rows") {
    val saved = asSpreadsheetSaves(codec.write(rows.asJava))
    assert(saved.startsWith("\uFEFF\"run_id\",") && saved.contains("\"\r\n\""), "the file really has a BOM and CRLF")
    val f = file("points.csv", saved)
    assert(SweepReportWriter.readPointsCsv(f).asScala == rows)
    assert(Baselines.load(f.toString, new HistoryTable(tempDir("history"))).asScala == rows)
  }

  test("a quoted field holding a comma (typed by hand) is one value") {
    val written = codec.write(rows.asJava)
    assert(written.contains(",\"zipf(s=1.2,empty=4)\",") && written.contains(",\"a, \"\"quoted\"\" reason\","), written)
    val edited = written.replace("H200 on host-a", "\"H200, host-a\"")
    val back = SweepReportWriter.readPointsCsv(file("edited.csv", edited)).asScala
    assert(back.map(_.hardware) == Seq("H200, host-a", "H200, host-a"))
    assert(back.map(_.distribution) == rows.map(_.distribution) && back.head.failure == "a, \"quoted\" reason")
  }

  test("a bad value in a spreadsheet's file names the column, the value and the line, counting multi-line fields and blank lines") {
    val twoLines = point(failure = "first line\nsecond line")
    val bad = asSpreadsheetSaves(codec.write(Seq(twoLines).asJava)) + "\r\n" +
      asSpreadsheetSaves(codec.write(Seq(point(tokens = 512)).asJava)).replace("\"512\"", "\"many\"").linesIterator.drop(1).next()
    // line 1 the header, lines 2-3 the first row, line 4 blank, line 5 the bad row
    val e = intercept[InvalidInputException](SweepReportWriter.readPointsCsv(file("bad.csv", bad)))
    assert(e.field == "tokens" && e.value == "many" && e.getMessage.contains("at line 5 of"), e.getMessage)
  }

  test("a quote never closed is an error naming the file") {
    val header = codec.write(Seq.empty[PointResult].asJava)
    val f = file("open-quote.csv", header + "r1,\"s\n")
    val e = intercept[InvalidInputException](SweepReportWriter.readPointsCsv(f))
    assert(e.field == "file" && e.getMessage.contains("not valid CSV"), e.getMessage)
  }
}
