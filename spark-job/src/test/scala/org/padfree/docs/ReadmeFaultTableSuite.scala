package org.padfree.docs

import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

/**
 * README's "What happens when ..." table promises what a user sees for each fault and bad input; each
 * row names the test that checks the promise. This suite keeps the table honest: every named test
 * exists, under exactly that name, in a suite of the repository.
 */
class ReadmeFaultTableSuite extends AnyFunSuite {
  private val root: Path = Paths.get("..").toAbsolutePath.normalize

  /** The table's rows: (fault, suite, test name). */
  private lazy val rows: Seq[(String, String, String)] = {
    val lines = Files.readAllLines(root.resolve("README.md")).asScala.toSeq
    val start = lines.indexWhere(_.startsWith("### What happens when"))
    assert(start >= 0, "README.md has a \"What happens when ...\" section")
    val table = lines.drop(start + 1).dropWhile(!_.startsWith("|")).takeWhile(_.startsWith("|")).drop(2)
    table.map { line =>
      val cells = line.split("\\|").map(_.trim).filter(_.nonEmpty)
      val Test = "`([A-Za-z]+)`: (.+)".r
      cells.last match {
        case Test(suite, name) => (cells.head, suite, name)
        case other => fail(s"the last cell of '$line' should be `Suite`: test name, not '$other'")
      }
    }
  }

  private lazy val suiteFiles: Map[String, Path] =
    Seq("spark-job/src/test/scala", "gpu-kernels/src/test/scala").flatMap { dir =>
      Files.walk(root.resolve(dir)).iterator().asScala.filter(_.toString.endsWith("Suite.scala")).toSeq
    }.map(p => p.getFileName.toString.stripSuffix(".scala") -> p).toMap

  test("the table lists the faults of the campaign, each with a test") {
    assert(rows.size >= 21, rows.map(_._1))
  }

  test("every test the table names exists under that name") {
    for ((fault, suite, name) <- rows) {
      val file = suiteFiles.getOrElse(suite, fail(s"$fault: no suite $suite in the repository"))
      // a test generated for several cases is named by its interpolated text, e.g. test(s"$script ...")
      val text = Files.readString(file)
      assert(text.contains("test(\"" + name + "\"") || text.contains("test(s\"" + name + "\""),
        s"$fault: $suite has no test named '$name'")
    }
  }
}
