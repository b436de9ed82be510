package org.padfree.cuda.kernels;

import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.KernelSpec;
import org.padfree.cuda.jit.LoadedKernel;

/**
 * Launcher of {@code gather_rows.cuh}: returns D's rows (grouped by expert) to token order, row r
 * going to row {@code destination[r]} (for the padding-free layout: PaddingFreeLayout.rowSource, the
 * routed slot token * top_k + j; -1 skips a row, e.g. padding of the padded layout).
 */
public final class ScatterRows {
  private static final int THREADS = 256;
  private static final int ROWS_PER_BLOCK = 16;

  public KernelSpec spec() {
    return new KernelSpec("padfree_scatter_rows_t" + THREADS + "_r" + ROWS_PER_BLOCK, "padfree/gather_rows.cuh",
        "padfree::scatter_rows", List.of(Integer.toString(THREADS), Integer.toString(ROWS_PER_BLOCK)),
        List.of("const uint8_t* src", "uint8_t* dst", "const int* destination", "int rows", "int row_bytes"), THREADS, 1);
  }

  /** Enqueues dst[destination[r]] = src[r] for rows of {@code rowBytes} (a multiple of 16) bytes. */
  public void run(KernelJit jit, CudaDevice device, CudaStream stream, DeviceBuffer src, DeviceBuffer dst,
      DeviceBuffer destination, int rows, int rowBytes, int dstRows) {
    Validate.nonNegative("rows", rows);
    Validate.require(rowBytes > 0 && rowBytes % 16 == 0, "row_bytes", rowBytes, "must be a positive multiple of 16");
    Validate.require(src.bytes() >= (long) rows * rowBytes && dst.bytes() >= (long) dstRows * rowBytes
        && destination.bytes() >= 4L * rows, "buffers", src.bytes() + "/" + dst.bytes() + "/" + destination.bytes(),
        "too small for rows=" + rows + ", destination rows=" + dstRows + ", row_bytes=" + rowBytes);
    if (rows == 0) {
      return;
    }
    int chunks = (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
    jit.load(device, spec()).launch(LoadedKernel.LaunchConfig.linear(Math.min(chunks, device.multiprocessors() * 8),
        THREADS, 0), stream, src, dst, destination, rows, rowBytes);
  }
}
