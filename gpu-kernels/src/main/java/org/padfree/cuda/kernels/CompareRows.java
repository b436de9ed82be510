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
 * Launcher of {@code compare_rows.cuh}: adds to a device counter (unsigned 64-bit) the number of BF16
 * elements of rows of {@code a} that differ bitwise from rows {@code map[r]} of {@code b}. Lets the
 * backend check padded and masked D against padding-free D without copying them to the host.
 */
public final class CompareRows {
  private static final int THREADS = 256;

  public KernelSpec spec() {
    return new KernelSpec("padfree_count_differing_rows_t" + THREADS, "padfree/compare_rows.cuh",
        "padfree::count_differing_rows", List.of(Integer.toString(THREADS)),
        List.of("const uint16_t* a", "const uint16_t* b", "const int* map", "int rows", "int n",
            "unsigned long long* count"), THREADS, 1);
  }

  /** Enqueues the count of {@code rows} rows of width {@code n}; {@code count} must be zeroed first. */
  public void run(KernelJit jit, CudaDevice device, CudaStream stream, DeviceBuffer a, DeviceBuffer b, long bRows,
      DeviceBuffer map, int rows, int n, DeviceBuffer count) {
    Validate.require(n > 0 && n % 8 == 0, "n", n, "must be a positive multiple of 8 (16-byte compares)");
    Validate.require(a.bytes() >= 2L * rows * n, "a.bytes", a.bytes(), "needs rows x N BF16");
    Validate.require(b.bytes() >= 2L * bRows * n, "b.bytes", b.bytes(), "needs b_rows x N BF16");
    Validate.require(map.bytes() >= 4L * rows, "map.bytes", map.bytes(), "needs one int per row");
    Validate.require(count.bytes() >= 8, "count.bytes", count.bytes(), "needs one 64-bit counter");
    if (rows == 0) {
      return;
    }
    LoadedKernel kernel = jit.load(device, spec());
    long vectors = (long) rows * (n / 8);
    int blocks = (int) Math.min((vectors + THREADS - 1) / THREADS, device.multiprocessors() * 8L);
    kernel.launch(LoadedKernel.LaunchConfig.linear(blocks, THREADS, 0), stream, a, b, map, rows, n, count);
  }
}
