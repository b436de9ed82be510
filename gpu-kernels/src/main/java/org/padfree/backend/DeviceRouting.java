package org.padfree.backend;

import org.padfree.Validate;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.layout.LayoutChecks;

/**
 * A batch's grouped layouts built on the GPU (by cuDF, {@code org.padfree.cudf.CudfRouting}): the
 * index arrays the kernels read, as device buffers that another allocator owns, and the only part the
 * host holds, the E + 1 padding-free offsets and padded group starts (to size buffers and launches).
 * {@link CudaBackend} reads these buffers by address instead of uploading the host's arrays; their
 * contents are, element for element, what the host builds ({@code CudfRoutingGpuSuite}).
 *
 * <p>The builder's writes must be complete before this is handed over (it synchronises its stream),
 * and {@link #close} frees the buffers only after the backend's run has synchronised its own streams,
 * which {@link CudaBackend#run} does before returning.
 *
 * @param rowSource per dispatched row, its routed slot (token * topK + j)
 * @param tokenOfRow per dispatched row, its token
 * @param offsets the padding-free offsets on the device (E + 1)
 * @param counts rows per expert (E), the masked layout's counts
 * @param groupIndex per padded row, its expert or -1
 * @param padSource per padded row, the dispatched row copied there or -1
 * @param maskedSource per row of the [E][maxRows] masked A, its dispatched row or -1
 * @param blockTable the padding-free kernel's M-block table (2 ints per block)
 * @param owner frees the device memory
 */
public record DeviceRouting(
    int numExperts, int rows, int[] hostOffsets, int[] hostGroupStarts, int maxRows,
    DeviceBuffer rowSource, DeviceBuffer tokenOfRow, DeviceBuffer offsets, DeviceBuffer counts,
    DeviceBuffer groupIndex, DeviceBuffer padSource, DeviceBuffer maskedSource, DeviceBuffer blockTable,
    int blocks, String builtBy, AutoCloseable owner) implements AutoCloseable {

  public DeviceRouting {
    LayoutChecks.checkOffsets(hostOffsets, rows, numExperts);
    Validate.length("group_starts", hostGroupStarts.length, (long) numExperts + 1, "num_experts plus one");
    Validate.require(maxRows >= 1, "max_rows", maxRows, "must be >= 1");
    for (int e = 0; e < numExperts; e++) {
      int count = hostOffsets[e + 1] - hostOffsets[e];
      Validate.require(hostGroupStarts[e] % LayoutChecks.PADDED_ALIGNMENT == 0
              && hostGroupStarts[e + 1] - hostGroupStarts[e] >= count,
          "group_starts[" + e + "]", hostGroupStarts[e], "padded groups must start at multiples of "
              + LayoutChecks.PADDED_ALIGNMENT + " and hold their expert's " + count + " rows");
      Validate.require(count <= maxRows, "max_rows", maxRows, "expert " + e + " has " + count + " rows");
    }
    int paddedRows = hostGroupStarts[numExperts];
    requireBytes("row_source", rowSource, rows);
    requireBytes("token_of_row", tokenOfRow, rows);
    requireBytes("offsets", offsets, numExperts + 1L);
    requireBytes("counts", counts, numExperts);
    requireBytes("group_index", groupIndex, paddedRows);
    requireBytes("pad_source", padSource, paddedRows);
    requireBytes("masked_source", maskedSource, (long) numExperts * maxRows);
    requireBytes("block_table", blockTable, 2L * blocks);
    Validate.notNull("built_by", builtBy);
    Validate.notNull("owner", owner);
  }

  private static void requireBytes(String field, DeviceBuffer b, long ints) {
    Validate.notNull(field, b);
    Validate.require(b.bytes() >= 4L * ints, field, b.bytes() + " bytes", "must hold " + ints + " ints");
  }

  /** Rows of the padded layout (valid and padding). */
  public int paddedRows() {
    return hostGroupStarts[numExperts];
  }

  @Override
  public void close() {
    try {
      owner.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("freeing the device routing (" + builtBy + "): " + e.getMessage(), e);
    }
  }
}
