package org.padfree.reference

import java.nio.file.{Files, Paths}
import java.time.LocalDate
import org.padfree.Benchmark
import org.scalatest.funsuite.AnyFunSuite

/**
 * Throughput of the CPU reference backend (excluded from the default run; scripts/cpu-bench.sh runs it).
 * Correctness is asserted first on the very operands that are timed; then the median of several
 * runs after warm-up is reported as GFLOP/s of useful work (2*M*N*K over valid rows only).
 * Results: one line per case on stdout and reports/cpu/<date>/cpu-gemm-bench.csv.
 */
@Benchmark
class CpuGemmBenchmark extends AnyFunSuite {
  private val threads = Integer.getInteger("padfree.bench.threads", Runtime.getRuntime.availableProcessors)
  private val runs = Integer.getInteger("padfree.bench.runs", 5)

  private case class Case(name: String, counts: Array[Int], n: Int, k: Int)
  private val cases = Seq(
    Case("down N=7168 K=2048, 8 groups x ~64 rows", Array(70, 41, 64, 88, 57, 64, 39, 89), 7168, 2048),
    Case("gate_up N=4096 K=7168, 8 groups x ~32 rows", Array(35, 20, 32, 44, 28, 32, 19, 46), 4096, 7168),
    Case("down N=7168 K=2048, 64 groups, skewed, many of size 0-3", Array.tabulate(64)(e => if (e % 4 == 0) 30 else e % 4), 7168, 2048))

  test("CPU grouped GEMM throughput (padding-free layout)") {
    val gemm = new CpuGroupedGemm(threads)
    val lines = Seq.newBuilder[String]
    lines += "case,threads,rows,n,k,median_ms,useful_gflops,runs"
    try for (c <- cases) {
      val f = GemmFixture.fromCounts(c.counts, c.n, c.k, seed = c.n.toLong * c.k)
      val d = gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
      for (e <- c.counts.indices if c.counts(e) > 0) { // correctness before timing
        val r = f.free.offsets()(e)
        val ref = DoubleReference.compute(f.freeA, r, 1, f.weights, e)
        for (col <- 0 until c.n by 97) {
          assert(d.bits()(r * c.n + col) == GemmFixture.definition(f.freeA, r, f.weights, e, col), s"${c.name}: row $r col $col")
          assert(math.abs(d.get(r, col) - ref.values()(col)) <= ref.bound(0, col), s"${c.name}: row $r col $col")
        }
      }
      for (_ <- 0 until 2) gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
      val times = (0 until runs).map { _ =>
        val t0 = System.nanoTime()
        gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
        (System.nanoTime() - t0) / 1e6
      }.sorted
      val median = times(times.length / 2)
      val rows = c.counts.sum
      val gflops = 2.0 * rows * c.n * c.k / (median * 1e6)
      println(f"CPU GEMM  ${c.name}%-58s rows=$rows%5d  threads=$threads  median ${median}%8.1f ms  ${gflops}%6.1f GFLOP/s")
      lines += s"\"${c.name}\",$threads,$rows,${c.n},${c.k},$median,$gflops,$runs"
    } finally gemm.close()
    val dir = Paths.get(Option(System.getProperty("padfree.reports")).filter(_.nonEmpty).getOrElse("../reports"), "cpu", LocalDate.now.toString)
    Files.createDirectories(dir)
    org.padfree.AtomicFiles.writeString(dir.resolve("cpu-gemm-bench.csv"), lines.result().mkString("", "\n", "\n"))
    println(s"CPU GEMM benchmark written to ${dir.resolve("cpu-gemm-bench.csv").toAbsolutePath.normalize}")
  }
}
