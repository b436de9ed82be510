package org.padfree.cuda.gpu

import java.nio.file.{Files, Paths}
import java.time.LocalDate
import org.padfree.{AtomicFiles, Benchmark}
import org.padfree.cuda._
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.{DeviceGemmOperands => Up, GemmHeuristics, PadRows, Sm90Fp8GroupedGemm}
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.{Layout, LayoutArgs, Operands}
import org.padfree.layout.{LayoutBuilder, MemoryAccounting}
import org.padfree.numerics.Bf16
import org.padfree.reference.{DoubleReference, GemmFixture, RelativeError}
import org.scalatest.funsuite.AnyFunSuite

/**
 * Padding-free vs (pad + padded) FP8 grouped GEMM on the GPU. Per case: correctness first (sampled
 * rows against the double reference, padded bit-identical on valid rows), then CUDA-event medians of
 * 20 runs after warm-up, with L2 flushed (a 256 MB fill) before each timed run. Launches are prepared
 * (operands checked, tensor maps encoded, arguments marshalled) before the start event, so the events
 * time the GPU's work and not the host's; the host's preparation is reported beside it. Useful TFLOPS
 * count valid rows only. Then every tile width on the first case (each bit-identical to the chosen
 * one). Results: one line per case and reports/kernels/<date>/gemm-bench.{csv,json},
 * gemm-block-n.csv.
 */
@Benchmark
class Fp8GroupedGemmBenchmark extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment())
  private val runs = 20

  private case class Case(name: String, counts: Array[Int], n: Int, k: Int)
  private def plusMinus30(groups: Int, avg: Int, seed: Long) = {
    val r = new java.util.SplittableRandom(seed)
    Array.fill(groups)((avg * (0.7 + 0.6 * r.nextDouble())).toInt)
  }
  private val cases = Seq(
    Case("deepseek gate_up 8x4096+-30%", plusMinus30(8, 4096, 1), 4096, 7168),
    Case("deepseek down 8x4096+-30%", plusMinus30(8, 4096, 2), 7168, 2048),
    Case("qwen3-235b gate_up 16x1024+-30%", plusMinus30(16, 1024, 3), 3072, 4096),
    Case("deepseek gate_up 32x512+-30%", plusMinus30(32, 512, 4), 4096, 7168))

  private def median(xs: Seq[Float]) = xs.sorted.apply(xs.size / 2)
  private def hostMicros(body: => Unit): Double = {
    val samples = (0 until 9).map { _ => val t0 = System.nanoTime(); body; (System.nanoTime() - t0) / 1e3 }
    samples.sorted.apply(samples.size / 2)
  }
  private val widths = Seq.newBuilder[String]

  test("padding-free vs pad + padded: useful TFLOPS, speedup, memory saving") {
    val device = hopper()
    val lines = Seq.newBuilder[String]
    lines += "case,rows,padded_rows,n,k,block_n,stages,free_us,pad_us,padded_us,free_tflops,padded_path_tflops,speedup,memory_saving,rel_error,pad_gb_per_s,host_prepare_us"
    val json = Seq.newBuilder[String]
    for (c <- cases) {
      val f = GemmFixture.fromCounts(c.counts, c.n, c.k, c.n.toLong + c.counts.length)
      val experts = c.counts.length
      val rows = f.free.rows; val padRows = f.padded.paddedRows
      val stream = new CudaStream()
      val bufs = scala.collection.mutable.ArrayBuffer[AutoCloseable]()
      def keep[T <: AutoCloseable](b: T): T = { bufs += b; b }
      try {
        val b = keep(Up.weights(f.weights, "B")); val sb = keep(Up.weightScales(f.weights, "SB"))
        val a = keep(Up.activations(f.freeA, "A")); val sa = keep(Up.activationScales(f.freeA, "SA"))
        val d = keep(DeviceBuffer.allocate(2L * rows * c.n, "D"))
        val offsets = keep(DeviceBuffer.allocate(4L * (experts + 1), "offsets").copyFrom(f.free.offsets))
        val table = Up.blockTable(f.free.offsets)
        val starts = keep(DeviceBuffer.allocate(4L * math.max(2, table.length), "block table").copyFrom(table))
        val aPad = keep(DeviceBuffer.allocate(padRows.toLong * c.k, "A padded"))
        val saPad = keep(DeviceBuffer.allocate(4L * ((c.k + 127) / 128) * ((padRows + 3) / 4 * 4), "SA padded"))
        val dPad = keep(DeviceBuffer.allocate(2L * padRows * c.n, "D padded"))
        val source = keep(DeviceBuffer.allocate(4L * padRows, "pad source").copyFrom(LayoutBuilder.padSource(f.free, f.padded)))
        val index = keep(DeviceBuffer.allocate(4L * padRows, "group index").copyFrom(f.padded.groupIndex))
        val flush = keep(DeviceBuffer.allocate(256L << 20, "L2 flush"))
        val mBlocks = Up.blockStarts(f.free.offsets).last
        val config = GemmHeuristics.choose(c.n, c.k, mBlocks, device.multiprocessors)
        val free = new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, c.n, c.k, config)
        val padded = new Sm90Fp8GroupedGemm(Layout.PADDED, c.n, c.k, config)
        val pad = new PadRows()
        def prepareFree(g: Sm90Fp8GroupedGemm) = g.prepare(jit, device, new Operands(a, sa, b, sb, d, rows, experts),
          new LayoutArgs(offsets, starts, mBlocks, 0, mBlocks))
        def preparePad() = pad.prepare(jit, device, a, sa, rows, aPad, saPad, source, padRows, c.k)
        def preparePadded() = padded.prepare(jit, device, new Operands(aPad, saPad, b, sb, dPad, padRows, experts),
          new LayoutArgs(index, null, padRows, 0, padRows / 128))
        val freeLaunch = prepareFree(free); val padLaunch = preparePad(); val paddedLaunch = preparePadded()
        def runFree(): Unit = freeLaunch.enqueue(stream)
        def runPad(): Unit = padLaunch.enqueue(stream)
        def runPadded(): Unit = paddedLaunch.enqueue(stream)

        // correctness first, on the operands that are timed
        runFree(); runPad(); runPadded(); stream.synchronize(c.name)
        val dFree = d.toShorts; val dPadded = dPad.toShorts
        for (e <- 0 until experts; i <- 0 until c.counts(e)) {
          val r = f.free.offsets()(e) + i; val pr = f.padded.groupStarts()(e) + i
          assert(java.util.Arrays.equals(dFree, r * c.n, (r + 1) * c.n, dPadded, pr * c.n, (pr + 1) * c.n), s"${c.name}: row $r")
        }
        val sample = (0 until 16).map(i => (i * 7919) % rows)
        val actual = sample.flatMap(r => (0 until c.n).map(col => Bf16.toFloat(dFree(r * c.n + col)).toDouble)).toArray
        val expected = sample.flatMap { r =>
          val e = (0 until experts).find(x => f.free.offsets()(x) <= r && r < f.free.offsets()(x + 1)).get
          DoubleReference.compute(f.freeA, r, 1, f.weights, e).values().toSeq
        }.toArray
        val err = RelativeError.of(actual, expected)
        assert(err < 1e-3, s"${c.name}: relative error $err")

        val start = keep(new CudaEvent()); val stop = keep(new CudaEvent())
        def time(body: => Unit): Float = {
          for (_ <- 0 until 3) body // warm-up
          median((0 until runs).map { _ =>
            flush.fillAsync(runs.toByte, stream)
            start.record(stream); body; stop.record(stream).millisSince(start)
          })
        }
        val freeMs = time(runFree()); val padMs = time(runPad()); val paddedMs = time(runPadded())
        val prepareUs = hostMicros(prepareFree(free))
        if (c == cases.head) {
          // every tile width on this case: bit-identical to the chosen width, then timed the same way
          for (bn <- GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue)) {
            val variant = new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, c.n, c.k, GemmHeuristics.withBlockN(bn))
            val launch = prepareFree(variant)
            d.fill(0xFF.toByte); launch.enqueue(stream); stream.synchronize(s"${c.name} BLOCK_N=$bn")
            assert(java.util.Arrays.equals(d.toShorts, dFree), s"${c.name}: BLOCK_N=$bn differs from BLOCK_N=${config.blockN}")
            val ms = time(launch.enqueue(stream))
            println(f"GPU GEMM  ${c.name}%-32s BLOCK_N=$bn%3d stages=${variant.config.stages} ${ms * 1000}%8.1f us ${2.0 * rows * c.n * c.k / (ms * 1e9)}%7.1f TFLOPS${if (bn == config.blockN) "  (chosen)" else ""}")
            widths += Seq(c.name, bn, variant.config.stages, ms * 1000, 2.0 * rows * c.n * c.k / (ms * 1e9), bn == config.blockN).mkString(",")
          }
        }
        val flops = 2.0 * rows * c.n * c.k
        val freeTflops = flops / (freeMs * 1e9); val paddedTflops = flops / ((padMs + paddedMs) * 1e9)
        val speedup = (padMs + paddedMs) / freeMs
        val saving = MemoryAccounting.of(f.free, f.padded, c.n, c.k).savedFraction
        val padGBs = (rows.toLong * c.k + padRows.toLong * c.k) / (padMs * 1e6)
        println(f"GPU GEMM  ${c.name}%-32s rows=$rows%6d BLOCK_N=${config.blockN} free ${freeMs * 1000}%8.1f us ${freeTflops}%7.1f TFLOPS | pad ${padMs * 1000}%6.1f us ($padGBs%.0f GB/s) + padded ${paddedMs * 1000}%8.1f us ${paddedTflops}%7.1f TFLOPS | speedup ${speedup}%.3fx  memory saved ${saving * 100}%.1f%%  err $err%.1e  host prepare $prepareUs%.0f us")
        lines += Seq(c.name, rows, padRows, c.n, c.k, config.blockN, config.stages, freeMs * 1000, padMs * 1000, paddedMs * 1000,
          freeTflops, paddedTflops, speedup, saving, err, padGBs, prepareUs).mkString(",")
        json += s"""{"case":"${c.name}","rows":$rows,"padded_rows":$padRows,"n":${c.n},"k":${c.k},"block_n":${config.blockN},"stages":${config.stages},"free_us":${freeMs * 1000},"pad_us":${padMs * 1000},"padded_us":${paddedMs * 1000},"free_tflops":$freeTflops,"padded_path_tflops":$paddedTflops,"speedup":$speedup,"memory_saving":$saving,"rel_error":$err,"pad_gb_per_s":$padGBs,"host_prepare_us":$prepareUs}"""
      } finally { bufs.reverse.foreach(_.close()); stream.close() }
    }
    val dir = Paths.get(Option(System.getenv("OUT")).getOrElse(Option(System.getProperty("padfree.reports")).getOrElse("../reports") + "/kernels/" + LocalDate.now))
    Files.createDirectories(dir)
    AtomicFiles.writeString(dir.resolve("gemm-bench.csv"), lines.result().mkString("", "\n", "\n"))
    AtomicFiles.writeString(dir.resolve("gemm-bench.json"), json.result().mkString("[\n", ",\n", "\n]\n"))
    AtomicFiles.writeString(dir.resolve("gemm-block-n.csv"),
      ("case,block_n,stages,free_us,free_tflops,chosen" +: widths.result()).mkString("", "\n", "\n"))
    println(s"GPU GEMM benchmark written to ${dir.toAbsolutePath}")
  }


}
