package org.padfree.report

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path, Paths}
import java.util.concurrent.TimeUnit
import scala.jdk.CollectionConverters._

/**
 * Loads a report in headless Chromium and reports what a reader would see broken: console messages
 * (script errors, Content-Security-Policy violations: a report should log nothing at all) and charts
 * that did not render. The report forbids scripts, so it is loaded in an iframe of a small harness
 * page (allowed to read file:// frames by --allow-file-access-from-files) whose script measures every
 * svg and writes the sizes into its own DOM, which --dump-dom prints. Console messages come from
 * Chromium's log (--enable-logging=stderr), where each reads {@code INFO:CONSOLE:<line>] "<text>", source: <url>}.
 */
final class HeadlessChromium(val binary: Path) {

  /** A chart as rendered: its data-chart name and its size in CSS pixels. */
  case class Chart(name: String, width: Double, height: Double)

  case class Result(charts: Seq[Chart], consoleMessages: Seq[String], harnessError: Option[String])

  def inspect(page: Path, workDir: Path): Result = {
    val harness = workDir.resolve("harness-" + page.getParent.getFileName + ".html")
    Files.writeString(harness, harnessHtml(page.toAbsolutePath.toUri.toString), StandardCharsets.UTF_8)
    val (out, err) = run(workDir, "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0",
      "--virtual-time-budget=5000", "--dump-dom", harness.toUri.toString)
    val text = "(?s)<pre id=\"result\">(.*?)</pre>".r.findFirstMatchIn(out).map(_.group(1)).getOrElse("")
    val lines = text.split("\n").map(_.trim).filter(_.nonEmpty).toSeq
    val charts = lines.filter(_.startsWith("chart ")).map { line =>
      val parts = line.split(" ")
      val size = parts.last.split("x")
      Chart(parts.drop(1).dropRight(1).mkString(" "), size(0).toDouble, size(1).toDouble)
    }
    val harnessError = lines.find(_.startsWith("harness-error")).orElse(if (text.isEmpty) Some("no result in the DOM") else None)
    // the harness itself logs nothing; every console line comes from the report
    val console = err.split("\n").filter(_.contains(":CONSOLE")).toSeq
    Result(charts, console, harnessError)
  }

  /** Saves a full-width screenshot of the page. */
  def screenshot(page: Path, png: Path, workDir: Path): Unit = {
    Files.deleteIfExists(png)
    run(workDir, "--hide-scrollbars", "--window-size=1280,3000", "--screenshot=" + png.toAbsolutePath,
      page.toAbsolutePath.toUri.toString)
    require(Files.size(png) > 1000, s"no screenshot written to $png")
  }

  private def run(workDir: Path, args: String*): (String, String) = {
    val profile = Files.createTempDirectory(workDir, "chromium-profile-")
    val command = Seq(binary.toString, "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
      "--user-data-dir=" + profile) ++ args
    val stdout = workDir.resolve("chromium.out")
    val stderr = workDir.resolve("chromium.err")
    val process = new ProcessBuilder(command.asJava).directory(workDir.toFile)
      .redirectOutput(stdout.toFile).redirectError(stderr.toFile).start()
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly()
      throw new IllegalStateException(s"chromium did not finish in 120 s: ${command.mkString(" ")}")
    }
    (Files.readString(stdout), Files.readString(stderr))
  }

  private def harnessHtml(pageUrl: String): String =
    s"""<!DOCTYPE html><html><body><pre id="result"></pre>
       |<script>
       |function inspect(frame) {
       |  var out = [];
       |  try {
       |    var svgs = frame.contentDocument.querySelectorAll('svg');
       |    out.push('charts ' + svgs.length);
       |    svgs.forEach(function (s) {
       |      var r = s.getBoundingClientRect();
       |      out.push('chart ' + (s.getAttribute('data-chart') || '?') + ' ' + r.width + 'x' + r.height);
       |    });
       |  } catch (e) { out.push('harness-error ' + e); }
       |  document.getElementById('result').textContent = out.join('\\n');
       |}
       |</script>
       |<iframe src="$pageUrl" width="1280" height="900" onload="inspect(this)"></iframe>
       |</body></html>
       |""".stripMargin
}

object HeadlessChromium {
  val Names: Seq[String] = Seq("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

  /** The first browser on PATH, if any. */
  def find(): Option[HeadlessChromium] = {
    val path = Option(System.getenv("PATH")).getOrElse("").split(java.io.File.pathSeparator).toSeq
    Names.iterator.flatMap(name => path.iterator.map(dir => Paths.get(dir, name)))
      .find(p => Files.isRegularFile(p) && Files.isExecutable(p)).map(new HeadlessChromium(_))
  }
}
