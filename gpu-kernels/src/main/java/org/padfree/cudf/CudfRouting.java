package org.padfree.cudf;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.Cuda;
import org.padfree.Validate;
import org.padfree.backend.DeviceRouting;
import org.padfree.columnar.RoutingColumns;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.DeviceBuffer;

/**
 * Builds a batch's {@link DeviceRouting} with cuDF on the GPU ({@link RoutingColumns} over
 * {@link CudfColumnOps}): the sort by expert, counts, prefix sums, padded and masked layouts and the
 * block table stay in RMM memory and the kernels read them by address.
 *
 * <p>Streams: cuDF works on its default stream, padfree's kernels on their own non-blocking streams,
 * which do not wait for that stream. So the build ends with {@code Cuda.DEFAULT_STREAM.sync()} before
 * the buffers are handed over (the host waits; the kernels then read finished columns), and the
 * buffers are freed (RMM reuses memory in its stream's order) only when {@link DeviceRouting#close}
 * is called after the backend's run, which synchronises padfree's streams before it returns.
 */
public final class CudfRouting {
  private CudfRouting() {}

  /**
   * The routing of {@code ids} (INT32, token-major, numTokens * topK rows, on {@code device}, which
   * must be the device RMM was initialised on). {@code ids} stays the caller's.
   */
  public static DeviceRouting build(CudaDevice device, ColumnVector ids, int numExperts, int topK, String batchId) {
    Validate.notNull("ids", ids);
    Validate.require(ids.getType().equals(ai.rapids.cudf.DType.INT32), "expert_ids", ids.getType(),
        "must be a column of INT32 (batch " + batchId + ")");
    Validate.require(ids.getNullCount() == 0, "expert_ids", ids.getNullCount() + " nulls",
        "must not hold nulls (batch " + batchId + ")");
    CudfRuntime.requireDevice(device);
    device.makeCurrent();
    CudfColumnOps ops = new CudfColumnOps();
    try {
      RoutingColumns.Built<ColumnVector> b = RoutingColumns.build(ops, ids, numExperts, topK, batchId);
      Cuda.DEFAULT_STREAM.sync(); // every column written before padfree's streams read them
      int rows = Math.toIntExact(ids.getRowCount());
      return new DeviceRouting(numExperts, rows, b.hostOffsets(), b.hostGroupStarts(), b.maxRows(),
          view(b.rowSource(), "row source"), view(b.tokenOfRow(), "token of row"), view(b.offsets(), "offsets"),
          view(b.counts(), "counts"), view(b.groupIndex(), "group index"), view(b.padSource(), "pad source"),
          view(b.maskedSource(), "masked source"), view(b.blockTable(), "block table"), b.blocks(), "cudf",
          ops::closeAll);
    } catch (RuntimeException | Error e) {
      ops.closeAll();
      throw e;
    }
  }

  /** As {@link #build}, from ids on the host (one copy up; for tests and for rows already decoded). */
  public static DeviceRouting build(CudaDevice device, int[] ids, int numExperts, int topK, String batchId) {
    CudfRuntime.requireDevice(device);
    device.makeCurrent();
    try (ColumnVector column = ColumnVector.fromInts(ids)) {
      return build(device, column, numExperts, topK, batchId);
    }
  }

  /** The column's data as a buffer view (an empty column has no data buffer: a zero-byte view). */
  private static DeviceBuffer view(ColumnVector c, String label) {
    var data = c.getRowCount() == 0 ? null : c.getData();
    return data == null ? DeviceBuffer.view(0, 0, "cudf " + label)
        : DeviceBuffer.view(data.getAddress(), data.getLength(), "cudf " + label);
  }
}
