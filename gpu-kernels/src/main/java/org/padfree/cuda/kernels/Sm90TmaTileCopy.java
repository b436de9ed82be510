package org.padfree.cuda.kernels;

import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.KernelSpec;
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.cuda.tma.TensorMap;
import org.padfree.cuda.tma.TensorMapEncoder;
import org.padfree.cuda.tma.TensorMapSpec;

/**
 * Launcher of {@code sm90_tma_tile_copy.cuh}: dst = src + addend over a rows x cols float matrix,
 * one TMA-loaded and TMA-stored tile per block. The runtime's end-to-end check of JIT, tensor maps
 * and launches; edge tiles test out-of-bounds fill and store clipping.
 */
public final class Sm90TmaTileCopy {
  private static final int THREADS = 128;
  private final int blockRows;
  private final int blockCols;

  public Sm90TmaTileCopy(int blockRows, int blockCols) {
    Validate.require(blockRows >= 1 && blockRows <= 256, "blockRows", blockRows, "must be in [1, 256]");
    Validate.require(blockCols >= 4 && blockCols <= 256 && blockCols % 4 == 0, "blockCols", blockCols,
        "must be a multiple of 4 floats (16 bytes) in [4, 256]");
    Validate.require((long) blockRows * blockCols * 4 <= 48 * 1024, "blockRows x blockCols", blockRows + "x" + blockCols,
        "a tile must fit in 48 KB of static shared memory");
    this.blockRows = blockRows;
    this.blockCols = blockCols;
  }

  public KernelSpec spec() {
    return new KernelSpec("padfree_tma_tile_copy_" + blockRows + "x" + blockCols + "_f32", "padfree/sm90_tma_tile_copy.cuh",
        "padfree::sm90::tma_tile_copy", List.of(Integer.toString(blockRows), Integer.toString(blockCols), "float"),
        List.of("const __grid_constant__ CUtensorMap src", "const __grid_constant__ CUtensorMap dst", "int tiles_per_row",
            "float addend"), THREADS, 1);
  }

  /** Enqueues dst = src + addend for row-major rows x cols floats (row pitch = cols, rounded to 16 bytes). */
  public void run(KernelJit jit, CudaDevice device, CudaStream stream, DeviceBuffer src, DeviceBuffer dst,
      int rows, int cols, float addend) {
    long pitch = ((long) cols * 4 + 15) / 16 * 16;
    Validate.require(src.bytes() >= pitch * rows && dst.bytes() >= pitch * rows, "buffers", src.bytes() + "/" + dst.bytes(),
        "hold fewer than rows x pitch = " + pitch * rows + " bytes");
    TensorMap in = TensorMapEncoder.encode(map(src, rows, cols, pitch));
    TensorMap out = TensorMapEncoder.encode(map(dst, rows, cols, pitch));
    int tilesPerRow = (cols + blockCols - 1) / blockCols;
    int tiles = tilesPerRow * ((rows + blockRows - 1) / blockRows);
    LoadedKernel kernel = jit.load(device, spec());
    kernel.launch(LoadedKernel.LaunchConfig.linear(tiles, THREADS, 0), stream, in, out, tilesPerRow, addend);
  }

  private TensorMapSpec map(DeviceBuffer buffer, int rows, int cols, long pitch) {
    return TensorMapSpec.matrix(TensorMapSpec.DataType.FLOAT32, buffer.address(), rows, cols, pitch, blockRows, blockCols,
        TensorMapSpec.Swizzle.NONE);
  }
}
