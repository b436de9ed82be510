package org.padfree.spark

import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

class SparkJvmFlagsSuite extends AnyFunSuite {
  test("flags opening packages this JDK lacks are dropped (each would print a warning at start-up); the rest kept in order") {
    val flags = "-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED " +
      "--add-opens=java.base/no.such.pkg=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED " +
      "--add-opens=no.such.module/x=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
    assert(SparkJvmFlags.forThisJvm(flags).asScala == Seq("-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false"))
  }

  test("Spark's own list keeps every flag for packages this JDK has") {
    val spark = org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions().trim.split("\\s+").toSeq
    val kept = SparkJvmFlags.forThisJvm(spark.mkString(" ")).asScala
    assert(kept.forall(spark.contains) && kept.contains("--add-opens=java.base/java.lang=ALL-UNNAMED"))
    assert(spark.filterNot(kept.contains).forall(f => !SparkJvmFlags.opensExistingPackage(f)))
  }
}
