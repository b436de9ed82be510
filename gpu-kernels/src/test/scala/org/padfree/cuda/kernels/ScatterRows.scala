package org.padfree.cuda.kernels

import org.padfree.Validate
import org.padfree.cuda.{CudaDevice, CudaStream, DeviceBuffer}
import org.padfree.cuda.jit.{KernelJit, KernelSpec, LoadedKernel}

/**
 * Test launcher of `scatter_rows.cuh`: returns D's rows (grouped by expert) to token order, row r going
 * to row `destination(r)` (for the padding-free layout: PaddingFreeLayout.rowSource, the routed slot
 * token * top_k + j; -1 skips a row, e.g. padding of the padded layout). The job does not run it yet;
 * the GPU suites and the sanitizer driver keep the kernel correct.
 */
final class ScatterRows {
  private val Threads = 256
  private val RowsPerBlock = 16

  def spec(): KernelSpec =
    new KernelSpec(s"padfree_scatter_rows_t${Threads}_r$RowsPerBlock", "padfree/scatter_rows.cuh",
      "padfree::scatter_rows", java.util.List.of(Threads.toString, RowsPerBlock.toString),
      java.util.List.of("const uint8_t* src", "uint8_t* dst", "const int* destination", "int rows", "int row_bytes"), Threads, 1)

  /** Enqueues dst[destination[r]] = src[r] for rows of `rowBytes` (a multiple of 16) bytes. */
  def run(jit: KernelJit, device: CudaDevice, stream: CudaStream, src: DeviceBuffer, dst: DeviceBuffer,
      destination: DeviceBuffer, rows: Int, rowBytes: Int, dstRows: Int): Unit = {
    Validate.nonNegative("rows", rows)
    Validate.require(rowBytes > 0 && rowBytes % 16 == 0, "row_bytes", rowBytes, "must be a positive multiple of 16")
    Validate.require(src.bytes() >= rows.toLong * rowBytes && dst.bytes() >= dstRows.toLong * rowBytes
      && destination.bytes() >= 4L * rows, "buffers", s"${src.bytes()}/${dst.bytes()}/${destination.bytes()}",
      s"too small for rows=$rows, destination rows=$dstRows, row_bytes=$rowBytes")
    if (rows > 0) {
      val chunks = (rows + RowsPerBlock - 1) / RowsPerBlock
      jit.load(device, spec()).launch(LoadedKernel.LaunchConfig.linear(math.min(chunks, device.multiprocessors() * 8),
        Threads, 0), stream, src, dst, destination, Int.box(rows), Int.box(rowBytes))
    }
  }
}
