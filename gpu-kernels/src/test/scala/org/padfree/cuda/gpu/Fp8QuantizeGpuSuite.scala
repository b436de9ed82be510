package org.padfree.cuda.gpu

import java.nio.file.Files
import org.padfree.cuda._
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.{DeviceGemmOperands => Up, Fp8Quantize, PadRows, ScatterRows}
import org.padfree.layout.LayoutBuilder
import org.padfree.quant.{Fp8Quantizer, ScaleBlocks}
import org.padfree.reference.{GemmFixture, SyntheticData}
import org.scalatest.funsuite.AnyFunSuite

/** GPU quantization and the pad kernel reproduce the CPU's bytes and scales exactly. */
class Fp8QuantizeGpuSuite extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(Files.createTempDirectory("padfree-quant")))

  test("1x128 activation quantization matches the CPU bit for bit (K tails included)") {
    val device = hopper()
    for ((rows, k) <- Seq((1000, 400), (3, 7168), (517, 2048))) {
      val x = SyntheticData.activations(rows * 31L + k, rows, k)
      x(0) = 1e-30f; x(1) = -447.9f * 3; x(k - 1) = 0f // tiny, large and zero values
      val cpu = Fp8Quantizer.quantizeActivations(x, rows, k)
      val stream = new CudaStream()
      val stride = ScaleBlocks.roundUp(rows, 4)
      val xs = DeviceBuffer.allocate(4L * x.length, "x").copyFrom(x)
      val q = DeviceBuffer.allocate(x.length.toLong, "q").fill(0x55.toByte)
      val s = DeviceBuffer.allocate(4L * cpu.kBlocks * stride, "scales").fill(0)
      try {
        new Fp8Quantize().activations(jit, device, stream, xs, q, s, rows, k)
        stream.synchronize("quantize")
        val bytes = q.toBytes
        val mismatches = bytes.indices.count(i => bytes(i) != cpu.values()(i))
        assert(mismatches == 0, s"rows=$rows k=$k: $mismatches FP8 codes differ")
        val scales = s.toFloats
        val expected = cpu.tmaAlignedScales()
        for (i <- expected.indices) assert(java.lang.Float.floatToRawIntBits(scales(i)) == java.lang.Float.floatToRawIntBits(expected(i)),
          s"rows=$rows k=$k: scale $i: ${scales(i)} vs ${expected(i)}")
      } finally { xs.close(); q.close(); s.close(); stream.close() }
    }
  }

  test("128x128 weight quantization matches the CPU bit for bit (N and K tails included)") {
    val device = hopper()
    val (experts, n, k) = (3, 200, 400)
    val w = Array.tabulate(experts)(e => SyntheticData.weights(e + 7L, n, k))
    val cpu = Fp8Quantizer.quantizeExperts(w, n, k)
    val stream = new CudaStream()
    val flat: Array[Float] = w.flatMap(_.toSeq)
    val ws = DeviceBuffer.allocate(4L * experts * n * k, "w").copyFrom(flat)
    val q = DeviceBuffer.allocate(experts.toLong * n * k, "q").fill(0x55.toByte)
    val s = DeviceBuffer.allocate(4L * experts * cpu.nBlocks * cpu.kBlocks, "scales")
    try {
      new Fp8Quantize().weights(jit, device, stream, ws, q, s, experts, n, k)
      stream.synchronize("quantize weights")
      val codes: Array[Byte] = cpu.values().flatMap(_.toSeq)
      val scales: Array[Float] = cpu.scales().flatMap(_.toSeq)
      assert(q.toBytes.sameElements(codes), "FP8 weight codes")
      assert(s.toFloats.sameElements(scales), "weight scales")
    } finally { ws.close(); q.close(); s.close(); stream.close() }
  }

  test("the pad kernel builds the padded A and scales exactly as the CPU pad operation") {
    val device = hopper()
    val f = GemmFixture.fromCounts(Array(0, 1, 127, 128, 129, 300, 0, 3), 64, 400, 9L)
    val source = LayoutBuilder.padSource(f.free, f.padded)
    val expected = f.freeA.gatherRows(source)
    val rows = f.free.rows; val padRows = f.padded.paddedRows
    val stream = new CudaStream()
    val a = Up.activations(f.freeA, "A"); val sa = Up.activationScales(f.freeA, "SA")
    val src = DeviceBuffer.allocate(4L * padRows, "source").copyFrom(source)
    val aPad = DeviceBuffer.allocate(padRows.toLong * 400, "A padded").fill(0x55.toByte)
    val saPad = DeviceBuffer.allocate(4L * 4 * ScaleBlocks.roundUp(padRows, 4), "SA padded").fill(0)
    try {
      new PadRows().run(jit, device, stream, a, sa, rows, aPad, saPad, src, padRows, 400)
      stream.synchronize("pad")
      assert(aPad.toBytes.sameElements(expected.values()), "padded A")
      val scales = saPad.toFloats; val want = expected.tmaAlignedScales()
      for (i <- want.indices) assert(scales(i) == want(i), s"padded scale $i")
    } finally { Seq(a, sa, src, aPad, saPad).foreach(_.close()); stream.close() }
  }

  test("the scatter returns grouped rows to token order (routed slot order), exactly") {
    val device = hopper()
    val batch = org.padfree.routing.RoutedBatch.fromCounts("scatter", "", "test", 2, Array(3, 0, 120, 77, 0, 50), 4L)
    val layout = LayoutBuilder.paddingFree(batch)
    val rows = layout.rows; val rowBytes = 2 * 136 // 136 BF16 columns
    val random = new java.util.SplittableRandom(8L)
    val grouped = Array.fill(rows * rowBytes)(random.nextInt(256).toByte)
    val stream = new CudaStream()
    val src = DeviceBuffer.allocate(grouped.length.toLong, "grouped").copyFrom(grouped)
    val dst = DeviceBuffer.allocate(grouped.length.toLong, "token order").fill(0x7F.toByte)
    val destination = DeviceBuffer.allocate(4L * rows, "destination").copyFrom(layout.rowSource)
    try {
      new ScatterRows().run(jit, device, stream, src, dst, destination, rows, rowBytes, rows)
      stream.synchronize("scatter")
      val out = dst.toBytes
      for (r <- 0 until rows) {
        val slot = layout.rowSource()(r)
        assert(java.util.Arrays.equals(out, slot * rowBytes, (slot + 1) * rowBytes, grouped, r * rowBytes, (r + 1) * rowBytes),
          s"grouped row $r -> slot $slot")
      }
    } finally { Seq(src, dst, destination).foreach(_.close()); stream.close() }
  }
}
