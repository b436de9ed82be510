package org.padfree.spark

import org.apache.spark.SparkConf
import org.scalatest.funsuite.AnyFunSuite

class SparkApplicationSuite extends AnyFunSuite {
  private def conf(pairs: (String, String)*) = new SparkConf(false).setAll(pairs)

  test("the event-log directory is spark.eventLog.dir when event logging is on, Spark's default when that is unset") {
    val on = SparkApplication.of("app-20261130-0001", "spark://head:7077",
      conf("spark.eventLog.enabled" -> "true", "spark.eventLog.dir" -> "hdfs:///spark-history"))
    assert(on == new SparkApplication("app-20261130-0001", "spark://head:7077", "hdfs:///spark-history"))
    val default = SparkApplication.of("local-1", "local[2]", conf("spark.eventLog.enabled" -> "true"))
    assert(default.eventLogDir == "file:/tmp/spark-events")
  }

  test("no event-log directory when event logging is off, and the report text says how to turn it on") {
    val off = SparkApplication.of("local-1", "local[2]", conf("spark.eventLog.dir" -> "hdfs:///spark-history"))
    assert(off.eventLogDir == null)
    assert(SparkApplication.eventLogText(null).contains("spark.eventLog.enabled=true"))
    assert(SparkApplication.eventLogText("hdfs:///h") == "hdfs:///h")
  }
}
