package org.padfree.cuda.gpu

import org.padfree.cuda.kernels.GroupedGemm
import org.padfree.docs.ReadmeJavaExample
import org.padfree.reference.{Bf16Matrix, DoubleReference, GemmFixture, RelativeError}
import org.scalatest.funsuite.AnyFunSuite

/**
 * The library entry point on the H200, fresh random data, groups of 0 to 300 rows: the padding-free,
 * padded and masked layouts give bit-identical valid rows (the design's promise; the GPU's tensor cores
 * sum a K block in their own order, so the bound against the CPU is an error, not bit identity: DESIGN,
 * numerics), every valid row is within 1e-3 of the double-precision reference, and README's example runs.
 */
class GroupedGemmGpuSuite extends AnyFunSuite with GpuSuite {
  private def sameRow(name: String, a: Bf16Matrix, ra: Int, b: Bf16Matrix, rb: Int): Unit =
    assert(a.rowEquals(ra, b, rb), s"$name: row $ra differs from padding-free row $rb")

  test("every layout gives the same valid rows, within 1e-3 of the double reference") {
    hopper()
    val counts = Array(0, 1, 127, 128, 129, 300, 5)
    val f = GemmFixture.fromCounts(counts, 256, 512, 31L)
    val gemm = GroupedGemm.open(0)
    try {
      val free = gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
      val padded = gemm.paddedContiguous(f.paddedA, f.weights, f.padded.groupIndex)
      val maxRows = f.masked.maxRows
      val masked = gemm.masked(f.maskedA, f.weights, maxRows, f.masked.counts)
      assert(free.rows == f.free.rows && free.cols == 256)
      val actual = Array.newBuilder[Double]
      val expected = Array.newBuilder[Double]
      for (e <- counts.indices; i <- 0 until counts(e)) {
        val r = f.free.offsets()(e) + i
        sameRow("padded", padded, f.padded.groupStarts()(e) + i, free, r)
        sameRow("masked", masked, e * maxRows + i, free, r)
        val ref = DoubleReference.compute(f.freeA, r, 1, f.weights, e).values()
        for (c <- 0 until free.cols) { actual += free.get(r, c).toDouble; expected += ref(c) }
      }
      val err = RelativeError.of(actual.result(), expected.result())
      assert(err < 1e-3, s"relative error $err against the double reference")
      info(f"${f.free.rows} valid rows, relative error $err%.2e")
    } finally gemm.close()
  }

  test("README's Java example runs") {
    hopper()
    val (ok, diagnostics, dir) = ReadmeJavaExample.compiledOrPackaged().getOrElse(
      cancel(s"no Java compiler in this runtime and no packaged example at ${ReadmeJavaExample.packaged} (scripts/package-gpu-tests.sh)"))
    assert(ok, diagnostics)
    val loader = new java.net.URLClassLoader(Array(dir.toUri.toURL), getClass.getClassLoader)
    val out = new java.io.ByteArrayOutputStream
    val saved = System.out
    System.setOut(new java.io.PrintStream(out, true))
    try loader.loadClass("GroupedGemmExample").getMethod("main", classOf[Array[String]]).invoke(null, Array.empty[String])
    finally System.setOut(saved)
    assert(out.toString.contains("D[0][0] = "), out.toString)
  }
}
