package org.padfree.cuda.gpu

import java.nio.file.Files
import org.padfree.cuda._
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.{DeviceGemmOperands => Up, GemmHeuristics, Sm90Fp8GroupedGemm}
import org.padfree.cuda.kernels.GemmHeuristics.Multicast
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.{Layout, LayoutArgs, Operands}
import org.padfree.numerics.Bf16
import org.padfree.reference.{DoubleReference, GemmFixture, RelativeError}
import org.scalatest.funsuite.AnyFunSuite

/**
 * The FP8 grouped GEMM on the H200 against the CPU: fresh random data per case, D poison-filled
 * first; padding-free vs double reference (relative error < 1e-3 on sampled rows); padded and masked
 * bit-identical to padding-free on every valid row; nothing written outside valid rows.
 */
class Fp8GroupedGemmGpuSuite extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(Files.createTempDirectory("padfree-gemm")))
  private val Poison: Short = 0xFFFF.toShort // a BF16 NaN


  private def runCase(name: String, counts: Array[Int], n: Int, k: Int, seed: Long, sampledRows: Int = 48,
      multicast: Option[Multicast] = None, blockN: Option[Int] = None, twoStreams: Boolean = false): Unit = {
    val device = hopper()
    val f = GemmFixture.fromCounts(counts, n, k, seed)
    val rows = f.free.rows
    val guard = 8
    val experts = counts.length
    val stream = new CudaStream()
    // twoStreams: the padded GEMM runs on its own stream, at the same time as the padding-free one
    val paddedStream = if (twoStreams) new CudaStream() else stream
    val buffers = scala.collection.mutable.ArrayBuffer[DeviceBuffer]()
    def keep(b: DeviceBuffer) = { buffers += b; b }
    try {
      val b = keep(Up.weights(f.weights, "B")); val sb = keep(Up.weightScales(f.weights, "SB"))
      val mBlocksFree = Up.blockStarts(f.free.offsets).last
      val chosen = GemmHeuristics.choose(n, k, mBlocksFree, device.multiprocessors)
      // A multicast is built for BLOCK_N 128 only; B multicast for every width
      val width = blockN.map(GemmHeuristics.withBlockN).getOrElse(
        if (multicast.contains(Multicast.A)) GemmHeuristics.withBlockN(128) else chosen)
      val config = multicast.fold(width)(width.withMulticast)

      // padding-free
      val aFree = keep(Up.activations(f.freeA, "A free")); val saFree = keep(Up.activationScales(f.freeA, "SA free"))
      val dFree = keep(DeviceBuffer.allocate(2L * (rows + guard) * n, "D free")).fill(0xFF.toByte)
      val offsets = keep(DeviceBuffer.allocate(4L * (experts + 1), "offsets").copyFrom(f.free.offsets))
      val table = Up.blockTable(f.free.offsets)
      val starts = keep(DeviceBuffer.allocate(4L * math.max(2, table.length), "block table").copyFrom(table))
      new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, n, k, config).run(jit, device, stream,
        new Operands(aFree, saFree, b, sb, dFree, rows, experts), new LayoutArgs(offsets, starts, mBlocksFree, 0, mBlocksFree))

      // padded
      val padRows = f.padded.paddedRows
      val aPad = keep(Up.activations(f.paddedA, "A padded")); val saPad = keep(Up.activationScales(f.paddedA, "SA padded"))
      val dPad = keep(DeviceBuffer.allocate(2L * math.max(1, padRows) * n, "D padded")).fill(0xFF.toByte)
      val index = keep(DeviceBuffer.allocate(4L * math.max(1, padRows), "group index").copyFrom(f.padded.groupIndex))
      new Sm90Fp8GroupedGemm(Layout.PADDED, n, k, config).run(jit, device, paddedStream,
        new Operands(aPad, saPad, b, sb, dPad, padRows, experts), new LayoutArgs(index, null, padRows, 0, padRows / 128))

      // masked
      val maxRows = f.masked.maxRows
      val aMask = keep(Up.activations(f.maskedA, "A masked")); val saMask = keep(Up.activationScales(f.maskedA, "SA masked"))
      val dMask = keep(DeviceBuffer.allocate(2L * experts * maxRows * n, "D masked")).fill(0xFF.toByte)
      val maskCounts = keep(DeviceBuffer.allocate(4L * experts, "counts").copyFrom(f.masked.counts))
      new Sm90Fp8GroupedGemm(Layout.MASKED, n, k, config).run(jit, device, stream,
        new Operands(aMask, saMask, b, sb, dMask, experts * maxRows, experts),
        new LayoutArgs(maskCounts, null, experts, maxRows, experts * ((maxRows + 127) / 128)))
      stream.synchronize(s"$name: GEMMs")
      paddedStream.synchronize(s"$name: padded GEMM")
      // the dynamic tile schedule leaves each stream's counters zero for its next launch
      for (st <- Seq(stream, paddedStream); word <- 0 until 2)
        assert(st.workCounters().readInt(4L * word) == 0, s"$name: tile counter $word left at ${st.workCounters().readInt(4L * word)}")

      val free = dFree.toShorts
      val padded = dPad.toShorts
      val masked = dMask.toShorts
      for (i <- rows * n until (rows + guard) * n) assert(free(i) == Poison, s"$name: guard element ${i - rows * n} written")
      var mismatchPadded = 0L; var mismatchMasked = 0L
      val examples = scala.collection.mutable.ArrayBuffer[String]()
      for (e <- counts.indices; i <- 0 until counts(e)) {
        val r = f.free.offsets()(e) + i
        val pr = f.padded.groupStarts()(e) + i
        val mr = e * maxRows + i
        for (c <- 0 until n) {
          assert(free(r * n + c) != Poison, s"$name: row $r col $c not written")
          if (free(r * n + c) != padded(pr * n + c)) {
            mismatchPadded += 1
            if (examples.size < 6) examples += f"(expert $e, row-in-group $i, row-in-tile ${i % 128}, col $c: free ${Bf16.toFloat(free(r * n + c))} padded ${Bf16.toFloat(padded(pr * n + c))})"
          }
          if (free(r * n + c) != masked(mr * n + c)) mismatchMasked += 1
        }
      }
      if (mismatchPadded > 0) {
        // Diagnose: is the padding-free kernel itself deterministic?
        val again = keep(DeviceBuffer.allocate(2L * (rows + guard) * n, "D free again")).fill(0xFF.toByte)
        new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, n, k, config).run(jit, device, stream,
          new Operands(aFree, saFree, b, sb, again, rows, experts), new LayoutArgs(offsets, starts, mBlocksFree, 0, mBlocksFree))
        stream.synchronize("rerun")
        val second = again.toShorts
        val rerunDiffs = (0 until rows * n).count(i => second(i) != free(i))
        info(s"$name: padding-free rerun differs in $rerunDiffs elements; examples: ${examples.mkString("; ")}")
        // which side is wrong: the first mismatching row against the double reference
        val (e0, i0) = (for (e <- counts.indices; i <- 0 until counts(e)) yield (e, i)).find { case (e, i) =>
          val r = f.free.offsets()(e) + i; val pr = f.padded.groupStarts()(e) + i
          (0 until n).exists(c => free(r * n + c) != padded(pr * n + c)) }.get
        val r0 = f.free.offsets()(e0) + i0; val pr0 = f.padded.groupStarts()(e0) + i0
        val ref = DoubleReference.compute(f.freeA, r0, 1, f.weights, e0).values()
        val freeErr = RelativeError.of(Array.tabulate(n)(c => Bf16.toFloat(free(r0 * n + c)).toDouble), ref)
        val padErr = RelativeError.of(Array.tabulate(n)(c => Bf16.toFloat(padded(pr0 * n + c)).toDouble), ref)
        val badCols = (0 until n).filter(c => free(r0 * n + c) != padded(pr0 * n + c))
        info(f"$name: row $r0 (expert $e0, row $i0): error free $freeErr%.2e padded $padErr%.2e; differing columns ${badCols.head}..${badCols.last} (${badCols.size})")
      }
      assert(mismatchPadded == 0, s"$name: padded differs from padding-free in $mismatchPadded elements: ${examples.mkString("; ")}")
      assert(mismatchMasked == 0, s"$name: masked differs from padding-free in $mismatchMasked elements")
      for (e <- counts.indices; i <- counts(e) until maxRows; c <- 0 until n)
        assert(masked((e * maxRows + i) * n + c) == Poison, s"$name: masked row ${e * maxRows + i} past the count was written")

      // sampled rows against the double-precision reference
      val random = new java.util.SplittableRandom(seed)
      val sample = if (rows == 0) Array.empty[Int] else random.ints(0, rows).distinct().limit(math.min(sampledRows, rows)).toArray
      val actual = new Array[Double](sample.length * n); val expected = new Array[Double](sample.length * n)
      for ((r, s) <- sample.zipWithIndex) {
        val expert = (0 until experts).find(x => f.free.offsets()(x) <= r && r < f.free.offsets()(x + 1)).get
        val ref = DoubleReference.compute(f.freeA, r, 1, f.weights, expert)
        for (c <- 0 until n) { actual(s * n + c) = Bf16.toFloat(free(r * n + c)); expected(s * n + c) = ref.values()(c) }
      }
      val err = if (sample.isEmpty) 0.0 else RelativeError.of(actual, expected)
      assert(err < 1e-3, s"$name: relative error $err against the double reference")
      info(f"$name%-44s rows=$rows%6d padded=$padRows%6d BLOCK_N=${config.blockN} stages=${config.stages} multicast=${config.multicast} rel.err=$err%.2e")
    } finally { buffers.foreach(_.close()); stream.close(); paddedStream.close() }
  }

  test("edge groups: empty, 1, 127, 128, 129 and 300 rows; small N and K") {
    runCase("edge groups N=256 K=512", Array(0, 1, 127, 128, 129, 0, 300, 5), 256, 512, 1L)
    runCase("single row, one expert N=128 K=128", Array(1), 128, 128, 2L)
    runCase("K tail N=192 K=400", Array(3, 70, 0, 140), 192, 400, 3L)
    runCase("edge groups, A multicast N=256 K=512", Array(0, 1, 127, 128, 129, 0, 300, 5), 256, 512, 4L, multicast = Some(Multicast.A))
    runCase("K tail, A multicast N=256 K=400", Array(3, 70, 0, 140), 256, 400, 5L, multicast = Some(Multicast.A))
    // B multicast: pairs of M-blocks of one expert share B; pairs across experts, a last odd block and
    // 0-row tiles of the padded and masked layouts take the per-tile fallback
    runCase("edge groups, B multicast N=256 K=512", Array(0, 1, 127, 128, 129, 0, 300, 5), 256, 512, 6L, multicast = Some(Multicast.B))
    runCase("K tail, B multicast N=192 K=400", Array(3, 70, 0, 140, 257), 192, 400, 7L, multicast = Some(Multicast.B))
    runCase("one block, B multicast N=128 K=256", Array(5), 128, 256, 8L, multicast = Some(Multicast.B))
  }

  test("every tile width: groups of 0 to 130 rows (every residual box combination), tiles straddling scale blocks") {
    // Sizes 0..130 give each warpgroup every count of valid rows 1..64, so the TMA epilogue stores
    // every combination of boxes from the descriptor pool; N = 576 is 4.5 scale blocks, so tiles of
    // 96, 112, 160 and 192 columns straddle two weight-scale blocks and the last tile is partial.
    val counts = Array.tabulate(131)(identity)
    for (bn <- GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue))
      runCase(s"sizes 0..130, BLOCK_N=$bn N=576 K=384", counts, 576, 384, 60L + bn, sampledRows = 64, blockN = Some(bn))
    for (bn <- GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue))
      runCase(s"sizes 0..130, BLOCK_N=$bn B multicast N=576 K=384", counts, 576, 384, 80L + bn, sampledRows = 64,
        blockN = Some(bn), multicast = Some(Multicast.B))
    runCase("BLOCK_N=192 K tail N=4096 K=400", Array(3, 70, 0, 140, 129), 4096, 400, 61L, blockN = Some(192))
    runCase("BLOCK_N=112 N=7168 K=2048", Array(65, 1, 300, 127), 7168, 2048, 62L, blockN = Some(112))
  }

  test("K-heavy small case: more K blocks than pipeline stages") {
    runCase("K-heavy N=256 K=2048", Array(300, 200, 5), 256, 2048, 41L)
    runCase("K-heavy N=512 K=4096", Array(700, 129), 512, 4096, 42L)
    runCase("K-heavy BLOCK_N=128 N=1024 K=4096", Array(300, 400, 250, 180), 1024, 4096, 43L)
    runCase("K-heavy multi-tile N=1024 K=4096", Array(1500, 1300, 1700, 1200, 900), 1024, 4096, 44L)
    runCase("K-heavy multi-tile, no multicast", Array(1500, 1300, 1700, 1200, 900), 1024, 4096, 45L, multicast = Some(Multicast.NONE))
    runCase("K-heavy multi-tile, B multicast", Array(1500, 1300, 1700, 1200, 900), 1024, 4096, 46L, multicast = Some(Multicast.B))
  }

  test("DeepSeek-V3 shapes: gate_up N=4096 K=7168 and down N=7168 K=2048, 8 groups of ~512 rows (+-30%)") {
    val counts = Array(512, 358, 665, 430, 600, 380, 512, 641)
    runCase("deepseek gate_up 8 groups", counts, 4096, 7168, 11L)
    runCase("deepseek down 8 groups", counts, 7168, 2048, 12L)
  }

  test("Qwen3 shapes, 32 groups with empty and size-1 groups") {
    // 32 distinct experts keep the CPU-side weights (float before quantization) within the test heap
    val random = new java.util.SplittableRandom(5L)
    val counts = Array.tabulate(32)(e => if (e % 7 == 0) 0 else if (e % 5 == 0) 1 else random.nextInt(0, 300))
    runCase("qwen3 N=3072 K=4096 32 groups", counts, 3072, 4096, 21L)
    runCase("qwen3 N=4096 K=1536 32 groups", counts, 4096, 1536, 22L)
  }

  test("dynamic tile schedule: many waves, residual tiles, two streams at once each with its own counters") {
    // ~60 row blocks x 22 N-blocks = ~10 waves of 132 blocks, a residual block per group; the padded GEMM
    // runs on a second stream while the padding-free one runs, so a shared counter would hand one
    // launch's tiles to the other and leave rows unwritten or wrong
    val random = new java.util.SplittableRandom(9L)
    val counts = Array.tabulate(24)(_ => random.nextInt(1, 600))
    runCase("dynamic tiles, two streams N=4096 K=512", counts, 4096, 512, 91L, twoStreams = true)
    runCase("dynamic tiles, one stream N=4096 K=512", counts, 4096, 512, 92L)
  }

  test("totals from 1 to 65536 rows, 1 to 256 groups") {
    runCase("1 row", Array(1), 512, 256, 31L)
    val random = new java.util.SplittableRandom(7L)
    runCase("256 groups, ~16k rows", Array.tabulate(256)(_ => random.nextInt(0, 128)), 256, 256, 32L)
    runCase("65536 rows, 4 groups", Array(16384, 16000, 16768, 16384), 256, 256, 33L, sampledRows = 16)
  }
}
