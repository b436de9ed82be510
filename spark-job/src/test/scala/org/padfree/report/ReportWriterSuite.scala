package org.padfree.report

import java.nio.file.Files

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.report.ReportFixtures.{errorRow, filesIn, row, runInfo, tempDir}
import org.scalatest.funsuite.AnyFunSuite

class ReportWriterSuite extends AnyFunSuite {

  private val reports = Seq("index.html", "report.md", "summary.csv", "summary.json")

  private def writeAll(rows: Seq[BatchResult]) = {
    val dir = tempDir("reports").resolve("run-1")
    (dir, ReportWriter.writeAll(dir, runInfo(rows), rows.asJava).asScala.toSeq)
  }

  test("writes the four reports into a new directory and returns their paths") {
    val (dir, written) = writeAll(Seq(row(), errorRow()))
    assert(written.map(_.getFileName.toString) == Seq("summary.json", "summary.csv", "report.md", "index.html"))
    assert(written.forall(p => p.getParent == dir && Files.size(p) > 0))
    assert(filesIn(dir) == reports, "nothing but the reports: no temporary files")
  }

  test("writing again replaces the reports in place and leaves no temporary files") {
    val (dir, _) = writeAll(Seq(row()))
    val before = Files.readString(dir.resolve("summary.csv"))
    val again = Seq(row(), row(batchId = "b1", model = "other"))
    ReportWriter.writeAll(dir, runInfo(again), again.asJava)
    assert(filesIn(dir) == reports)
    assert(Files.readString(dir.resolve("summary.csv")) != before)
    assert(Files.readString(dir.resolve("summary.csv")).contains("\r\nother,down,balanced,1,"))
  }

  test("0 rows and 1 row produce every report") {
    for (rows <- Seq(Seq.empty[BatchResult], Seq(row()))) {
      val (dir, written) = writeAll(rows)
      assert(written.size == 4 && filesIn(dir) == reports, s"${rows.size} rows")
    }
  }
}
