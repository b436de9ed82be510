package org.padfree.columnar;

import org.padfree.InvalidInputException;
import org.padfree.Validate;

/**
 * One data file's LIST column (e.g. a dataset file's {@code expert_ids}, read whole by cuDF) cut into
 * its rows: row r's values are elements {@code offsets[r] .. offsets[r+1]} of the flat child column.
 * Only the offsets (rows + 1 ints, one per batch of the file) are on the host; each batch's values are
 * taken from the child where it lies ({@link ColumnOps#slice}), so a file read once serves every batch
 * of it that a task evaluates. Written against {@link ColumnOps}: {@link HostColumnOps} is the CPU
 * reference, cuDF's columns the GPU's.
 */
public final class ListColumnSlices<C> {
  private final ColumnOps<C> ops;
  private final Offsets offsets;
  private final C child;

  /**
   * @param offsets the list offsets, rows + 1 non-decreasing positions in {@code child}
   * @param child the flat values of every row, in row order (the caller's; slices are new columns of {@code ops})
   */
  public ListColumnSlices(ColumnOps<C> ops, String column, String file, int[] offsets, C child) {
    this.ops = Validate.notNull("ops", ops);
    this.child = Validate.notNull("child", child);
    this.offsets = new Offsets(column, file, offsets, ops.rows(child));
  }

  /** Rows (batches) of the file. */
  public int rows() {
    return offsets.rows();
  }

  /** Row {@code row}'s values as a column of their own (see {@link Offsets#range} for the checks). */
  public C slice(long row, long expected, String batchId) {
    long[] range = offsets.range(row, expected, batchId);
    return ops.slice(child, (int) range[0], (int) range[1]);
  }

  /**
   * A list column's offsets, checked: rows + 1 non-decreasing positions from >= 0 within the
   * {@code values} of the flat child. Errors name the column, the batch and the file: a row the file
   * does not have (it changed since planning), a list whose length is not the one the batch's sizes give.
   */
  public static final class Offsets {
    private final String column;
    private final String file;
    private final int[] offsets;

    public Offsets(String column, String file, int[] offsets, long values) {
      this.column = Validate.notNull("column", column);
      this.file = Validate.notNull("file", file);
      this.offsets = Validate.notNull("offsets", offsets).clone();
      Validate.require(offsets.length >= 1 && offsets[0] >= 0, column + " offsets", offsets.length,
          "a list column has rows + 1 offsets from >= 0 (file " + file + ")");
      for (int r = 0; r + 1 < offsets.length; r++) {
        Validate.require(offsets[r + 1] >= offsets[r], column + " offsets[" + (r + 1) + "]", offsets[r + 1],
            "list offsets must not decrease (file " + file + ")");
      }
      Validate.require(offsets[offsets.length - 1] <= values, column + " offsets", offsets[offsets.length - 1],
          "point past the " + values + " values of the column (file " + file + ")");
    }

    public int rows() {
      return offsets.length - 1;
    }

    /** Row {@code row}'s range of values, {from, to}, checked to hold {@code expected} values. */
    public long[] range(long row, long expected, String batchId) {
      if (row < 0 || row >= rows()) {
        throw new InvalidInputException("dataset file", file, "has " + rows() + " rows, not row " + row
            + " where batch " + batchId + " was planned (it changed since planning)");
      }
      int r = (int) row;
      long length = (long) offsets[r + 1] - offsets[r];
      if (length != expected) {
        throw new InvalidInputException(column, length + " values", "expected " + expected + " (batch " + batchId
            + ", file " + file + ")");
      }
      return new long[] {offsets[r], offsets[r + 1]};
    }
  }
}
