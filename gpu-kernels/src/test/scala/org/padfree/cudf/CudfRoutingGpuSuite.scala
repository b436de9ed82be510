package org.padfree.cudf

import java.nio.file.Files
import org.padfree.InvalidInputException
import org.padfree.backend.{CudaBackend, DeviceRouting, GroupedGemmProblem, PathOutputs}
import org.padfree.cuda.{CudaDevice, CudaSettings, DeviceBuffer}
import org.padfree.cuda.gpu.GpuSuite
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.DeviceGemmOperands
import org.padfree.layout.LayoutBuilder
import org.padfree.quant.{Fp8Quantizer, QuantizedWeights}
import org.padfree.reference.SyntheticData
import org.padfree.routing.{RoutedBatch, RoutingDistribution, RoutingGenerator}
import org.scalatest.funsuite.AnyFunSuite

/**
 * The cuDF routing path on the H200: layouts built by cuDF on the GPU equal the host's element for
 * element (every array the kernels read), and the padded, padding-free and masked D computed from the
 * device-built layouts equal those from the host-built ones bit for bit. Cancels, visibly, without a
 * Hopper GPU or without the cuDF jar on the classpath (it is provided: see run-cudf.sh's classpath); on a
 * Hopper GPU with the jar, cuDF failing to start is a failure, not a cancellation.
 */
class CudfRoutingGpuSuite extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(Files.createTempDirectory("padfree-cudf")))
  private var opened: Option[CudaBackend] = None

  /** Device 0 with RMM initialised on it (a 1 GiB pool), or cancels. */
  private def cudfDevice(): CudaDevice = {
    val device = hopper()
    CudfJar.missing().ifPresent(reason => cancel(s"no cuDF: $reason"))
    CudfRuntime.initialize(device, 1L << 30)
    device
  }

  private def backend(device: CudaDevice): CudaBackend = {
    if (opened.isEmpty) opened = Some(new CudaBackend(device, jit))
    opened.get
  }

  override protected def afterAll(): Unit = {
    try opened.foreach(_.close()) finally super.afterAll()
  }

  private def ints(b: DeviceBuffer, count: Int): Array[Int] = {
    if (count == 0) return Array.empty
    val bytes = b.toBytes()
    val buf = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer()
    Array.tabulate(count)(buf.get)
  }

  private def batches: Seq[RoutedBatch] = {
    val standard = RoutingDistribution.standardSet()
    Seq(
      RoutedBatch.fromCounts("edges", "", "test", 1, Array(0, 128, 0, 129, 256, 1, 0), 3L),
      RoutedBatch.fromCounts("odd-blocks", "", "test", 2, Array(300, 383, 0, 129, 128), 3L),
      RoutedBatch.fromCounts("no-tokens", "", "test", 2, Array(0, 0, 0), 3L),
      RoutingGenerator.generate("deepseek-like", "", standard.get(3), 256, 8, 4096, 11L),
      RoutingGenerator.generate("qwen-like", "", standard.get(4), 128, 8, 2000, 12L),
      RoutingGenerator.generate("mixtral-like", "", standard.get(5), 8, 2, 3000, 13L))
  }

  private def assertLayoutsEqual(b: RoutedBatch, r: DeviceRouting): Unit = {
    val free = LayoutBuilder.paddingFree(b)
    val padded = LayoutBuilder.padded(b)
    val masked = LayoutBuilder.masked(b, LayoutBuilder.largestGroup(b))
    val host = GroupedGemmProblem.synthetic(b, 1L, tinyWeights(b.numExperts))
    val what = s"batch ${b.batchId} (E=${b.numExperts}, top_k=${b.topK}, tokens=${b.numTokens})"
    assert(r.hostOffsets.sameElements(free.offsets) && ints(r.offsets, b.numExperts + 1).sameElements(free.offsets), s"offsets of $what")
    assert(r.hostGroupStarts.sameElements(padded.groupStarts), s"group starts of $what")
    assert(ints(r.rowSource, b.routedRows).sameElements(free.rowSource), s"row source (stable permutation) of $what")
    assert(ints(r.tokenOfRow, b.routedRows).sameElements(host.tokenOfRow), s"token of row of $what")
    assert(ints(r.counts, b.numExperts).sameElements(masked.counts), s"counts of $what")
    assert(ints(r.groupIndex, padded.paddedRows).sameElements(padded.groupIndex), s"group index of $what")
    assert(ints(r.padSource, padded.paddedRows).sameElements(host.padSource), s"pad source of $what")
    assert(r.maxRows == masked.maxRows && ints(r.maskedSource, masked.rowSource.length).sameElements(host.maskedSource),
      s"masked source of $what")
    val table = DeviceGemmOperands.blockTable(free.offsets)
    assert(r.blocks == table.length / 2 && ints(r.blockTable, table.length).sameElements(table), s"block table of $what")
  }

  private def tinyWeights(experts: Int): QuantizedWeights =
    new QuantizedWeights(128, 128, Array.fill(experts)(new Array[Byte](128 * 128)), Array.fill(experts)(new Array[Float](1)))

  test("layouts built by cuDF on the GPU equal the host's element for element") {
    val device = cudfDevice()
    for (b <- batches) {
      val start = System.nanoTime()
      val r = CudfRouting.build(device, b.expertIds, b.numExperts, b.topK, b.batchId)
      val ms = (System.nanoTime() - start) / 1e6
      try assertLayoutsEqual(b, r) finally r.close()
      info(f"${b.batchId}: ${b.routedRows} rows, E=${b.numExperts}: cuDF routing $ms%.2f ms (upload included)")
    }
  }

  test("D from device-built layouts equals D from host-built layouts, bit for bit, on every path") {
    val device = cudfDevice()
    val gpu = backend(device)
    val (n, k) = (256, 512)
    for (b <- batches.filter(_.routedRows <= 20000)) {
      val mats = Array.tabulate(math.min(4, b.numExperts))(m => Fp8Quantizer.quantizeWeights(SyntheticData.weights(41L + m, n, k), n, k))
      val w = new QuantizedWeights(n, k, Array.tabulate(b.numExperts)(e => mats(e % mats.length).values()(0)),
        Array.tabulate(b.numExperts)(e => mats(e % mats.length).scales()(0)))
      val host = GroupedGemmProblem.synthetic(b, 99L, w)
      val hostOut: PathOutputs = gpu.run(host, 1)
      val r = CudfRouting.build(device, b.expertIds, b.numExperts, b.topK, b.batchId)
      try {
        val routed = GroupedGemmProblem.synthetic(b, 99L, w).withDeviceRouting(r)
        val devOut = gpu.run(routed, 1)
        for ((name, a, d) <- Seq(("padded", hostOut.padded, devOut.padded), ("padding-free", hostOut.paddingFree, devOut.paddingFree),
            ("masked", hostOut.masked, devOut.masked))) {
          assert(java.util.Arrays.equals(a.bits, d.bits), s"$name D of batch ${b.batchId} differs between host and cuDF layouts")
        }
        // The device-compared form: sampled rows come back, their tokens read from the device routing.
        if (b.routedRows > 0) {
          val rows = Array(0, b.routedRows / 2, b.routedRows - 1).distinct
          val checked = gpu.run(routed, 1, rows)
          assert(checked.paddedMismatches == 0 && checked.maskedMismatches == 0, s"paths differ on batch ${b.batchId}")
          assert(routed.tokensOfRows(rows).sameElements(rows.map(host.tokenOfRow()(_))), s"sampled tokens of ${b.batchId}")
        }
      } finally r.close()
    }
  }

  test("ids out of range are refused on the device, naming the batch") {
    val device = cudfDevice()
    val e = intercept[InvalidInputException](CudfRouting.build(device, Array(0, 1, 9, 2), 4, 2, "bad-ids"))
    assert(e.getMessage.contains("expert_ids") && e.getMessage.contains("bad-ids"))
    val twice = intercept[InvalidInputException](CudfRouting.build(device, Array(1, 1), 4, 2, "bad-twice"))
    assert(twice.getMessage.contains("twice"))
  }

  test("a DeepSeek-V3-sized batch: cuDF routing time against the host's layouts") {
    val device = cudfDevice()
    val b = RoutingGenerator.generate("ds-v3-8k", "", RoutingDistribution.standardSet().get(3), 256, 8, 8192, 21L)
    def hostMs(): Double = {
      val t = System.nanoTime()
      val p = GroupedGemmProblem.synthetic(b, 1L, tinyWeights(256))
      p.padSource(); p.maskedSource(); DeviceGemmOperands.blockTable(p.paddingFree.offsets)
      (System.nanoTime() - t) / 1e6
    }
    def cudfMs(): Double = {
      val t = System.nanoTime()
      CudfRouting.build(device, b.expertIds, 256, 8, b.batchId).close()
      (System.nanoTime() - t) / 1e6
    }
    (1 to 3).foreach { _ => hostMs(); cudfMs() }
    val host = (1 to 5).map(_ => hostMs()).sorted.apply(2)
    val dev = (1 to 5).map(_ => cudfMs()).sorted.apply(2)
    info(f"${b.routedRows} routed rows, E=256: host layouts $host%.2f ms, cuDF on the GPU $dev%.2f ms (median of 5)")
  }
}
