package org.padfree.report

import java.io.StringReader
import java.nio.file.Files
import javax.xml.parsers.DocumentBuilderFactory

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.results.EvaluationTimings
import org.padfree.report.ReportFixtures.{errorRow, filesIn, row, runInfo, tempDir}
import org.scalatest.funsuite.AnyFunSuite
import org.xml.sax.InputSource
import org.padfree.render.Escaping
import org.padfree.results.RunInfo

class HtmlReportWriterSuite extends AnyFunSuite {

  private val malicious = "<script>alert(1)</script>"

  private def html(rows: Seq[BatchResult], run: RunInfo = null): String = {
    val dir = tempDir("report-html")
    val info = Option(run).getOrElse(runInfo(rows))
    val path = HtmlReportWriter.write(dir, info, ResultAggregator.summarize(rows.asJava), rows.asJava)
    assert(filesIn(dir) == Seq("index.html"), "no temporary file is left")
    Files.readString(path)
  }

  private val rows = Seq(
    row(batchId = "b1", speedup = 1.3),
    row(batchId = "b2", distribution = "zipf(s=1.2)", speedup = 0.95, savedFraction = 0.4, loadImbalance = 3.0),
    row(batchId = "b3", gemm = "gate_up", speedup = Double.NaN, savedFraction = Double.NaN),
    errorRow(batchId = malicious, error = "<img src=x onerror=alert(2)> failed \u0001"))
  private lazy val page = html(rows)

  /** Every {@code <svg ...>...</svg>} of the page, in order. */
  private def svgs(page: String): Seq[String] =
    "(?s)<svg\\b.*?</svg>".r.findAllIn(page).toSeq

  test("the executor table names each executor's GPU and its busy fraction, as report.md does") {
    val gpuRows = Seq(
      row(batchId = "g1", executorId = "0", gpuUuid = "GPU-aaaa", gpuBusyMs = 600.0, taskMs = 1000.0),
      row(batchId = "g2", executorId = "1", gpuUuid = "GPU-bbbb", gpuBusyMs = 300.0, taskMs = 1000.0))
    val page = html(gpuRows)
    assert(page.contains("<h2>Throughput and executors</h2>"))
    assert(page.contains("<td>GPU-aaaa</td>") && page.contains("<td>GPU-bbbb</td>"))
    assert(page.contains("<td class=\"num\">60.0%</td>") && page.contains("<td class=\"num\">30.0%</td>"), page)
    assert(page.contains(Escaping.markup(ExecutorSummary.LEGEND)))
  }

  test("throughput names the evaluation stage's time and the planning time; executors their task span, as report.md does") {
    val gpuRows = Seq(row(batchId = "g1", executorId = "0", gpuUuid = "GPU-aaaa", gpuBusyMs = 600.0, taskMs = 1000.0))
    val timings = new EvaluationTimings(3.0, 0.5, 8.0, 1.0,
      java.util.List.of(new EvaluationTimings.ExecutorSpan("0", 1, 0, 0.0, 7.5, 7.5)))
    val page = html(gpuRows, runInfo(gpuRows, timings = timings))
    assert(page.contains("the evaluation stage took 8.0 s (8.00 tokens/s), reading inputs and planning 3.0 s"), page)
    assert(page.contains("<th scope=\"col\" class=\"num\">task span</th>") && page.contains("<td class=\"num\">7.5 s</td>"))
  }

  test("a complete, self-contained HTML document: inline style, no scripts, no external resources") {
    assert(page.startsWith("<!DOCTYPE html>\n<html lang=\"en\">"))
    assert(page.trim.endsWith("</html>"))
    assert(page.contains("<style>"))
    // Patterns over tags and CSS, not text: the escaped error message legitimately reads "src=x".
    val loads = Seq("(?i)<(script|link|img|iframe|object|embed)\\b", "(?i)<[a-z][^>]*\\s(src|href)\\s*=",
      "(?i)@import", "(?i)url\\(", "(?i)@font-face")
    for (pattern <- loads) {
      assert(pattern.r.findFirstIn(page).isEmpty, s"$pattern matches ${pattern.r.findFirstIn(page)}")
    }
    assert(page.contains("Content-Security-Policy"))
  }

  test("the three charts, found by data-chart, each parse as XML on their own") {
    val charts = svgs(page)
    assert(charts.map(s => "data-chart=\"([^\"]+)\"".r.findFirstMatchIn(s).get.group(1)) ==
      Seq("speedup", "saving-vs-imbalance", "throughput"))
    val factory = DocumentBuilderFactory.newInstance()
    factory.setNamespaceAware(true)
    for (svg <- charts) {
      val root = factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg))).getDocumentElement
      assert(root.getAttribute("role") == "img" && root.getAttribute("aria-label").nonEmpty)
    }
  }

  test("a malicious batch id and error in the failure table are escaped, not markup") {
    assert(!page.contains(malicious))
    assert(page.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>down</td><td>error</td>"))
    assert(page.contains("&lt;img src=x onerror=alert(2)&gt; failed \uFFFD"))
    assert(!page.contains("<img"))
  }

  test("the run facts, the verdict and the caveat notes in a visible box") {
    assert(page.contains("<title>padfree report run-1</title>"))
    assert(page.contains("<p class=\"verdict fail\">1 of 4 result rows failed: 1 error, 0 mismatches.</p>"))
    assert(page.contains("<tr><th scope=\"row\">Spark master</th><td>local[2]</td></tr>"))
    val box = page.substring(page.indexOf("<aside class=\"notes\""), page.indexOf("</aside>"))
    for (note <- RunInfo.cpuCaveats().asScala) {
      assert(box.contains("<li>" + Escaping.markup(note) + "</li>"), note)
    }
    assert(page.indexOf("<aside class=\"notes\"") < page.indexOf("<table"), "notes come before any figure")
  }

  test("the group table has the total row and right-aligned numbers; NaN shows as n/a") {
    assert(page.contains("<tr class=\"total\"><td>all</td><td>all</td><td>all</td><td class=\"num\">4</td>"))
    assert(page.contains("<th scope=\"col\" class=\"num\">speedup p50</th>"))
    assert(page.contains("n/a") && !page.contains("NaN"))
  }

  test("the memory accounting formula") {
    assert(page.contains("<pre>" + Escaping.markup(MemoryAccountingText.FORMULA) + "</pre>"))
  }

  test("no rows: a page with 'No data' charts, no failures, and the verdict") {
    val empty = html(Seq.empty)
    assert(svgs(empty).size == 3 && svgs(empty).forall(_.contains("No data")))
    assert(empty.contains("No failures in 0 result rows.") && empty.contains("<p>None.</p>"))
  }

  test("one row and no notes: three charts with data, no notes box") {
    val one = html(Seq(row()), runInfo(Seq(row()), notes = Seq.empty))
    assert(svgs(one).size == 3 && !svgs(one).exists(_.contains("No data")))
    assert(!one.contains("<aside"))
  }
}
