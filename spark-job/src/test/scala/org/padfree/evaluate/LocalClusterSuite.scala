package org.padfree.evaluate

import java.io.File
import java.nio.file.{Files, Path}
import java.util.jar.{JarEntry, JarOutputStream}
import scala.jdk.CollectionConverters._
import org.padfree.LocalSparkSuite
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._

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
