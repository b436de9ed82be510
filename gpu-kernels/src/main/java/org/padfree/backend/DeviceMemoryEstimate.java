package org.padfree.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm;

/**
 * The device memory one {@link CudaBackend} call needs, buffer by buffer as the backend allocates
 * them: the tokens (and their floats when made on the device), the dispatched A, the padded and masked
 * copies, a D per path, the layout arrays, the check buffers, and the expert weights when they are not
 * resident yet. Each buffer counts rounded up to the driver's 2 MiB allocation granularity, so the sum
 * errs high, never low. A pure function of the plan: unit-testable without a GPU.
 *
 * @param buffers the buffers by name, in allocation order
 */
record DeviceMemoryEstimate(List<Buffer> buffers, int rows, int paddedRows, int maskedRows, int n, int k) {
  /** One buffer of the call. */
  record Buffer(String name, long bytes) {}

  /** cuMemAlloc hands out whole 2 MiB pages for anything but tiny buffers. */
  static final long GRANULARITY = 2L << 20;
  /** Kept free beyond the estimate: launches, tensor maps, the driver's own allocations. */
  static final long RESERVE = 256L << 20;

  /**
   * @param tokens tokens of the batch (before top-k dispatch)
   * @param tokensMadeOnDevice synthetic tokens generated on the device (a float buffer is needed)
   * @param checkRows rows compared on the device, or -1 when every D goes back to the host
   * @param newWeightBytes bytes of expert weights still to upload (0 when resident)
   */
  static DeviceMemoryEstimate of(CudaRunPlan plan, int tokens, boolean tokensMadeOnDevice, int checkRows,
      long newWeightBytes) {
    List<Buffer> b = new ArrayList<>();
    long k = plan.k();
    long n = plan.n();
    if (newWeightBytes > 0) {
      b.add(new Buffer("expert weights B and scales", newWeightBytes));
    }
    if (tokensMadeOnDevice) {
      b.add(new Buffer("token floats", 4L * tokens * k));
    }
    b.add(new Buffer("tokens", (long) tokens * k));
    b.add(new Buffer("token scales", plan.scaleBytes(tokens)));
    b.add(new Buffer("A", Sm90Fp8GroupedGemm.activationBytes(plan.rows(), k)));
    b.add(new Buffer("A scales", plan.scaleBytes(plan.rows())));
    if (plan.device() == null) { // layouts built on the device already sit in cuDF's pool
      b.add(new Buffer("token of row", 4L * plan.rows()));
      b.add(new Buffer("offsets", 4L * plan.offsets().length));
      b.add(new Buffer("block table", 4L * plan.blockTable().length));
      b.add(new Buffer("group index", 4L * plan.groupIndex().length));
      b.add(new Buffer("pad source", 4L * plan.padSource().length));
      b.add(new Buffer("counts", 4L * plan.counts().length));
      b.add(new Buffer("masked source", 4L * plan.maskedSource().length));
    }
    b.add(new Buffer("A padded", (long) plan.paddedRows() * k));
    b.add(new Buffer("A padded scales", plan.scaleBytes(plan.paddedRows())));
    b.add(new Buffer("A masked", Sm90Fp8GroupedGemm.activationBytes(plan.maskedRows(), k)));
    b.add(new Buffer("A masked scales", plan.scaleBytes(plan.maskedRows())));
    b.add(new Buffer("D", 2L * plan.rows() * n));
    b.add(new Buffer("D padded", 2L * plan.paddedRows() * n));
    b.add(new Buffer("D masked", 2L * plan.maskedRows() * n));
    if (checkRows >= 0) {
      b.add(new Buffer("padded row map", 4L * plan.rows()));
      b.add(new Buffer("masked row map", 4L * plan.rows()));
      b.add(new Buffer("padded mismatch count", 8));
      b.add(new Buffer("masked mismatch count", 8));
    }
    return new DeviceMemoryEstimate(List.copyOf(b), plan.rows(), plan.paddedRows(), plan.maskedRows(), plan.n(), plan.k());
  }

  /** Bytes of every buffer, each rounded up to the allocation granularity. */
  long bytes() {
    return buffers.stream().mapToLong(x -> roundUp(Math.max(1, x.bytes()))).sum();
  }

  /** Bytes of free memory the call needs: {@link #bytes()} plus the reserve. */
  long needed() {
    return bytes() + RESERVE;
  }

  boolean fits(long availableBytes) {
    return needed() <= availableBytes;
  }

  /** The largest buffers, e.g. "D padded 16.0 GiB, D 15.9 GiB, D masked 15.9 GiB". */
  String largest(int count) {
    return buffers.stream().sorted(Comparator.comparingLong(Buffer::bytes).reversed()).limit(count)
        .map(x -> x.name() + " " + gib(x.bytes())).collect(Collectors.joining(", "));
  }

  /**
   * Why the batch cannot run: its size, what it needs, the limit, and what to change. {@code limit}
   * says what {@code availableBytes} is made of.
   */
  String tooLargeMessage(String batchId, String gpu, long availableBytes, String limit) {
    return String.format(Locale.ROOT,
        "batch %s does not fit in device memory: %d routed rows (%d padded, %d masked) with N=%d K=%d need %d bytes"
            + " (%s, largest: %s) but at most %d bytes (%s) can be free on %s (%s). Use smaller batches (fewer tokens"
            + " per batch, e.g. GenerateDataset --tokens) or a GPU with more free memory: the padded, padding-free and"
            + " masked paths each hold their own A and D.",
        batchId, rows, paddedRows, maskedRows, n, k, needed(), gib(needed()), largest(3), availableBytes,
        gib(availableBytes), gpu, limit);
  }

  static long roundUp(long bytes) {
    return (bytes + GRANULARITY - 1) / GRANULARITY * GRANULARITY;
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }
}
