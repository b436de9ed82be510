package org.padfree.evaluate

import java.io.File
import java.nio.file.{Files, Path}
import scala.jdk.CollectionConverters._
import org.apache.spark.launcher.JavaModuleOptions
import org.padfree.LocalSparkSuite
import org.padfree.output.RunFolder
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._
import org.padfree.jobs.EvaluateJob

/**
 * The driver stopped mid-run, as a scheduler or an operator stops it: SIGTERM (a polite stop, shutdown
 * hooks run) or SIGKILL (nothing runs). The job runs in a child JVM, held at a chosen moment by a test
 * hook; whatever the signal, no folder under the run's name may look complete, and the next run in the
 * same OUT removes what a killed run left.
 */
class DriverKillSuite extends AnyFunSuite with LocalSparkSuite {
  private lazy val dataset: String = writeDataset(spark, tempDir("kill-data"), "batches", qwenBatches(4, 16, 61L))

  /** Starts EvaluateJob in its own JVM with these spark.padfree.test.* settings; its log goes to a file. */
  private def startJob(out: Path, runId: String, hooks: Map[String, String]): (Process, Path) = {
    val log = Files.createTempFile("driver", ".log")
    val java = Path.of(System.getProperty("java.home"), "bin", "java").toString
    val props = (hooks ++ Map("spark.master" -> "local[2]", "spark.ui.enabled" -> "false"))
      .map { case (k, v) => s"-D$k=$v" }
    val command = Seq(java) ++ JavaModuleOptions.defaultModuleOptions().split(" ").filter(_.nonEmpty) ++
      Seq("-Xmx1g", s"-Djava.io.tmpdir=${Files.createTempDirectory("driver-tmp")}") ++ props ++
      Seq("-cp", System.getProperty("java.class.path"), classOf[EvaluateJob].getName,
        "--dataset", dataset, "--gemms", "down", "--out", out.toString, "--run-id", runId)
    val process = new ProcessBuilder(command.asJava).redirectErrorStream(true).redirectOutput(log.toFile).start()
    (process, log)
  }

  /** Waits (at most 120 s) until {@code ready} holds, failing with the child's log otherwise. */
  private def await(process: Process, log: Path, what: String)(ready: => Boolean): Unit = {
    val deadline = System.nanoTime() + 120L * 1000000000L
    while (!ready) {
      if (!process.isAlive) fail(s"the job ended before $what:\n${Files.readString(log).takeRight(3000)}")
      if (System.nanoTime() > deadline) { process.destroyForcibly(); fail(s"timed out waiting for $what") }
      Thread.sleep(200)
    }
  }

  /** OUT's entries but the run locks; listings are closed as soon as read. */
  private def entries(out: Path): Set[String] = listed(out).filterNot(_ == RunFolder.LOCKS).toSet

  private def staging(out: Path, runId: String): Option[Path] =
    listed(out).find(_.startsWith(s".$runId.tmp-")).map(out.resolve)

  private def listed(dir: Path): Seq[String] = {
    val listing = Files.list(dir)
    try listing.iterator().asScala.map(_.getFileName.toString).toSeq finally listing.close()
  }

  /** The job of run id r, held by the test hook after results.parquet is in its staging folder. */
  private def startedWritingRunFolder(out: Path): Process = {
    val (process, log) = startJob(out, "r", Map(PadfreeConf.PUBLISH_PAUSE_MS.name -> "120000"))
    await(process, log, "the results file in the staging folder") {
      staging(out, "r").exists(s => Files.exists(s.resolve("results.parquet")))
    }
    process
  }

  test("SIGTERM mid-evaluation: the driver stops, and no run folder appears") {
    val out = tempDir("sigterm-mid")
    val (process, log) = startJob(out, "r", Map(PadfreeConf.TASK_DELAY_MS.name -> "120000"))
    await(process, log, "the evaluation stage") { Files.readString(log).contains("task delay") }
    process.destroy() // SIGTERM
    assert(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the driver stops on SIGTERM")
    assert(process.exitValue != 0)
    assert(entries(out).isEmpty, s"nothing looks like a run: ${entries(out)}")
  }

  test("SIGTERM while the run folder is written: the half-written staging folder is removed, nothing published") {
    val out = tempDir("sigterm-write")
    val process = startedWritingRunFolder(out)
    process.destroy()
    assert(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
    assert(entries(out).isEmpty, s"the shutdown hook removed the staging folder: ${entries(out)}")
  }

  test("SIGKILL while the run folder is written: nothing looks complete, and the next run cleans up") {
    val out = tempDir("sigkill-write")
    val process = startedWritingRunFolder(out)
    process.destroyForcibly() // SIGKILL: no hook runs
    process.waitFor()
    val left = staging(out, "r").get
    assert(!Files.exists(out.resolve("r")), "no folder under the run's name")
    assert(Files.exists(left.resolve(RunFolder.MARKER)) && !Files.exists(left.resolve("index.html")),
      "only a hidden, marked, incomplete staging folder is left")
    val next = evaluate(spark, out, "next", Seq("--dataset", dataset, "--gemms", "down"))
    assert(next.exitCode == EvaluateJob.EXIT_OK && Files.exists(next.dir.resolve("index.html")))
    assert(entries(out) == Set("next"), s"the killed run's staging folder was removed: ${entries(out)}")
  }
}
