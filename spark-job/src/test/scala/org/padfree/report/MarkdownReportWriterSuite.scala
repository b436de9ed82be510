package org.padfree.report

import java.nio.file.Files

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.results.EvaluationTimings
import org.padfree.report.ReportFixtures.{errorRow, row, runInfo, tempDir}
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.render.Escaping
import org.padfree.results.RunInfo

class MarkdownReportWriterSuite extends AnyFunSuite {

  private def markdown(rows: Seq[BatchResult], run: RunInfo): String = {
    val dir = tempDir("report-md")
    Files.readString(MarkdownReportWriter.write(dir, run, ResultAggregator.summarize(rows.asJava), rows.asJava))
  }

  private val rows = Seq(
    row(batchId = "b1"),
    row(batchId = "b2", status = BatchResult.MISMATCH, bitIdentical = false, paddedMismatches = 7),
    errorRow(batchId = "<script>alert(1)</script>", error = "bad | pipe\nsecond line"))
  private lazy val text = markdown(rows, runInfo(rows, runId = "run-42"))

  test("title with the run id, then the verdict") {
    assert(text.startsWith("# padfree evaluation report: run-42\n\n2 of 3 result rows failed: 1 error, 1 mismatch."))
  }

  test("the caveat notes are a blockquote before the first table") {
    val firstTable = text.indexOf("\n|")
    for (note <- RunInfo.cpuCaveats().asScala) {
      val at = text.indexOf("> - " + Escaping.markdownInline(note))
      assert(at >= 0 && at < firstTable, note)
    }
  }

  test("the run table names backend, devices, master, executors, rows, errors, mismatches and wall time") {
    for (line <- Seq("| backend | cpu (requested: auto) |", "| device(s) | CPU reference: 2 threads |",
        "| Spark master | local\\[2\\] |", "| executors | 2: 0, 1 |", "| input batches | 3 |",
        "| result rows | 3 |", "| errors | 1 |", "| mismatches | 1 |", "| wall time | 12.5 s |")) {
      assert(text.contains(line), line)
    }
  }

  test("throughput and executors: the evaluation stage's time, the planning time and each executor's task span") {
    val measured = Seq(row(batchId = "b1", executorId = "1", numTokens = 90))
    val timings = new EvaluationTimings(4.1, 1.0, 30.2, 2.3,
      java.util.List.of(new EvaluationTimings.ExecutorSpan("1", 4, 0, 0.0, 29.0, 25.4)))
    val md = markdown(measured, runInfo(measured, timings = timings))
    assert(md.contains("; of that, the evaluation stage took 30.2 s (2.98 tokens/s), reading inputs and planning 4.1 s,"
      + " placing inputs 1.0 s and collecting results 2.3 s (compare runs"), md)
    assert(md.contains("| task time | task span | backend time |") && md.contains("| 29.0 s |"), md)
  }

  test("the group table has a right-aligned column per figure and the total row in bold") {
    assert(text.contains(
      "| model | GEMM | distribution | rows | errors | mismatches | bit-identical | speedup p50 |"))
    assert(text.contains("| --- | --- | --- | ---: |"))
    assert(text.contains("| **all** | **all** | **all** | **3** | **1** | **1** |"), text)
  }

  test("failures: batch id, GEMM, status and reason, escaped, each on one line") {
    assert(text.contains("| b2 | down | mismatch | 7 elements differ between padded and padding-free |"))
    assert(text.contains("| &lt;script&gt;alert(1)&lt;/script&gt; | down | error | bad \\| pipe second line |"), text)
    assert(!text.contains("<script>"))
  }

  test("at most 50 failures are listed, then how many more") {
    val many = (0 until 53).map(i => errorRow(batchId = f"e$i%02d"))
    val md = markdown(many, runInfo(many))
    assert(md.contains("| e49 |") && !md.contains("| e50 |"))
    assert(md.contains("and 3 more (all are in results.parquet)."))
  }

  test("no failures and no notes: says so and prints no empty blockquote") {
    val md = markdown(Seq(row()), runInfo(Seq(row()), notes = Seq.empty))
    assert(md.contains("## Failures\n\nNone.") && !md.contains("> "))
  }

  test("the memory accounting definition with its formula in a code block") {
    assert(text.contains("## Memory accounting\n\n" + MemoryAccountingText.LEAD + "\n\n```\n" +
      MemoryAccountingText.FORMULA + "\n```\n\n" + MemoryAccountingText.DIFFERENCE))
  }
}
