package org.padfree.docs

import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

/**
 * README's "spark-job's packages" section lists which packages each package imports; this suite holds
 * it against the code (every `org.padfree.<package>.<Type>` reference in the main sources, comments
 * left out) and checks that the graph has no cycle, so the layering the diagram draws is the real one.
 */
class PackageDiagramSuite extends AnyFunSuite {
  private val root: Path = Paths.get("..").toAbsolutePath.normalize
  private val sources: Path = root.resolve("spark-job/src/main/java/org/padfree")

  private lazy val packages: Set[String] = Files.list(sources).iterator().asScala
    .filter(Files.isDirectory(_)).map(_.getFileName.toString).toSet

  /** The code's graph: package -> the other spark-job packages its files reference. */
  private lazy val code: Map[String, Set[String]] = packages.map { p =>
    val files = Files.walk(sources.resolve(p)).iterator().asScala.filter(_.toString.endsWith(".java")).toSeq
    val used = files.flatMap { f =>
      val text = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "")
      """org\.padfree\.(\w+)\.[A-Z]""".r.findAllMatchIn(text).map(_.group(1))
    }.toSet
    p -> (used & packages - p)
  }.toMap

  /** The README's list: lines "a -> b c" in the fenced block after "The dependency list". */
  private lazy val readme: Map[String, Set[String]] = {
    val lines = Files.readAllLines(root.resolve("README.md")).asScala.toSeq
    val start = lines.indexWhere(_.startsWith("The dependency list"))
    assert(start >= 0, "README.md has the package dependency list")
    val open = lines.indexWhere(_.startsWith("```"), start)
    val close = lines.indexWhere(_.startsWith("```"), open + 1)
    lines.slice(open + 1, close).map { line =>
      val Array(from, to) = line.split("->", 2).map(_.trim)
      from -> to.split("\\s+").filter(_.nonEmpty).toSet
    }.toMap
  }

  /** The README's layers, top first: the leading package names of each line of the first block. */
  private lazy val layers: Seq[Set[String]] = {
    val lines = Files.readAllLines(root.resolve("README.md")).asScala.toSeq
    val start = lines.indexWhere(_.startsWith("### spark-job's packages"))
    assert(start >= 0, "README.md has a \"spark-job's packages\" section")
    val open = lines.indexWhere(_.startsWith("```"), start)
    val close = lines.indexWhere(_.startsWith("```"), open + 1)
    lines.slice(open + 1, close).map(_.trim.split("\\s+").takeWhile(packages.contains).toSet).filter(_.nonEmpty)
  }

  test("README's layers: every package on one line, each using only packages on lower lines") {
    assert(layers.flatten.toSet == packages && layers.map(_.size).sum == packages.size, s"layers $layers vs $packages")
    for ((layer, row) <- layers.zipWithIndex; p <- layer; q <- code(p)) {
      val below = layers.indexWhere(_.contains(q))
      assert(below > row, s"$p (line ${row + 1}) uses $q (line ${below + 1}), which is not below it")
    }
  }

  test("README's package dependency list matches the imports of spark-job's main sources") {
    assert(readme.keySet == packages, s"packages in README vs code: ${readme.keySet} vs $packages")
    for (p <- packages.toSeq.sorted)
      assert(readme(p) == code(p), s"$p: README lists ${readme(p).toSeq.sorted}, the code uses ${code(p).toSeq.sorted}")
  }

  test("the package graph has no cycle; evaluate and report do not import each other") {
    def reach(from: String): Set[String] = {
      var seen = Set.empty[String]
      var next = code(from)
      while (next.nonEmpty) {
        seen ++= next
        next = next.flatMap(code) -- seen
      }
      seen
    }
    for (p <- packages) assert(!reach(p).contains(p), s"$p reaches itself: a cycle")
    assert(!code("evaluate").contains("report") && !code("report").contains("evaluate"))
  }
}
