package org.padfree.docs

import java.nio.file.{Files, Path, Paths}
import javax.tools.ToolProvider
import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

object ReadmeJavaExample {
  /** The repository root: the nearest folder up from the working directory that holds README.md and gpu-kernels/. */
  private val root: Path = {
    val start = Paths.get("").toAbsolutePath
    Iterator.iterate(start)(_.getParent).takeWhile(_ != null)
      .find(d => Files.exists(d.resolve("README.md")) && Files.isDirectory(d.resolve("gpu-kernels")))
      .getOrElse(throw new IllegalStateException(s"no repository root (README.md and gpu-kernels/) above $start"))
  }

  /** Where scripts/package-gpu-tests.sh puts the example compiled for a GPU host without a Java compiler. */
  val packaged: Path = root.resolve(".carry/gpu-tests/readme-example")

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
  def compile(): (Boolean, String, Path) = compileInto(Files.createTempDirectory("readme-example"))

  /** Compiles the example into `dir` (created if missing); returns (ok, diagnostics, dir). */
  def compileInto(dir: Path): (Boolean, String, Path) = {
    val compiler = ToolProvider.getSystemJavaCompiler
    require(compiler != null, s"this Java runtime (${System.getProperty("java.home")}) has no compiler (jdk.compiler)")
    Files.createDirectories(dir)
    val file = dir.resolve("GroupedGemmExample.java")
    Files.writeString(file, source())
    val out = new java.io.StringWriter
    val ok = compiler.getTask(out, null, null,
      java.util.List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString), null,
      compiler.getStandardFileManager(null, null, null).getJavaFileObjects(file.toFile))
      .call()
    (ok, out.toString, dir)
  }

  /** Whether this runtime can compile Java (a jlink'd runtime may lack java.compiler or jdk.compiler). */
  def canCompile: Boolean =
    ModuleLayer.boot().findModule("java.compiler").isPresent && ToolProvider.getSystemJavaCompiler != null

  /** The example's classes: compiled now where this runtime can, else the packaged build, else None. */
  def compiledOrPackaged(): Option[(Boolean, String, Path)] =
    if (canCompile) Some(compile())
    else if (Files.exists(packaged.resolve("GroupedGemmExample.class"))) Some((true, "", packaged))
    else None

  /** Used by scripts/package-gpu-tests.sh: compiles the example into the folder given. */
  def main(args: Array[String]): Unit = {
    require(args.length == 1, "usage: ReadmeJavaExample OUTPUT_FOLDER")
    val (ok, diagnostics, dir) = compileInto(Paths.get(args(0)))
    if (!ok) { System.err.println(diagnostics); System.exit(1) }
    println(s"README example compiled into $dir")
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
