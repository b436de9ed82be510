package org.padfree

import java.nio.file.{Files, Path}

import org.apache.spark.sql.SparkSession
import org.scalatest.{BeforeAndAfterAll, Suite}

/**
 * One local[2] SparkSession per suite, started on first use and stopped after the suite, so suites
 * that need Spark pay its start-up once and never leak a session into the next suite.
 */
trait LocalSparkSuite extends BeforeAndAfterAll { self: Suite =>

  private var started: Option[SparkSession] = None

  /** The master URL; a suite may override it, e.g. local[2,3] to allow task retries. */
  protected def master: String = "local[2]"

  /** Extra Spark settings for the suite's session. */
  protected def extraConf: Map[String, String] = Map.empty

  protected def spark: SparkSession = synchronized {
    if (started.isEmpty) {
      started = Some(SparkSession.builder()
        .appName(getClass.getSimpleName)
        .master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config(new org.apache.spark.SparkConf().setAll(extraConf))
        .getOrCreate())
    }
    started.get
  }

  /** A fresh directory under java.io.tmpdir (the build's target/ in Maven runs). */
  protected def tempDir(prefix: String): Path = Files.createTempDirectory(prefix)

  override protected def afterAll(): Unit = {
    try started.foreach(_.stop())
    finally {
      started = None
      super.afterAll()
    }
  }
}
