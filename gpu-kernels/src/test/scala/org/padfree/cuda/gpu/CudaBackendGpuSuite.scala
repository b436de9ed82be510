package org.padfree.cuda.gpu

import java.nio.file.Files
import org.padfree.InvalidInputException
import org.padfree.backend.{CpuBackend, CudaBackend, DeviceMemoryException, GroupedGemmProblem, PathOutputs}
import org.padfree.cuda.CudaSettings
import org.padfree.cuda.jit.KernelJit
import org.padfree.quant.Fp8Quantizer
import org.padfree.numerics.Bf16
import org.padfree.reference.{Bf16Matrix, RelativeError, SyntheticData}
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

/**
 * The CUDA backend against the exact CPU backend, on batches with empty and size-1 groups, one row, no
 * rows, and a weight bank (experts sharing matrices, replicated on the device): the GPU's padded,
 * padding-free and masked outputs are bit-identical to each other on every valid row; valid rows are
 * within DeepGEMM's relative error (< 1e-3) of the CPU's exact result (the tensor cores sum a 128-wide
 * K block in their own order and precision, so GPU and CPU are not bit-identical, see DESIGN); rows
 * that hold no token (padding, masked rows past the count) equal the CPU's bit for bit.
 */
class CudaBackendGpuSuite extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(Files.createTempDirectory("padfree-backend")))
  private var opened: Option[CudaBackend] = None
  private lazy val cpu = new CpuBackend(2)

  /** The backend under test on device 0, opened on first use (cancels the test without a Hopper GPU). */
  private def gpu: CudaBackend = {
    val device = hopper()
    if (opened.isEmpty) opened = Some(new CudaBackend(device, jit))
    opened.get
  }

  override protected def afterAll(): Unit = {
    try {
      opened.foreach(_.close())
      cpu.close()
    } finally super.afterAll()
  }

  /** Weights with {@code bank} distinct matrices (0 = one per expert); shared arrays, as the job's bank makes them. */
  private def weights(experts: Int, n: Int, k: Int, bank: Int, seed: Long) = {
    val distinct = if (bank == 0) experts else math.min(bank, experts)
    val mats = Array.tabulate(distinct)(m => Fp8Quantizer.quantizeWeights(SyntheticData.weights(seed * 101 + m, n, k), n, k))
    new org.padfree.quant.QuantizedWeights(n, k, Array.tabulate(experts)(e => mats(e % distinct).values()(0)),
      Array.tabulate(experts)(e => mats(e % distinct).scales()(0)))
  }

  private def problem(counts: Array[Int], n: Int, k: Int, seed: Long, bank: Int = 0, topK: Int = 1) = {
    val batch = RoutedBatch.fromCounts(s"case-$seed", "", "test", topK, counts, seed)
    val tokens = Fp8Quantizer.quantizeActivations(SyntheticData.activations(seed, batch.numTokens, k), batch.numTokens, k)
    GroupedGemmProblem.of(batch, tokens, weights(counts.length, n, k, bank, seed))
  }

  /** Rows of `m` at `rows` as doubles, concatenated. */
  private def values(m: Bf16Matrix, rows: Seq[Int]): Array[Double] =
    rows.flatMap(r => (0 until m.cols).map(c => Bf16.toFloat(m.bits()(r * m.cols + c)).toDouble)).toArray

  private def assertRowsEqual(name: String, what: String, a: Bf16Matrix, ra: Int, b: Bf16Matrix, rb: Int): Unit = {
    val same = java.util.Arrays.equals(a.bits, ra * a.cols, (ra + 1) * a.cols, b.bits, rb * b.cols, (rb + 1) * b.cols)
    assert(same, s"$name: $what differ (row $ra vs row $rb)")
  }

  private def check(name: String, p: GroupedGemmProblem, g: PathOutputs, c: PathOutputs): Unit = {
    for ((path, gm, cm) <- Seq(("padding-free", g.paddingFree, c.paddingFree), ("padded", g.padded, c.padded),
        ("masked", g.masked, c.masked)))
      assert(gm.rows == cm.rows && gm.cols == cm.cols, s"$name $path: shape ${gm.rows}x${gm.cols} vs ${cm.rows}x${cm.cols}")
    val offsets = p.paddingFree.offsets; val starts = p.padded.groupStarts; val counts = p.masked.counts
    val maxRows = p.masked.maxRows
    for (e <- counts.indices; i <- 0 until counts(e)) {
      assertRowsEqual(name, "GPU padded and padding-free valid rows", g.padded, starts(e) + i, g.paddingFree, offsets(e) + i)
      assertRowsEqual(name, "GPU masked and padding-free valid rows", g.masked, e * maxRows + i, g.paddingFree, offsets(e) + i)
    }
    val valid = 0 until g.paddingFree.rows
    if (valid.nonEmpty) {
      val err = RelativeError.of(values(g.paddingFree, valid), values(c.paddingFree, valid))
      assert(err < 1e-3, s"$name: relative error $err of the GPU's valid rows against the CPU's")
    }
    val paddingRows = (0 until g.padded.rows).filter(r => p.padded.groupIndex()(r) < 0)
    for (r <- paddingRows) assertRowsEqual(name, "padding rows of GPU and CPU", g.padded, r, c.padded, r)
    for (e <- counts.indices; i <- counts(e) until maxRows)
      assertRowsEqual(name, "masked rows past the count of GPU and CPU", g.masked, e * maxRows + i, c.masked, e * maxRows + i)
  }

  private def compare(name: String, p: GroupedGemmProblem, reps: Int = 3): PathOutputs = {
    val g = gpu.run(p, reps)
    val c = cpu.run(p, 1)
    check(name, p, g, c)
    val t = g.timings
    assert(t.repetitions == reps, name)
    if (p.dispatched.rows > 0) {
      assert(t.padMs > 0 && t.paddedGemmMs > 0 && t.paddingFreeGemmMs > 0 && t.maskedGemmMs > 0, s"$name: $t")
      assert(g.deviceBusyMs > 0 && g.deviceBusyMs <= g.callWallMs, s"$name: busy ${g.deviceBusyMs} ms of ${g.callWallMs} ms")
    }
    info(f"$name%-40s rows=${p.dispatched.rows}%6d busy=${g.deviceBusyMs}%.2f ms of ${g.callWallMs}%.2f ms; ${g.kernelConfig}")
    g
  }

  test("edge groups (empty, 1, 127, 128, 129, 300 rows) match the CPU backend on every path") {
    compare("edge groups N=256 K=512", problem(Array(0, 1, 127, 128, 129, 0, 300, 5), 256, 512, 1L))
    compare("K tail N=192 K=400", problem(Array(3, 70, 0, 140), 192, 400, 2L))
    compare("top-2 routing N=128 K=256", problem(Array(40, 0, 1, 17, 60, 2), 128, 256, 3L, topK = 2))
  }

  test("one row, and no rows at all") {
    compare("single row N=128 K=128", problem(Array(1), 128, 128, 4L))
    compare("single row among empties", problem(Array(0, 0, 1, 0), 256, 256, 5L))
    val empty = gpu.run(problem(Array(0, 0, 0), 128, 256, 6L), 2)
    // no tokens: no padding-free or padded rows; the masked layout still has its [E][max_rows] frame
    assert(empty.paddingFree.rows == 0 && empty.padded.rows == 0)
    assert(empty.masked.rows == 3 * problem(Array(0, 0, 0), 128, 256, 6L).masked.maxRows)
  }

  test("a weight bank: experts sharing matrices are replicated on the device and stay resident") {
    val p = problem(Array.tabulate(24)(e => (e * 37) % 90), 256, 512, 7L, bank = 5)
    val before = gpu.residentWeightSets
    val out = compare("24 experts from 5 matrices", p)
    assert(out.kernelConfig.contains("from 5 distinct matrices"), out.kernelConfig)
    assert(gpu.residentWeightSets == before + 1)
    // the same weights again (another batch): no new upload
    val batch2 = RoutedBatch.fromCounts("again", "", "test", 1, Array.tabulate(24)(e => e % 7), 8L)
    val tokens2 = Fp8Quantizer.quantizeActivations(SyntheticData.activations(8L, batch2.numTokens, 512), batch2.numTokens, 512)
    val again = GroupedGemmProblem.of(batch2, tokens2, p.weights)
    compare("same weights, another batch", again)
    assert(gpu.residentWeightSets == before + 1, "the weight set was reused, not uploaded again")
  }

  test("larger shapes: DeepSeek-V3 down N=7168 K=2048 with 64 groups, and workspace growth across calls") {
    val random = new java.util.SplittableRandom(9L)
    compare("small first", problem(Array.tabulate(16)(_ => random.nextInt(0, 40)), 7168, 2048, 9L, bank = 4))
    compare("deepseek down 64 groups", problem(Array.tabulate(64)(_ => random.nextInt(0, 200)), 7168, 2048, 10L, bank = 4), reps = 2)
  }

  test("paths compared on the device: zero mismatches, and the requested rows equal the full run's") {
    val random = new java.util.SplittableRandom(12L)
    val p = problem(Array.tabulate(40)(e => if (e % 9 == 0) 0 else random.nextInt(1, 300)), 1024, 512, 13L, bank = 4)
    val full = gpu.run(p, 2)
    val rows = Array(0, 5, p.dispatched.rows - 1, 77)
    val checked = gpu.run(p, 2, rows)
    assert(checked.checkedOnDevice && !full.checkedOnDevice)
    assert(checked.paddedMismatches == 0 && checked.maskedMismatches == 0,
      s"device comparison found ${checked.paddedMismatches} padded and ${checked.maskedMismatches} masked mismatches")
    assert(checked.padded == null && checked.masked == null && checked.paddingFree.rows == rows.length)
    for ((r, i) <- rows.zipWithIndex)
      assertRowsEqual("device-checked", "requested row and the full run's row", checked.paddingFree, i, full.paddingFree, r)
    assert(checked.deviceBusyMs > 0)
    val bad = intercept[InvalidInputException](gpu.run(p, 1, Array(p.dispatched.rows)))
    assert(bad.getMessage.contains(s"check_rows[0] = ${p.dispatched.rows}"))
  }

  test("synthetic tokens made on the device: the host never makes them, and D equals the uploaded tokens' D") {
    val random = new java.util.SplittableRandom(14L)
    val counts = Array.tabulate(32)(e => if (e % 7 == 0) 0 else random.nextInt(1, 400))
    val uploaded = problem(counts, 1024, 2048, 15L, bank = 4, topK = 1)
    val made = GroupedGemmProblem.synthetic(uploaded.batch, 15L, uploaded.weights)
    val rows = Array(0, 9, made.rows - 1)
    val onDevice = gpu.run(made, 2, rows)
    assert(!made.tokensOnHost, "the backend made the tokens on the device, not on the host")
    val fromHost = gpu.run(uploaded, 2, rows)
    assert(onDevice.paddedMismatches == 0 && onDevice.maskedMismatches == 0)
    for (i <- rows.indices)
      assertRowsEqual("synthetic", "rows from device-made and uploaded tokens", onDevice.paddingFree, i, fromHost.paddingFree, i)
  }

  test("synthetic weights made on the device are the host's bytes (codes and scales)") {
    val seeds = Array(3L, -9L, 1234567L)
    for ((n, k) <- Seq((200, 400), (4096, 7168))) {
      val fromGpu = gpu.syntheticWeights(seeds, n, k)
      val fromHost = cpu.syntheticWeights(seeds, n, k)
      for (m <- seeds.indices) {
        assert(java.util.Arrays.equals(fromGpu(m).values()(0), fromHost(m).values()(0)), s"n=$n k=$k seed ${seeds(m)}: FP8 codes")
        assert(java.util.Arrays.equals(fromGpu(m).scales()(0), fromHost(m).scales()(0)), s"n=$n k=$k seed ${seeds(m)}: scales")
      }
    }
  }

  test("a layout corrupted after construction fails on the host, and the backend keeps working") {
    val backend = gpu
    val p = problem(Array(3, 0, 5), 128, 256, 11L)
    p.padded.groupIndex()(1) = 9
    val e = intercept[InvalidInputException](backend.run(p, 1))
    assert(e.getMessage.contains("group_index[1] = 9"), e.getMessage)
    compare("after a rejected layout", problem(Array(3, 0, 5), 128, 256, 12L))
  }

  test("a batch whose buffers exceed the device fails cleanly with its size and the limit; the next batch runs") {
    val backend = gpu
    val device = backend.cudaDevice
    // Two experts, N=8192 K=128: each routed row needs 16 KiB of D per path, so this many rows make
    // the padding-free D alone as large as the whole card (the padded and masked D's double it again).
    val n = 8192
    val rows = math.min(Int.MaxValue / 4L, device.totalMemory / (2L * n) + 1).toInt
    val counts = Array(rows / 2, rows - rows / 2)
    val batch = RoutedBatch.fromCounts("too-big", "", "test", 1, counts, 21L)
    val small = weights(2, n, 128, 0, 21L)
    val huge = GroupedGemmProblem.synthetic(batch, 21L, small)
    val freeBefore = device.memoryInfo()(0)
    val e = intercept[DeviceMemoryException](backend.run(huge, 1, Array(0)))
    info(e.getMessage)
    for (part <- Seq("batch too-big does not fit in device memory", s"$rows routed rows", s"N=$n K=128", "need ",
        "can be free on", device.describe, "smaller batches"))
      assert(e.getMessage.contains(part), s"message lacks '$part': ${e.getMessage}")
    val freeAfter = device.memoryInfo()(0)
    assert(freeAfter >= freeBefore - (64L << 20), s"the rejected batch left memory allocated: free $freeBefore -> $freeAfter")
    compare("after a batch too big for the device", problem(Array(3, 0, 130, 7), 256, 512, 22L))
  }

  test("an allocation that runs out of memory (another process holds the card) fails that batch only") {
    // A backend of its own: the suite's shared one may already hold a workspace large enough for the
    // batch below (then it would rightly need no new memory at all).
    val backend = new CudaBackend(hopper(), jit)
    try {
      val device = backend.cudaDevice
      val p = problem(Array(200, 64, 0, 300), 2048, 1024, 23L)
      check("before the card fills up", p, backend.run(p, 1), cpu.run(p, 1))
      // Hold almost all free memory, as another process on the GPU would: the estimate counts this
      // backend's own buffers as reusable, so the shortfall may only show when allocating.
      val hogs = scala.collection.mutable.ArrayBuffer[org.padfree.cuda.DeviceBuffer]()
      try {
        var free = device.memoryInfo()(0)
        while (free > (64L << 20)) {
          val chunk = math.max(16L << 20, math.min(free - (32L << 20), 8L << 30))
          hogs += org.padfree.cuda.DeviceBuffer.allocate(chunk, "memory hog")
          free = device.memoryInfo()(0)
        }
        val bigger = problem(Array(5000, 3000, 0, 8000), 4096, 2048, 24L)
        val e = intercept[DeviceMemoryException](backend.run(bigger, 1))
        // Which check fires depends on what the backend already holds (reusable buffers and other weight
        // sets count as available): the estimate before allocating, or an allocation failing; both must
        // fail this batch alone with its size.
        val where = if (e.getMessage.startsWith("cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY")) "an allocation" else "the estimate"
        info(s"rejected by $where: ${e.getMessage}")
        assert(e.getMessage.contains("batch case-24 does not fit in device memory"), e.getMessage)
        assert(e.getMessage.contains("16000 routed rows") && e.getMessage.contains("N=4096 K=2048"), e.getMessage)
      } finally hogs.foreach(_.close())
      check("the same backend after running out of memory", p, backend.run(p, 1), cpu.run(p, 1))
    } finally backend.close()
  }
}
