package org.padfree.cuda.gpu

import org.padfree.cuda.kernels.GroupedGemm
import org.padfree.docs.ReadmeJavaExample
import org.padfree.reference.{Bf16Matrix, CpuGroupedGemm, GemmFixture}
import org.scalatest.funsuite.AnyFunSuite

/**
 * The library entry point on the H200: every layout bit-identical to the CPU reference on the same
 * operands (fresh random data, groups of 0 to 300 rows), and README's example runs.
 */
class GroupedGemmGpuSuite extends AnyFunSuite with GpuSuite {
  private def same(name: String, gpu: Bf16Matrix, cpu: Bf16Matrix, rows: Seq[Int]): Unit = {
    assert(gpu.rows == cpu.rows && gpu.cols == cpu.cols, name)
    for (r <- rows) assert(gpu.rowEquals(r, cpu, r), s"$name: row $r differs from the CPU reference")
  }

  test("every layout equals the CPU reference bit for bit on its valid rows") {
    hopper()
    val counts = Array(0, 1, 127, 128, 129, 300, 5)
    val f = GemmFixture.fromCounts(counts, 256, 512, 31L)
    val cpu = new CpuGroupedGemm(2)
    val gemm = GroupedGemm.open(0)
    try {
      same("padding-free", gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets),
        cpu.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets), 0 until f.free.rows)
      val paddedValid = for (e <- counts.indices; i <- 0 until counts(e)) yield f.padded.groupStarts()(e) + i
      same("padded", gemm.paddedContiguous(f.paddedA, f.weights, f.padded.groupIndex),
        cpu.paddedContiguous(f.paddedA, f.weights, f.padded.groupIndex), paddedValid)
      val maxRows = f.masked.maxRows
      val maskedValid = for (e <- counts.indices; i <- 0 until counts(e)) yield e * maxRows + i
      same("masked", gemm.masked(f.maskedA, f.weights, maxRows, f.masked.counts),
        cpu.masked(f.maskedA, f.weights, maxRows, f.masked.counts), maskedValid)
    } finally { gemm.close(); cpu.close() }
  }

  test("README's Java example runs") {
    hopper()
    val (ok, diagnostics, dir) = ReadmeJavaExample.compile()
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
