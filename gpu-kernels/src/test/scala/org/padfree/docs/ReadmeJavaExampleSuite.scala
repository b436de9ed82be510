package org.padfree.docs

import java.nio.file.{Files, Path, Paths}
import javax.tools.ToolProvider
import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

object ReadmeJavaExample {
  private val root: Path = Paths.get("..").toAbsolutePath.normalize

  /** The java block of README's "The GEMM as a library" section. */
  def source(): String = {
    val lines = Files.readAllLines(root.resolve("README.md")).asScala.toSeq
    val start = lines.indexWhere(_.startsWith("## The GEMM as a library"))
    require(start >= 0, "README.md has a \"The GEMM as a library\" section")
    val open = lines.indexWhere(_.startsWith("```java"), start)
    val close = lines.indexWhere(_.startsWith("```"), open + 1)
    lines.slice(open + 1, close).mkString("\n") + "\n"
  }

  /** Compiles the example into a fresh folder against this JVM's class path; returns (ok, diagnostics, folder). */
  def compile(): (Boolean, String, Path) = {
    val dir = Files.createTempDirectory("readme-example")
    val file = dir.resolve("GroupedGemmExample.java")
    Files.writeString(file, source())
    val out = new java.io.StringWriter
    val ok = ToolProvider.getSystemJavaCompiler.getTask(out, null, null,
      java.util.List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString), null,
      ToolProvider.getSystemJavaCompiler.getStandardFileManager(null, null, null).getJavaFileObjects(file.toFile))
      .call()
    (ok, out.toString, dir)
  }
}

/** README's library example is real code: it compiles against the current API (it runs on the H200 in GroupedGemmGpuSuite). */
class ReadmeJavaExampleSuite extends AnyFunSuite {
  test("README's Java example of GroupedGemm compiles against gpu-kernels") {
    val (ok, diagnostics, dir) = ReadmeJavaExample.compile()
    assert(ok, diagnostics)
    assert(Files.exists(dir.resolve("GroupedGemmExample.class")))
  }
}
