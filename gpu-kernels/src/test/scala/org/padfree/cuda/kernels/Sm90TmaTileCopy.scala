package org.padfree.cuda.kernels

import org.padfree.Validate
import org.padfree.cuda.{CudaDevice, CudaStream, DeviceBuffer}
import org.padfree.cuda.jit.{KernelJit, KernelSpec, LoadedKernel}
import org.padfree.cuda.tma.{TensorMapEncoder, TensorMapSpec}

/**
 * Test launcher of `sm90_tma_tile_copy.cuh`: dst = src + addend over a rows x cols float matrix, one
 * TMA-loaded and TMA-stored tile per block. The runtime's end-to-end check of JIT, tensor maps and
 * launches; edge tiles test out-of-bounds fill and store clipping.
 */
final class Sm90TmaTileCopy(blockRows: Int, blockCols: Int) {
  private val Threads = 128
  Validate.require(blockRows >= 1 && blockRows <= 256, "blockRows", blockRows, "must be in [1, 256]")
  Validate.require(blockCols >= 4 && blockCols <= 256 && blockCols % 4 == 0, "blockCols", blockCols,
    "must be a multiple of 4 floats (16 bytes) in [4, 256]")
  Validate.require(blockRows.toLong * blockCols * 4 <= 48 * 1024, "blockRows x blockCols", s"${blockRows}x$blockCols",
    "a tile must fit in 48 KB of static shared memory")

  def spec(): KernelSpec =
    new KernelSpec(s"padfree_tma_tile_copy_${blockRows}x${blockCols}_f32", "padfree/sm90_tma_tile_copy.cuh",
      "padfree::sm90::tma_tile_copy", java.util.List.of(blockRows.toString, blockCols.toString, "float"),
      java.util.List.of("const __grid_constant__ CUtensorMap src", "const __grid_constant__ CUtensorMap dst",
        "int tiles_per_row", "float addend"), Threads, 1)

  /** Enqueues dst = src + addend for row-major rows x cols floats (row pitch = cols, rounded to 16 bytes). */
  def run(jit: KernelJit, device: CudaDevice, stream: CudaStream, src: DeviceBuffer, dst: DeviceBuffer,
      rows: Int, cols: Int, addend: Float): Unit = {
    val pitch = (cols.toLong * 4 + 15) / 16 * 16
    Validate.require(src.bytes() >= pitch * rows && dst.bytes() >= pitch * rows, "buffers", s"${src.bytes()}/${dst.bytes()}",
      s"hold fewer than rows x pitch = ${pitch * rows} bytes")
    val in = TensorMapEncoder.encode(map(src, rows, cols, pitch))
    val out = TensorMapEncoder.encode(map(dst, rows, cols, pitch))
    val tilesPerRow = (cols + blockCols - 1) / blockCols
    val tiles = tilesPerRow * ((rows + blockRows - 1) / blockRows)
    jit.load(device, spec()).launch(LoadedKernel.LaunchConfig.linear(tiles, Threads, 0), stream, in, out,
      Int.box(tilesPerRow), Float.box(addend))
  }

  private def map(buffer: DeviceBuffer, rows: Int, cols: Int, pitch: Long): TensorMapSpec =
    TensorMapSpec.matrix(TensorMapSpec.DataType.FLOAT32, buffer.address(), rows, cols, pitch, blockRows, blockCols,
      TensorMapSpec.Swizzle.NONE)
}
