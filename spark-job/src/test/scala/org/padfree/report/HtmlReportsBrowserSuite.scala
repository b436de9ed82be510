package org.padfree.report

import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.padfree.capacity.{CapacityReportWriter, CapacitySpec}
import org.padfree.jobs.CapacityStudy
import org.padfree.sweep._
import org.scalatest.funsuite.AnyFunSuite

/**
 * The three HTML reports in a real browser: no console errors, every chart rendered with a nonzero
 * size, a screenshot of each under target/browser/. Cancels (never passes) where no Chromium is
 * installed; Debian's `chromium` package is enough.
 */
class HtmlReportsBrowserSuite extends AnyFunSuite {
  private val out: Path = Paths.get("target", "browser").toAbsolutePath
  private lazy val browser: HeadlessChromium = HeadlessChromium.find().getOrElse(
    cancel(s"no headless browser on PATH (looked for ${HeadlessChromium.Names.mkString(", ")}); install Debian's chromium"))

  private def write(name: String, html: String): Path = {
    val dir = out.resolve(name)
    Files.createDirectories(dir)
    val page = dir.resolve("index.html")
    Files.writeString(page, html)
    page
  }

  private def checkRenders(name: String, page: Path): Unit = {
    val result = browser.inspect(page, out)
    assert(result.harnessError.isEmpty, s"$name: ${result.harnessError}")
    assert(result.consoleMessages.isEmpty, s"$name logged to the console:\n${result.consoleMessages.mkString("\n")}")
    val expected = "<svg ".r.findAllIn(Files.readString(page)).size
    assert(expected > 0 && result.charts.size == expected, s"$name: ${result.charts.size} of $expected charts in the DOM")
    for (c <- result.charts) assert(c.width > 0 && c.height > 0, s"$name: chart ${c.name} rendered ${c.width}x${c.height}")
    browser.screenshot(page, out.resolve(s"$name.png"), out)
  }

  test("the checker itself fails on a script error, a blocked load and a chart of zero size") {
    val bad = write("broken",
      """<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head>
        |<body><svg data-chart="ok" width="100" height="50"></svg><svg data-chart="flat" width="0" height="0"></svg>
        |<script>throw new Error("deliberate")</script></body></html>""".stripMargin)
    val result = browser.inspect(bad, out)
    assert(result.consoleMessages.exists(_.contains("Content Security Policy")), result.consoleMessages)
    assert(result.charts.map(_.name) == Seq("ok", "flat"))
    assert(result.charts.find(_.name == "flat").exists(c => c.width == 0 && c.height == 0))
    val script = write("script-error",
      "<!DOCTYPE html><html><body><script>throw new Error(\"deliberate boom\")</script></body></html>")
    assert(browser.inspect(script, out).consoleMessages.exists(_.contains("deliberate boom")))
  }

  test("the evaluation report (ReportWriter) renders every chart without console errors") {
    val rows = Seq(ReportFixtures.row(batchId = "a", speedup = 1.1), ReportFixtures.row(batchId = "b", gemm = "gate_up",
      distribution = "zipf(s=1.2)", speedup = 0.9, savedFraction = 0.4), ReportFixtures.errorRow())
    val dir = out.resolve("evaluate")
    Files.createDirectories(dir)
    ReportWriter.writeAll(dir, ReportFixtures.runInfo(rows), rows.asJava)
    checkRenders("evaluate", dir.resolve("index.html"))
  }

  test("the sweep report renders every chart without console errors") {
    import SweepFixtures.point
    val previous = (for (t <- Seq(256, 1024, 4096); g <- Seq("gate_up", "down"))
      yield point(runId = "n1", startedAt = "2026-11-01T02:00:00Z", tokens = t, gemm = g, tflops = 400.0 + t / 64)).toList
    val now = previous.map(p => SweepFixtures.copy(p, "runId" -> "n2", "startedAt" -> "2026-11-02T02:00:00Z",
      "paddingFreeTflops" -> (if (p.tokens == 256) p.paddingFreeTflops * 0.8 else p.paddingFreeTflops * 1.02)))
    val spec = SweepSpec.parse("name: s\ngrid:\n  models: [qwen3-30b-a3b]\n", "s.yaml")
    val findings = TrendCheck.check(now.asJava, previous.asJava, null, spec.regression())
    val runs = Seq(new HistoryTable.Run("n1", "2026-11-01", previous.asJava), new HistoryTable.Run("n2", "2026-11-02", now.asJava))
    val meta = new RunMetadata("n2", "s", java.time.Instant.parse("2026-11-02T02:00:00Z"),
      java.time.LocalDate.parse("2026-11-02"), "abc", "580.65", "padfree dev", "local[2]",
      "local-1764500000000", "")
    val report = new SweepReport(spec, "s.yaml", meta, 12.0, now.asJava, "n1", null, findings,
      RunTrend.of(runs.asJava, "s", 30), "/history", 3, List("a note").asJava)
    assert(report.regressions().size == 2)
    checkRenders("sweep", write("sweep", SweepReportWriter.html(report)))
  }

  test("the capacity report renders every chart without console errors") {
    import SweepFixtures.point
    val rows = for (t <- Seq(512, 2048); g <- Seq("gate_up", "down"); d <- Seq("balanced", "zipf(s=1.2)"))
      yield point(tokens = t, gemm = g, distribution = d, paddingFreeMs = t / 1000.0, paddedMs = t / 800.0)
    val spec = CapacitySpec.parse(
      """name: c
        |model: qwen3-30b-a3b
        |target_tokens_per_s: 100000
        |gpu_memory_gb: 141
        |price_per_gpu_hour: 3
        |tokens_per_batch: [1024, 8192]
        |distributions: [balanced, "zipf(s=1.2)"]
        |""".stripMargin, "c.yaml")
    val result = CapacityStudy.study(spec, "c.yaml", "c-1", "2026-11-22T00:00:00Z", rows.asJava, "test")
    checkRenders("capacity", write("capacity", CapacityReportWriter.html(result)))
  }
}
