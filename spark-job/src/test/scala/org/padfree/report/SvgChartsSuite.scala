package org.padfree.report

import java.io.StringReader
import javax.xml.parsers.DocumentBuilderFactory

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.report.ReportFixtures.{errorRow, row}
import org.scalatest.funsuite.AnyFunSuite
import org.w3c.dom.{Document, Element}
import org.xml.sax.InputSource

class SvgChartsSuite extends AnyFunSuite {

  /** Parses one chart as a standalone XML document, failing the test with the chart when it is not well-formed. */
  private def parse(svg: String): Document = {
    val factory = DocumentBuilderFactory.newInstance()
    factory.setNamespaceAware(true)
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true)
    try factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)))
    catch { case e: Exception => fail(s"not well-formed XML (${e.getMessage}):\n$svg") }
  }

  private def charts(rows: Seq[BatchResult]): Seq[(String, String)] = Seq(
    SvgCharts.SPEEDUP -> SvgCharts.speedupHistogram(rows.asJava),
    SvgCharts.SAVING_VS_IMBALANCE -> SvgCharts.savingVsImbalance(rows.asJava),
    SvgCharts.THROUGHPUT -> SvgCharts.throughputByShape(ResultAggregator.byShape(rows.asJava)))

  private def checkAccessible(name: String, svg: String): Element = {
    val root = parse(svg).getDocumentElement
    assert(root.getLocalName == "svg" && root.getNamespaceURI == "http://www.w3.org/2000/svg", name)
    assert(root.getAttribute("role") == "img", name)
    assert(root.getAttribute("data-chart") == name)
    assert(root.getAttribute("aria-label").nonEmpty, name)
    val title = root.getElementsByTagNameNS("*", "title").item(0)
    assert(title != null && title.getParentNode == root && title.getTextContent.nonEmpty, name)
    root
  }

  private def elements(root: Element, tag: String): Seq[Element] = {
    val list = root.getElementsByTagNameNS("*", tag)
    (0 until list.getLength).map(list.item(_).asInstanceOf[Element])
  }

  test("no rows: every chart is well-formed, accessible and says there is no data") {
    for ((name, svg) <- charts(Seq.empty)) {
      val root = checkAccessible(name, svg)
      assert(root.getTextContent.contains("No data"), name)
    }
  }

  test("only error rows: no data either") {
    for ((name, svg) <- charts(Seq(errorRow(), errorRow(batchId = "x")))) {
      assert(svg.contains("No data"), name)
    }
  }

  test("one row: one histogram bar, one point, one pair of bars") {
    val Seq(speedup, scatter, throughput) = charts(Seq(row(speedup = 1.0)))
    assert(elements(checkAccessible(speedup._1, speedup._2), "rect").size == 1)
    assert(elements(checkAccessible(scatter._1, scatter._2), "circle").size == 1)
    // two bars and two legend swatches
    assert(elements(checkAccessible(throughput._1, throughput._2), "rect").size == 4)
  }

  test("the histogram counts every measured speedup once and draws a dashed line at 1.0") {
    val speedups = Seq(0.9, 1.1, 1.15, 1.2, 1.7, 2.4, 2.4, 3.0)
    val rows = speedups.map(s => row(speedup = s)) :+ errorRow() :+ row(speedup = Double.NaN)
    val root = checkAccessible(SvgCharts.SPEEDUP, SvgCharts.speedupHistogram(rows.asJava))
    val counted = elements(root, "rect").map(_.getTextContent).map { t =>
      "(\\d+) rows?".r.findFirstMatchIn(t).getOrElse(fail(t)).group(1).toInt
    }
    assert(counted.sum == speedups.size)
    assert(elements(root, "line").exists(_.hasAttribute("stroke-dasharray")))
    assert(root.getAttribute("aria-label").contains("8 rows, median 1.45x"), root.getAttribute("aria-label"))
    assert(!root.getTextContent.contains("NaN"))
  }

  test("the scatter has one colour per distribution, a legend entry each, and skips NaN points") {
    val rows = Seq(row(distribution = "balanced"), row(distribution = "zipf(s=1.2)", loadImbalance = 4.0),
      row(distribution = "zipf(s=1.2)", savedFraction = Double.NaN), row(loadImbalance = Double.NaN))
    val root = checkAccessible(SvgCharts.SAVING_VS_IMBALANCE, SvgCharts.savingVsImbalance(rows.asJava))
    val points = elements(root, "circle")
    assert(points.size == 2)
    assert(points.map(_.getAttribute("fill")).distinct.size == 2)
    val legend = elements(root, "text").map(_.getTextContent)
    assert(legend.contains("balanced") && legend.contains("zipf(s=1.2)"))
  }

  test("more than MAX_POINTS rows are thinned, and the chart says so") {
    val rows = (0 to SvgCharts.MAX_POINTS).map(i => row(batchId = s"b$i", loadImbalance = 1 + i % 7))
    val root = checkAccessible(SvgCharts.SAVING_VS_IMBALANCE, SvgCharts.savingVsImbalance(rows.asJava))
    assert(elements(root, "circle").size == (SvgCharts.MAX_POINTS + 2) / 2)
    assert(root.getAttribute("aria-label").contains("one row in 2 drawn"))
  }

  test("throughput bars: padded path and padding-free per shape, n/a for a missing figure") {
    val shapes = java.util.List.of(
      new GroupSummary("m", "down", "*", 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 2.0, 1.0),
      new GroupSummary("m", "gate_up", "*", 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, Double.NaN, 0.5))
    val root = checkAccessible(SvgCharts.THROUGHPUT, SvgCharts.throughputByShape(shapes))
    val bars = elements(root, "rect").filter(_.getTextContent.contains("TFLOP/s"))
    assert(bars.map(_.getTextContent) == Seq("m down, padded path: 1.00 TFLOP/s",
      "m down, padding-free: 2.00 TFLOP/s", "m gate_up, padded path: 0.500 TFLOP/s"))
    assert(elements(root, "text").exists(_.getTextContent == "n/a"))
  }

  test("hostile text in batch ids and distributions keeps every chart well-formed") {
    val hostile = "<script>alert(1)</script> & ]]> \u0001 \"'"
    val rows = Seq(row(batchId = hostile, distribution = hostile), row(model = hostile, gemm = hostile))
    for ((name, svg) <- charts(rows)) {
      checkAccessible(name, svg)
      assert(!svg.contains("<script>"), name)
    }
  }

  test("layer time bars: padded and padding-free layer per model total, the speedup and backend under it; no data without times") {
    def summary(model: String, distribution: String, padded: Double, free: Double) =
      new LayerSummary(model, distribution, 2, 0, 0, 1.0, padded, free, padded / free, padded / free, padded / free,
        3000, 2000, 1.0 / 3, 1.0 / 3, 1000, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 3e-4, 2e-3, "cpu")
    val summaries = java.util.List.of(summary("deepseek-v3", "balanced", 9.0, 4.0), summary("deepseek-v3", "*", 12.0, 5.0),
      summary("qwen3-30b-a3b", "*", 3.0, 2.5), summary("*", "*", 7.5, 3.75))
    val root = checkAccessible(SvgCharts.LAYER_TIME, SvgCharts.layerTimes(summaries))
    val bars = elements(root, "rect").filter(_.getTextContent.contains(" ms"))
    assert(bars.map(_.getTextContent) == Seq("deepseek-v3 layer, padded layer: 12.0 ms",
      "deepseek-v3 layer, padding-free layer: 5.00 ms", "qwen3-30b-a3b layer, padded layer: 3.00 ms",
      "qwen3-30b-a3b layer, padding-free layer: 2.50 ms"), "one pair per model total; distributions and the run total left out")
    val labels = elements(root, "text").map(_.getTextContent)
    assert(labels.contains("2.40x on cpu") && labels.contains("1.20x on cpu"), labels)
    val none = checkAccessible(SvgCharts.LAYER_TIME, SvgCharts.layerTimes(java.util.List.of(
      summary("m", "*", Double.NaN, Double.NaN))))
    assert(none.getAttribute("aria-label").contains("No data"))
  }
}
