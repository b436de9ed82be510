package org.padfree.cuda.jit

import scala.jdk.CollectionConverters._
import org.padfree.InvalidInputException
import org.padfree.cuda.kernels.Sm90TmaTileCopy
import org.scalatest.funsuite.AnyFunSuite

/** The generated instantiation unit and the spec's validation. */
class KernelSpecSuite extends AnyFunSuite {
  private val header = "padfree/sm90_tma_tile_copy.cuh"
  private def spec(entry: String = "padfree_test_entry", header: String = header,
      function: String = "padfree::sm90::tma_tile_copy", templateArgs: Seq[String] = Seq("64", "32", "float"),
      parameters: Seq[String] = Seq("int n"), threads: Int = 128, minBlocksPerSm: Int = 1): KernelSpec =
    new KernelSpec(entry, header, function, templateArgs.asJava, parameters.asJava, threads, minBlocksPerSm)

  private def rejects(field: String, value: String, what: String)(build: => Any): Unit = {
    val e = intercept[InvalidInputException](build)
    assert(e.field() == field, s"$what: the exception names '${e.field()}', not '$field': ${e.getMessage}")
    assert(e.getMessage.contains(s"$field = $value"), s"$what: message '${e.getMessage}' lacks '$field = $value'")
  }

  test("Sm90TmaTileCopy(64, 32): the unit includes the header and instantiates the template with the parameter names") {
    val unit = new Sm90TmaTileCopy(64, 32).spec().translationUnit()
    val expected = Seq(
      "#include <padfree/sm90_tma_tile_copy.cuh>",
      "extern \"C\" __global__ void __launch_bounds__(128, 1)",
      "padfree_tma_tile_copy_64x32_f32(const __grid_constant__ CUtensorMap src, const __grid_constant__ CUtensorMap dst, "
        + "int tiles_per_row, float addend) {",
      "  padfree::sm90::tma_tile_copy<64, 32, float>(src, dst, tiles_per_row, addend);")
    for (line <- expected) assert(unit.linesIterator.contains(line), s"generated unit lacks the line\n$line\nin\n$unit")
  }

  test("every tile shape gets its own entry name and template arguments") {
    for ((rows, cols) <- Seq((1, 4), (128, 64), (256, 16))) {
      val s = new Sm90TmaTileCopy(rows, cols).spec()
      assert(s.entry() == s"padfree_tma_tile_copy_${rows}x${cols}_f32", s"${rows}x$cols")
      assert(s.translationUnit().contains(s"tma_tile_copy<$rows, $cols, float>("), s"${rows}x$cols")
    }
  }

  test("the spec keeps its own copies of the argument lists") {
    val args = new java.util.ArrayList[String](java.util.List.of("64", "32", "float"))
    val s = new KernelSpec("padfree_copy_test", header, "f", args, java.util.List.of("int n"), 32, 1)
    args.set(1, "3")
    assert(s.templateArgs().asScala == Seq("64", "32", "float"))
    assert(s.translationUnit().contains("f<64, 32, float>(n);"), s.translationUnit())
  }

  test("invalid specs name the field") {
    rejects("entry", "9lives", "entry starting with a digit")(spec(entry = "9lives"))
    rejects("entry", "tile-copy", "entry with a dash")(spec(entry = "tile-copy"))
    rejects("entry", "", "empty entry")(spec(entry = ""))
    rejects("entry", "null", "null entry")(spec(entry = null))
    rejects("header", "padfree/unknown.cuh", "header that is not shipped")(spec(header = "padfree/unknown.cuh"))
    rejects("header", "sm90_tma_tile_copy.cuh", "header without its folder")(spec(header = "sm90_tma_tile_copy.cuh"))
    rejects("function", " ", "blank function")(spec(function = " "))
    rejects("threads", "0", "threads 0")(spec(threads = 0))
    rejects("threads", "2000", "threads 2000")(spec(threads = 2000))
    rejects("minBlocksPerSm", "0", "minBlocksPerSm 0")(spec(minBlocksPerSm = 0))
    assert(spec(threads = 1024).threads() == 1024, "1024 threads is the largest valid block")
  }

  test("Sm90TmaTileCopy rejects tiles that TMA or static shared memory cannot hold") {
    rejects("blockRows", "0", "0 rows")(new Sm90TmaTileCopy(0, 32))
    rejects("blockRows", "257", "257 rows")(new Sm90TmaTileCopy(257, 32))
    rejects("blockCols", "3", "3 floats = 12 bytes")(new Sm90TmaTileCopy(64, 3))
    rejects("blockCols", "260", "260 columns")(new Sm90TmaTileCopy(1, 260))
    rejects("blockRows x blockCols", "256x64", "64 KB tile")(new Sm90TmaTileCopy(256, 64))
  }
}
