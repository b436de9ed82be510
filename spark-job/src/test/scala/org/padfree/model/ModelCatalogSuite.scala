package org.padfree.model

import java.net.URLClassLoader
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path, Paths}
import java.util.jar.{JarEntry, JarOutputStream}

import scala.jdk.CollectionConverters._

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

class ModelCatalogSuite extends AnyFunSuite {

  private lazy val catalog = ModelCatalog.fromClasspath()

  test("the classpath catalog holds the four conf/models files") {
    assert(catalog.names().asScala ==
      Seq("deepseek-v3", "mixtral-8x7b", "qwen3-235b-a22b", "qwen3-30b-a3b"))
  }

  test("the classpath copy equals conf/models, the source of truth") {
    val confModels = Paths.get("..", "conf", "models")
    assert(Files.isDirectory(confModels), s"run from spark-job/: ${confModels.toAbsolutePath}")
    assert(ModelCatalog.fromDirectory(confModels).all() == catalog.all())
  }

  test("DeepSeek-V3 GEMMs: gate_up N=4096 K=7168, down N=7168 K=2048") {
    val model = catalog.byName("deepseek-v3")
    assert(model == new ModelShape("deepseek-v3", 256, 8, 7168, 2048, 58))
    assert(model.gateUp() == new GemmShape("gate_up", 4096, 7168))
    assert(model.down() == new GemmShape("down", 7168, 2048))
    assert(model.gemms().asScala == Seq(model.gateUp(), model.down()))
  }

  test("the other public shapes") {
    assert(catalog.byName("qwen3-235b-a22b") == new ModelShape("qwen3-235b-a22b", 128, 8, 4096, 1536, 94))
    assert(catalog.byName("qwen3-30b-a3b") == new ModelShape("qwen3-30b-a3b", 128, 8, 2048, 768, 48))
    assert(catalog.byName("mixtral-8x7b") == new ModelShape("mixtral-8x7b", 8, 2, 4096, 14336, 32))
    assert(catalog.byName("qwen3-30b-a3b").gateUp() == new GemmShape("gate_up", 1536, 2048))
  }

  test("lookup ignores case and surrounding spaces") {
    assert(catalog.byName(" DeepSeek-V3 ").name() == "deepseek-v3")
  }

  test("an unknown model is an error naming it and listing the known ones") {
    val e = intercept[InvalidInputException](catalog.byName("gpt-moe"))
    assert(e.field() == "model" && e.value() == "gpt-moe")
    assert(e.getMessage.contains("deepseek-v3") && e.getMessage.contains("mixtral-8x7b"), e.getMessage)
  }

  test("GEMM FLOPs count a multiply and an add per (m, n, k)") {
    assert(new GemmShape("down", 3, 5).flops(7) == 2.0 * 7 * 3 * 5)
  }

  private val validLines = Seq(
    "name=toy", "experts=16", "top_k=4", "hidden=256", "intermediate=128", "moe_layers=2")

  private def dirWith(files: (String, Seq[String])*): Path = {
    val dir = Files.createTempDirectory("models")
    for ((name, lines) <- files) Files.writeString(dir.resolve(name), lines.mkString("", "\n", "\n"))
    dir
  }

  private def rejected(lines: Seq[String], fileName: String = "toy.properties"): InvalidInputException =
    intercept[InvalidInputException](ModelCatalog.fromDirectory(dirWith(fileName -> lines)))

  test("a well-formed directory loads, comments and unknown keys ignored") {
    val dir = dirWith("toy.properties" -> ("# a comment" +: validLines :+ "shared_experts=1"))
    assert(ModelCatalog.fromDirectory(dir).byName("TOY") == new ModelShape("toy", 16, 4, 256, 128, 2))
    assert(ModelCatalog.load(dir.toString).names().asScala == Seq("toy"))
    assert(ModelCatalog.load(null).source().startsWith("classpath:"))
  }

  test("the classpath folder is also found inside a jar, as on executors") {
    val jar = Files.createTempDirectory("models").resolve("models.jar")
    val out = new JarOutputStream(Files.newOutputStream(jar))
    try {
      // Jar tools write directory entries; ClassLoader.getResource needs them to find the folder.
      for (dir <- Seq("padfree/", "padfree/models/")) out.putNextEntry(new JarEntry(dir))
      out.putNextEntry(new JarEntry("padfree/models/toy.properties"))
      out.write(validLines.mkString("\n").getBytes(StandardCharsets.UTF_8))
      out.putNextEntry(new JarEntry("padfree/models/nested/ignored.properties"))
      out.write("name=ignored".getBytes(StandardCharsets.UTF_8))
    } finally out.close()
    val thread = Thread.currentThread()
    val previous = thread.getContextClassLoader
    val loader = new URLClassLoader(Array(jar.toUri.toURL), null)
    thread.setContextClassLoader(loader)
    try assert(ModelCatalog.fromClasspath().all().asScala == Seq(new ModelShape("toy", 16, 4, 256, 128, 2)))
    finally {
      thread.setContextClassLoader(previous)
      loader.close()
    }
  }

  test("a missing key is named, with the file") {
    val e = rejected(validLines.filterNot(_.startsWith("top_k")))
    assert(e.field() == "top_k", e.getMessage)
    assert(e.getMessage.contains("missing") && e.getMessage.contains("toy.properties"), e.getMessage)
  }

  test("a non-numeric value is named with its key and file") {
    val e = rejected(validLines.map(l => if (l.startsWith("hidden")) "hidden=4k" else l))
    assert(e.field() == "hidden" && e.value() == "4k", e.getMessage)
    assert(e.getMessage.contains("toy.properties"), e.getMessage)
  }

  test("top_k above experts is named with both values and the file") {
    val e = rejected(validLines.map(l => if (l.startsWith("top_k")) "top_k=17" else l))
    assert(e.field() == "top_k" && e.value() == "17", e.getMessage)
    assert(e.getMessage.contains("experts=16") && e.getMessage.contains("toy.properties"), e.getMessage)
  }

  test("non-positive sizes are rejected with key and value") {
    val e = rejected(validLines.map(l => if (l.startsWith("intermediate")) "intermediate=0" else l))
    assert(e.field() == "intermediate" && e.value() == "0", e.getMessage)
  }

  test("the name key must match the file name") {
    val e = rejected(validLines, fileName = "other.properties")
    assert(e.field() == "name" && e.value() == "toy", e.getMessage)
    assert(e.getMessage.contains("other"), e.getMessage)
  }

  test("a directory without model files, or no directory, is an error naming it") {
    val empty = dirWith()
    val e1 = intercept[InvalidInputException](ModelCatalog.fromDirectory(empty))
    assert(e1.value() == empty.toString, e1.getMessage)
    val missing = empty.resolve("nope")
    val e2 = intercept[InvalidInputException](ModelCatalog.fromDirectory(missing))
    assert(e2.field() == "conf-dir" && e2.value() == missing.toString, e2.getMessage)
  }
}
