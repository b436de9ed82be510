package org.padfree.evaluate

import scala.jdk.CollectionConverters._
import org.apache.spark.SparkConf
import org.apache.spark.sql.SparkSession
import org.scalatest.funsuite.AnyFunSuite

/**
 * ExecutorPreparePlugin: the executor side runs when the executor starts (local mode: the driver JVM's
 * executor) and never fails it; the driver side refuses bad settings at once, naming the key.
 */
class ExecutorPreparePluginSuite extends AnyFunSuite {

  private def session(conf: Map[String, String]): SparkSession =
    SparkSession.builder().appName("ExecutorPreparePluginSuite").master("local[1]")
      .config("spark.ui.enabled", "false")
      .config("spark.plugins", classOf[ExecutorPreparePlugin].getName)
      .config(new SparkConf().setAll(conf))
      .getOrCreate()

  test("the plugin prepares the executor when it starts: on the CPU backend nothing to prepare") {
    val spark = session(Map("spark.padfree.backend" -> "cpu", "spark.padfree.prepare.models" -> "qwen3-30b-a3b"))
    try {
      val prepared = ExecutorPreparation.awaitLast(30000)
      assert(prepared != null, "the executor plugin did not run when the executor started")
      assert(prepared.backend == "cpu" && prepared.banks.isEmpty && prepared.device.isEmpty, prepared)
      // and the tasks still run as before
      assert(spark.range(4).count() == 4)
    } finally spark.stop()
  }

  test("an unknown model to prepare fails the application at start, naming the key and the value") {
    val e = intercept[Exception](session(Map("spark.padfree.prepare.models" -> "qwen3-30b-a3b,nope")).stop())
    val messages = Iterator.iterate[Throwable](e)(_.getCause).takeWhile(_ != null).map(_.getMessage).mkString(" | ")
    assert(messages.contains("spark.padfree.prepare.models") && messages.contains("nope"), messages)
    assert(SparkSession.getActiveSession.isEmpty && SparkSession.getDefaultSession.isEmpty)
  }

  test("preparation never throws: cuda asked for where there is none gives a note, and tasks set up themselves") {
    val conf = new SparkConf(false).set("spark.padfree.backend", "cuda").set("spark.padfree.prepare.models", "deepseek-v3")
    val prepared = ExecutorPreparation.prepare(conf, java.util.List.of())
    if (org.padfree.cuda.Cuda.unavailableReason().isPresent) {
      assert(prepared.backend == "none" && prepared.note.contains("backend cuda was requested"), prepared)
    } else {
      cancel("this machine has CUDA: the no-GPU case is checked where there is none")
    }
  }

  test("the models to prepare: comma-separated catalog names; empty prepares none") {
    val catalog = ExecutorBackends.catalog(null)
    def models(text: String) = ExecutorPreparation.models(new SparkConf(false).set("spark.padfree.prepare.models", text), catalog)
      .asScala.map(_.name)
    assert(models("").isEmpty)
    assert(models(" deepseek-v3 , qwen3-235b-a22b") == Seq("deepseek-v3", "qwen3-235b-a22b"))
    val e = intercept[org.padfree.InvalidInputException](models("deepseek-v4"))
    assert(e.field == "spark.padfree.prepare.models" && e.getMessage.contains("deepseek-v4"), e.getMessage)
  }
}
