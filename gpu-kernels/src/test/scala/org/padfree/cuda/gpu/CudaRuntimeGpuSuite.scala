package org.padfree.cuda.gpu

import java.nio.file.Files
import org.padfree.InvalidInputException
import org.padfree.cuda._
import org.padfree.cuda.jit.{KernelJit, LoadedKernel}
import org.padfree.cuda.kernels.Sm90TmaTileCopy
import org.padfree.cuda.tma.{TensorMapEncoder, TensorMapSpec}
import org.scalatest.funsuite.AnyFunSuite

class CudaRuntimeGpuSuite extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(Files.createTempDirectory("padfree-kernels")))

  test("device discovery and selection by ordinal, address and UUID") {
    val d = hopper()
    assert(CudaDevice.count >= 1)
    assert(d.uuid.matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), d.uuid)
    assert(CudaDevice.byUuid(d.uuid) eq d)
    assert(CudaDevice.byUuid(d.uuid.toUpperCase.replace("GPU-", "")) eq d)
    assert(CudaDevice.byAddress("0") eq d)
    assert(CudaDevice.byAddress(d.uuid) eq d)
    assert(d.multiprocessors >= 100 && d.totalMemory > (64L << 30) && d.arch == "sm_90")
    val e = intercept[InvalidInputException](CudaDevice.byOrdinal(CudaDevice.count))
    assert(e.getMessage.contains("gpu ordinal"))
    assert(intercept[InvalidInputException](CudaDevice.byUuid("GPU-00000000-0000-0000-0000-000000000000")).getMessage.contains("gpu uuid"))
    info(s"${d.describe}, ${d.totalMemory >> 30} GiB, driver CUDA ${Cuda.driverVersion}, L2 ${d.l2CacheBytes >> 20} MiB")
  }

  test("device and pinned memory: round trips, ownership, use after free is an error") {
    hopper()
    val data = Array.tabulate(1 << 20)(i => (i * 31).toByte)
    val buffer = DeviceBuffer.allocate(data.length, "round trip")
    try {
      assert(buffer.copyFrom(data).toBytes.sameElements(data))
      assert(buffer.fill(0x5A.toByte).toBytes.forall(_ == 0x5A.toByte))
    } finally buffer.close()
    assert(buffer.isClosed)
    buffer.close() // closing twice is harmless
    val e = intercept[IllegalStateException](buffer.toBytes)
    assert(e.getMessage.contains("round trip") && e.getMessage.contains("already freed"))

    val stream = new CudaStream()
    val pinned = new PinnedHostBuffer(4096)
    val device = DeviceBuffer.allocate(4096, "async")
    try {
      for (i <- 0 until 1024) pinned.buffer.putInt(i * 4, i * 7)
      pinned.copyTo(device, 4096, stream)
      for (i <- 0 until 1024) pinned.buffer.putInt(i * 4, 0)
      pinned.copyFrom(device, 4096, stream)
      stream.synchronize("pinned round trip")
      for (i <- 0 until 1024) assert(pinned.buffer.getInt(i * 4) == i * 7, s"int $i")
    } finally { device.close(); pinned.close(); stream.close() }
    intercept[IllegalStateException](pinned.buffer)
  }

  private def checkCopy(rows: Int, cols: Int, blockRows: Int, blockCols: Int): Unit = {
    val device = hopper()
    val pitchFloats = ((cols * 4 + 15) / 16 * 16) / 4
    val guardBytes = 4096
    val src = Array.tabulate(rows * pitchFloats)(i => (i % 9973) * 0.25f - 7f)
    val stream = new CudaStream()
    val in = DeviceBuffer.allocate(4L * src.length, "src")
    val out = DeviceBuffer.allocate(4L * src.length + guardBytes, "dst")
    try {
      in.copyFrom(src)
      out.fill(0x7F.toByte) // poison: every float reads 3.39e38
      new Sm90TmaTileCopy(blockRows, blockCols).run(jit, device, stream, in, out, rows, cols, 1.5f)
      stream.synchronize(s"tile copy $rows x $cols")
      val result = out.toFloats
      for (r <- 0 until rows; c <- 0 until pitchFloats) {
        val i = r * pitchFloats + c
        if (c < cols) assert(result(i) == src(i) + 1.5f, s"$rows x $cols, tile $blockRows x $blockCols: element ($r, $c)")
        else assert(java.lang.Float.floatToRawIntBits(result(i)) == 0x7F7F7F7F, s"row padding ($r, $c) was written")
      }
      for (i <- rows * pitchFloats until result.length)
        assert(java.lang.Float.floatToRawIntBits(result(i)) == 0x7F7F7F7F, s"guard float ${i - rows * pitchFloats} was written")
    } finally { in.close(); out.close(); stream.close() }
  }

  test("TMA tile copy through JIT, FFM tensor maps and a launch: exact, edge tiles clipped, guards untouched") {
    checkCopy(100, 72, 64, 32)  // the verified case: partial tiles on both edges
    checkCopy(1, 4, 1, 4)
    checkCopy(1000, 1000, 128, 64)
    checkCopy(37, 300, 256, 16)
  }

  test("event timing of a copy larger than L2; timing is positive and plausible") {
    val device = hopper()
    val rows = 8192; val cols = 8192
    val stream = new CudaStream()
    val in = DeviceBuffer.allocate(4L * rows * cols, "big src")
    val out = DeviceBuffer.allocate(4L * rows * cols, "big dst")
    val start = new CudaEvent(); val stop = new CudaEvent()
    try {
      in.fill(1.toByte)
      val copy = new Sm90TmaTileCopy(64, 64)
      copy.run(jit, device, stream, in, out, rows, cols, 1f) // warm-up
      val times = (0 until 10).map { _ =>
        start.record(stream)
        copy.run(jit, device, stream, in, out, rows, cols, 1f)
        stop.record(stream).millisSince(start)
      }.sorted
      val median = times(times.size / 2)
      val gbps = 2.0 * 4 * rows * cols / (median * 1e6)
      assert(median > 0 && gbps > 100 && gbps < 6000, s"median $median ms = $gbps GB/s")
      info(f"TMA copy 8192x8192 fp32: median $median%.3f ms, $gbps%.0f GB/s (read + write)")
    } finally { start.close(); stop.close(); in.close(); out.close(); stream.close() }
  }

  test("bad launches fail with errors naming the kernel and value; the context survives") {
    val device = hopper()
    val kernel = jit.load(device, new Sm90TmaTileCopy(64, 32).spec())
    val stream = new CudaStream()
    try {
      val e1 = intercept[InvalidInputException](kernel.launch(LoadedKernel.LaunchConfig.linear(1, 2048, 0), stream, 1, 2, 3, 4f))
      assert(e1.getMessage.contains("block = 2048x1x1") && e1.getMessage.contains("padfree_tma_tile_copy"))
      val e2 = intercept[InvalidInputException](kernel.launch(LoadedKernel.LaunchConfig.linear(1, 128, 0), stream, Integer.valueOf(1)))
      assert(e2.getMessage.contains("takes 4 parameters"))
      val e3 = intercept[CudaException](kernel.launch(LoadedKernel.LaunchConfig.linear(1, 128, 400 * 1024), stream,
        Integer.valueOf(1), Integer.valueOf(2), Integer.valueOf(3), java.lang.Float.valueOf(4f)))
      assert(e3.getMessage.contains("cuFuncSetAttribute") || e3.getMessage.contains("cuLaunchKernel"), e3.getMessage)
      val buf = DeviceBuffer.allocate(4096, "misaligned")
      try {
        val e4 = intercept[InvalidInputException](TensorMapEncoder.encode(
          TensorMapSpec.matrix(TensorMapSpec.DataType.FLOAT32, buf.address + 4, 8, 8, 32, 8, 8, TensorMapSpec.Swizzle.NONE)))
        assert(e4.getMessage.contains("globalAddress"))
      } finally buf.close()
      checkCopy(100, 72, 64, 32) // still works
    } finally stream.close()
  }

  test("JIT: cold compile, warm disk-cache load and in-memory hit times") {
    val device = hopper()
    val dir = Files.createTempDirectory("padfree-jit-timing")
    val spec = new Sm90TmaTileCopy(128, 32).spec()
    val t0 = System.nanoTime()
    val cold = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(dir))
    val coldEntry = cold.compile(spec)
    cold.load(device, spec)
    val coldMs = (System.nanoTime() - t0) / 1e6
    assert(coldEntry.compiled)
    val t1 = System.nanoTime()
    val warm = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(dir)) // a new JVM's view: disk only
    val warmEntry = warm.compile(spec)
    val loaded = warm.load(device, spec)
    val warmMs = (System.nanoTime() - t1) / 1e6
    assert(!warmEntry.compiled && warmEntry.cubin.sameElements(coldEntry.cubin))
    val t2 = System.nanoTime()
    warm.load(device, spec)
    val hitUs = (System.nanoTime() - t2) / 1e3
    assert(loaded.registers > 0 && loaded.localBytes == 0 && loaded.staticSharedBytes >= 128 * 32 * 4)
    info(f"cold compile + load $coldMs%.0f ms (nvcc ${coldEntry.compileMillis} ms); warm disk hit + load $warmMs%.1f ms; memory hit $hitUs%.0f us")
    info(s"${spec.entry}: ${loaded.registers} registers, ${loaded.staticSharedBytes} B static smem, ${loaded.localBytes} B local")
  }
}
