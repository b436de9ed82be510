package org.padfree.cudf;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.ColumnView;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.HostColumnVector;
import ai.rapids.cudf.ParquetOptions;
import ai.rapids.cudf.Table;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.backend.DeviceRouting;
import org.padfree.backend.DeviceTokens;
import org.padfree.columnar.ListColumnSlices;
import org.padfree.columnar.ScaleLayoutColumns;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.quant.ScaleBlocks;

/**
 * One routed-batch dataset file's columns read straight into GPU memory with cuDF's Parquet reader
 * ({@code Table.readParquet} with only the needed columns: the batch ids, the expert id lists and,
 * when asked, the activations), once for every batch of the file that a task evaluates. Per batch:
 * its ids are cut from the expert_ids list column by its row's offsets ({@link ListColumnSlices}) and
 * routed on the device ({@link CudfRouting}); its activations are taken by address from the binary
 * column's bytes, and its scales gathered into the kernels' layout ({@link ScaleLayoutColumns}). Only
 * the batch ids and the list offsets (one per batch) come to the host.
 *
 * <p>Columns are found by type, whatever order the reader returns them in: the one string column is
 * the batch ids, LIST of INT32 the expert ids, LIST of FLOAT32 the scales, LIST of 8-bit the values.
 * Everything returned by {@link #routing} and {@link #tokens} must be closed before this file is.
 */
public final class CudfDatasetFile implements AutoCloseable {
  private final String file;
  private final Table table;
  /** Columns made here beyond the table (the lists' values), freed on close. */
  private final List<ColumnVector> made;
  private final String[] batchIds;
  private final int[] idOffsets;
  private final ColumnVector idValues;
  private final ListColumnSlices.Offsets valueOffsets;
  private final DeviceBuffer values;
  private final ListColumnSlices.Offsets scaleOffsets;
  private final ColumnVector scales;
  /** Per row, whether its list is null: expert_ids, activations_fp8, activation_scales (null when not read). */
  private final boolean[][] nulls;

  private CudfDatasetFile(String file, Table table, List<ColumnVector> made, String[] batchIds, int[] idOffsets,
      ColumnVector idValues, int[] valueOffsets, DeviceBuffer values, int[] scaleOffsets, ColumnVector scales,
      boolean[][] nulls) {
    this.file = file;
    this.nulls = nulls;
    this.table = table;
    this.made = made;
    this.batchIds = batchIds;
    this.idOffsets = idOffsets;
    this.idValues = idValues;
    new ListColumnSlices.Offsets("expert_ids", file, idOffsets, idValues.getRowCount()); // checked once, here
    this.values = values;
    this.valueOffsets = values == null ? null
        : new ListColumnSlices.Offsets("activations_fp8", file, valueOffsets, values.bytes());
    this.scales = scales;
    this.scaleOffsets = scales == null ? null
        : new ListColumnSlices.Offsets("activation_scales", file, scaleOffsets, scales.getRowCount());
  }

  /**
   * Reads {@code file} (a local path) onto {@code device} (where RMM was initialised): the columns
   * named, of which {@code activations} and {@code scales} may be null when not wanted.
   */
  public static CudfDatasetFile read(CudaDevice device, String file, String batchId, String expertIds,
      String activations, String scales) {
    Validate.notNull("file", file);
    CudfRuntime.requireDevice(device);
    device.makeCurrent();
    ParquetOptions.Builder options = ParquetOptions.builder().includeColumn(batchId, expertIds);
    boolean withActivations = activations != null && scales != null;
    if (withActivations) {
      options.includeColumn(activations, true).includeColumn(scales);
    }
    Table table = Table.readParquet(options.build(), new File(file));
    List<ColumnVector> made = new ArrayList<>();
    try {
      String[] ids = strings(find(table, file, batchId, DType.STRING, null));
      ColumnVector idList = find(table, file, expertIds, DType.LIST, DType.INT32);
      int[] idOffsets = listOffsets(idList);
      ColumnVector idValues = child(idList, expertIds, file, made);
      boolean[][] nulls = {nullRows(idList), null, null};
      int[] valueOffsets = null;
      DeviceBuffer valueBytes = null;
      int[] scaleOffsets = null;
      ColumnVector scaleValues = null;
      if (withActivations) {
        ColumnVector valueBytesColumn = binary(table, file, activations);
        nulls[1] = nullRows(valueBytesColumn);
        if (valueBytesColumn.getType().equals(DType.STRING)) {
          valueOffsets = stringOffsets(valueBytesColumn);
          valueBytes = view(valueBytesColumn, "cudf " + activations);
        } else {
          valueOffsets = listOffsets(valueBytesColumn);
          try (ColumnView child = valueBytesColumn.getChildColumnView(0)) {
            valueBytes = view(child, "cudf " + activations);
          }
        }
        ColumnVector scaleList = find(table, file, scales, DType.LIST, DType.FLOAT32);
        scaleOffsets = listOffsets(scaleList);
        scaleValues = child(scaleList, scales, file, made);
        nulls[2] = nullRows(scaleList);
      }
      return new CudfDatasetFile(file, table, made, ids, idOffsets, idValues, valueOffsets, valueBytes, scaleOffsets,
          scaleValues, nulls);
    } catch (RuntimeException | Error e) {
      made.forEach(ColumnVector::close);
      table.close();
      throw e;
    }
  }

  /** The batch id of each row of the file, in row order. */
  public String[] batchIds() {
    return batchIds.clone();
  }

  /** Whether the activations were read (and the file has them). */
  public boolean hasActivations() {
    return values != null;
  }

  /**
   * The routing of the batch at {@code row}, built on the device from its slice of expert_ids (checked
   * to hold numTokens x topK ids, each checked on the device as the host checks them).
   */
  public DeviceRouting routing(CudaDevice device, long row, String batchId, int numExperts, int topK, int numTokens) {
    if (isNull(0, row)) {
      throw new InvalidInputException("expert_ids", null, "is null (batch " + batchId + ", file " + file + ")");
    }
    // The slice is a column of its own ops, freed here: cuDF's tables take owned columns.
    CudfColumnOps sliceOps = new CudfColumnOps();
    try {
      ColumnVector slice = new ListColumnSlices<>(sliceOps, "expert_ids", file, idOffsets, idValues)
          .slice(row, (long) numTokens * topK, batchId);
      return CudfRouting.build(device, slice, numExperts, topK, batchId);
    } finally {
      sliceOps.closeAll();
    }
  }

  /**
   * The batch's tokens at {@code row}: its {@code numTokens x k} FP8 bytes by address in the file's
   * column, and its scales in the kernels' layout (a new column, freed when the result is closed); null
   * when both its activations values are null (the batch uses synthetic activations).
   */
  public Tokens tokens(long row, String batchId, int numTokens, int k) {
    Validate.require(values != null, "activations", file, "were not read from this file");
    if (isNull(1, row) || isNull(2, row)) {
      if (isNull(1, row) && isNull(2, row)) {
        return null;
      }
      String missing = isNull(1, row) ? "activations_fp8" : "activation_scales";
      throw new InvalidInputException(missing, null, "is null while the other activations column is not; a batch has"
          + " both or neither (batch " + batchId + ", file " + file + ")");
    }
    long[] bytes = valueOffsets.range(row, (long) numTokens * k, batchId);
    int kBlocks = ScaleBlocks.blocks(k);
    long[] floats = scaleOffsets.range(row, (long) numTokens * kBlocks, batchId);
    CudfColumnOps own = new CudfColumnOps();
    try {
      ColumnVector mMajor = ScaleLayoutColumns.mMajor(own, scales, (int) floats[0], numTokens, kBlocks);
      own.release(List.of(mMajor));
      ai.rapids.cudf.Cuda.DEFAULT_STREAM.sync(); // the gather is written before padfree's streams read it
      DeviceTokens tokens = new DeviceTokens(numTokens, k,
          DeviceBuffer.view(values.address() + bytes[0], bytes[1] - bytes[0], "cudf activations_fp8"),
          view(mMajor, "cudf activation scales (M-major)"),
          DeviceBuffer.view(address(scales) + 4 * floats[0], 4 * (floats[1] - floats[0]), "cudf activation scales"));
      return new Tokens(tokens, own::closeAll);
    } catch (RuntimeException | Error e) {
      own.closeAll();
      throw e;
    }
  }

  /** A batch's device tokens and what frees the memory made for them. */
  public record Tokens(DeviceTokens tokens, Runnable closer) implements AutoCloseable {
    @Override
    public void close() {
      closer.run();
    }
  }

  @Override
  public void close() {
    made.forEach(ColumnVector::close);
    table.close();
  }

  private static ColumnVector find(Table table, String file, String name, DType type, DType childType) {
    for (int c = 0; c < table.getNumberOfColumns(); c++) {
      ColumnVector column = table.getColumn(c);
      if (!column.getType().equals(type)) {
        continue;
      }
      if (childType == null) {
        return column;
      }
      try (ColumnView child = column.getChildColumnView(0)) {
        DType t = child.getType();
        if (t.equals(childType) || childType.equals(DType.UINT8) && t.equals(DType.INT8)) {
          return column;
        }
      }
    }
    throw new InvalidInputException(name, "missing or of another type", "cuDF read no " + type
        + (childType == null ? "" : " of " + childType) + " column for it from dataset file " + file);
  }

  private boolean isNull(int column, long row) {
    boolean[] n = nulls[column];
    return n != null && row >= 0 && row < n.length && n[(int) row];
  }

  /** Per row, whether the column's value is null (one byte per batch to the host), or null when none is. */
  private static boolean[] nullRows(ColumnVector column) {
    if (column.getNullCount() == 0) {
      return null;
    }
    try (ColumnVector isNull = column.isNull(); HostColumnVector host = isNull.copyToHost()) {
      boolean[] out = new boolean[Math.toIntExact(host.getRowCount())];
      for (int i = 0; i < out.length; i++) {
        out[i] = host.getBoolean(i);
      }
      return out;
    }
  }

  private static String[] strings(ColumnVector column) {
    try (HostColumnVector host = column.copyToHost()) {
      String[] out = new String[Math.toIntExact(host.getRowCount())];
      for (int i = 0; i < out.length; i++) {
        out[i] = host.isNull(i) ? "" : host.getJavaString(i);
      }
      return out;
    }
  }

  /**
   * The binary column {@code name}: LIST of UINT8 (or INT8), as it was asked for, or STRING. On the
   * H200 (cuDF 26.08.1) the activations came back as STRING although included with isBinary = true;
   * a STRING column holds the same thing (int32 row offsets, the bytes contiguous in its data buffer),
   * so either is taken. A file's STRING columns are batch_id and this one, batch_id first (it is
   * included first and written first), so the last STRING column is this one.
   */
  private static ColumnVector binary(Table table, String file, String name) {
    ColumnVector asString = null;
    int strings = 0;
    for (int c = 0; c < table.getNumberOfColumns(); c++) {
      if (table.getColumn(c).getType().equals(DType.STRING)) {
        strings++;
        asString = table.getColumn(c);
      }
    }
    try {
      return find(table, file, name, DType.LIST, DType.UINT8);
    } catch (InvalidInputException e) {
      if (strings >= 2) {
        return asString;
      }
      throw e;
    }
  }

  /** A STRING column's rows + 1 byte offsets on the host (from the rows' byte counts, not their character counts; a null row is empty). */
  private static int[] stringOffsets(ColumnVector column) {
    try (ColumnVector lengths = column.getByteCount(); HostColumnVector host = lengths.copyToHost()) {
      int[] out = new int[Math.toIntExact(host.getRowCount()) + 1];
      for (int i = 0; i + 1 < out.length; i++) {
        out[i + 1] = Math.addExact(out[i], host.isNull(i) ? 0 : host.getInt(i));
      }
      return out;
    }
  }

  /** The list's rows + 1 offsets on the host: one int per batch of the file (a null row's list is empty). */
  private static int[] listOffsets(ColumnVector list) {
    try (ColumnView offsets = list.getListOffsetsView(); HostColumnVector host = offsets.copyToHost()) {
      int[] out = new int[Math.toIntExact(host.getRowCount())];
      for (int i = 0; i < out.length; i++) {
        out[i] = host.getInt(i);
      }
      return out.length == 0 ? new int[] {0} : out;
    }
  }

  /**
   * The list's flat values as a column of their own (one device copy per file: cuDF's Java tables
   * take owned columns, and the child of a read column is a view).
   */
  private static ColumnVector child(ColumnVector list, String name, String file, List<ColumnVector> made) {
    try (ColumnView child = list.getChildColumnView(0)) {
      ColumnVector copy = child.copyToColumnVector();
      made.add(copy);
      Validate.require(copy.getNullCount() == 0, name, copy.getNullCount() + " null elements",
          "a list may not hold nulls (file " + file + ")");
      return copy;
    }
  }

  private static long address(ColumnView c) {
    return c.getRowCount() == 0 || c.getData() == null ? 0 : c.getData().getAddress();
  }

  private static DeviceBuffer view(ColumnView c, String label) {
    var data = c.getRowCount() == 0 ? null : c.getData();
    return data == null ? DeviceBuffer.view(0, 0, label) : DeviceBuffer.view(data.getAddress(), data.getLength(), label);
  }
}
