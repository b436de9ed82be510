package org.padfree.evaluate

import java.io.File
import java.nio.file.{Files, Path}
import java.util.jar.{JarEntry, JarOutputStream}
import scala.jdk.CollectionConverters._
import org.padfree.LocalSparkSuite
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._
import org.padfree.jobs.EvaluateJob

/**
 * The job as a cluster runs it: Spark's local-cluster master starts two workers, each launching an
 * executor in its own JVM, so tasks really ship to other processes (serialisation, per-JVM caches,
 * class loading from the job jar). SPARK_HOME is a folder whose jars/ holds the Maven-resolved
 * classpath; the job's classes travel as a jar through spark.jars, as with spark-submit.
 */
class LocalClusterSuite extends AnyFunSuite with LocalSparkSuite {
  private lazy val sparkHome: Path = LocalClusterSuite.sparkHome()
  private lazy val jobJar: Path = LocalClusterSuite.jobJar()

  override protected def master: String = "local-cluster[2,1,1024]"
  override protected def extraConf: Map[String, String] = Map(
    "spark.home" -> sparkHome.toString,
    "spark.jars" -> jobJar.toUri.toString,
    "spark.executor.memory" -> "1g")

  test("two executors in their own JVMs both evaluate batches; results are complete and correct") {
    val deadline = System.nanoTime() + 120L * 1000000000L
    while (spark.sparkContext.getExecutorMemoryStatus.size < 3 && System.nanoTime() < deadline) Thread.sleep(200)
    assert(spark.sparkContext.getExecutorMemoryStatus.size == 3, "the driver and two executors registered")
    val dir = tempDir("cluster")
    val path = writeDataset(spark, dir, "cluster", qwenBatches(8, 32, 21L, "zipf(s=1.2)"))
    val run = evaluate(spark, dir.resolve("out"), "cluster", Seq("--dataset", path, "--partitions", "4"))
    val results = run.results
    assert(run.exitCode == EvaluateJob.EXIT_OK, results.filterNot(_.isOk).take(3).map(_.error).mkString("; "))
    assert(results.size == 16 && results.forall(_.isOk))
    val executors = results.map(_.executorId).toSet
    assert(executors.size == 2 && !executors.contains("driver"), s"executors: $executors")
    info(s"rows per executor: ${results.groupBy(_.executorId).view.mapValues(_.size).toMap}")
    // each executor's evaluation tasks, as the scheduler saw them, joined with its rows by executor id
    val json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.dir.resolve("summary.json").toFile)
    val spans = json.path("executors").iterator().asScala.map(e => e.path("executor_id").asText -> e.path("task_span_seconds")).toMap
    assert(spans.keySet == executors && spans.values.forall(s => s.isNumber && s.asDouble > 0), spans)
    assert(json.path("run").path("timings").path("executors").size == 2)
  }

  // Runs after the test above: it kills one of the two executors (the standalone master starts a new one).
  test("an executor JVM killed mid-stage: every batch appears exactly once and the report names the retried task") {
    val dir = tempDir("killed")
    val path = writeDataset(spark, dir, "killed", qwenBatches(8, 32, 31L))
    val sc = spark.sparkContext
    val executorsBefore = sc.getExecutorMemoryStatus.size
    sc.setLocalProperty(PadfreeConf.KILL_EXECUTOR.name, "true")
    val run = try evaluate(spark, dir.resolve("out"), "killed", Seq("--dataset", path, "--partitions", "4"))
      finally sc.setLocalProperty(PadfreeConf.KILL_EXECUTOR.name, null)
    val results = run.results
    assert(run.exitCode == EvaluateJob.EXIT_OK, results.filterNot(_.isOk).take(3).map(_.error).mkString("; "))
    assert(results.size == 16, "8 batches x 2 GEMMs")
    assert(results.map(r => (r.inputIndex, r.gemm)).distinct.size == 16, "no batch twice")
    assert(results.map(_.inputIndex).toSet == (0L until 8L).toSet, "no batch lost")
    val json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.dir.resolve("summary.json").toFile)
    val failed = json.path("run").path("timings").path("failed_attempts")
    assert(failed.size >= 1, s"the lost attempt is recorded: $failed")
    val first = failed.get(0)
    assert(first.path("partition").asInt == 0 && first.path("attempt").asInt == 0, first)
    assert(first.path("reason").asText.contains("ExecutorLost"), first)
    val md = java.nio.file.Files.readString(run.dir.resolve("report.md"))
    assert(md.contains("Retried tasks") && md.contains("partition 0 attempt 0 on executor"), "report.md names the retry")
    info(s"executors before: ${executorsBefore - 1}; retried: ${first.path("reason").asText}")
  }
}

object LocalClusterSuite {
  private def classpath: Seq[File] =
    System.getProperty("java.class.path").split(File.pathSeparator).toSeq.map(new File(_))

  /**
   * SPARK_HOME (set by the build for the test JVM: workers read it from the environment), with
   * jars/ linking every jar of the test classpath.
   */
  def sparkHome(): Path = {
    val home = java.nio.file.Paths.get(Option(System.getenv("SPARK_HOME")).getOrElse(
      throw new IllegalStateException("SPARK_HOME is not set; run the suite through Maven (see pom.xml)")))
    val jars = Files.createDirectories(home.resolve("jars"))
    for (f <- classpath if f.isFile && f.getName.endsWith(".jar")) {
      val link = jars.resolve(f.getName)
      if (!Files.exists(link)) Files.createSymbolicLink(link, f.toPath.toAbsolutePath)
    }
    home
  }

  /** The project's compiled classes (both modules, main only) as one jar, like the shaded job jar. */
  def jobJar(): Path = {
    val jar = Files.createTempFile("padfree-job", ".jar")
    val out = new JarOutputStream(Files.newOutputStream(jar))
    try {
      for (dir <- classpath if dir.isDirectory && !dir.getPath.contains("test-classes")) {
        val root = dir.toPath
        Files.walk(root).iterator().asScala.filter(Files.isRegularFile(_)).foreach { file =>
          out.putNextEntry(new JarEntry(root.relativize(file).toString.replace(File.separatorChar, '/')))
          Files.copy(file, out)
          out.closeEntry()
        }
      }
    } finally out.close()
    jar
  }
}
