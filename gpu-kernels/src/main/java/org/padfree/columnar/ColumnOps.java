package org.padfree.columnar;

/**
 * The columnar primitives the device routing is written in: 32-bit integer columns of type {@code C}
 * and the few operations on them that sorting rows by expert and building the grouped layouts need.
 * Two implementations: cuDF on the GPU ({@code org.padfree.cudf.CudfColumnOps}, one cuDF call per
 * operation) and plain Java arrays ({@link HostColumnOps}), which lets a CPU suite check that the
 * algorithm ({@link RoutingColumns}) gives the host layouts bit for bit, so the GPU suite only has to
 * confirm that cuDF computes each primitive as documented here.
 *
 * <p>Every operation returns a new column and leaves its arguments alone; booleans are columns too
 * (the host's 0/1). An implementation owns what it makes and frees it on {@link #release}.
 */
public interface ColumnOps<C> {

  /** start, start + 1, ..., start + count - 1. */
  C sequence(int start, int count);

  /** {@code count} copies of {@code value}. */
  C constant(int value, int count);

  /** Rows of (a, b) sorted by a, then b, ascending: the two sorted columns. */
  C[] sortPairs(C a, C b);

  /** Rows of {@code a} from {@code from} (inclusive) to {@code to} (exclusive). */
  C slice(C a, int from, int to);

  /** {@code a} followed by {@code b}. */
  C concat(C a, C b);

  C add(C a, C b);

  C sub(C a, C b);

  C addScalar(C a, int b);

  C mulScalar(C a, int b);

  /** Integer division of non-negative values by a positive {@code b} (truncation = floor here). */
  C divScalar(C a, int b);

  /** Inclusive prefix sums. */
  C scanSum(C a);

  /** For each value, the first position in {@code sorted} (non-decreasing) whose entry is not below it. */
  C lowerBound(C sorted, C values);

  /** For each value, the first position in {@code sorted} (non-decreasing) whose entry is above it. */
  C upperBound(C sorted, C values);

  /** {@code source[indices[i]]}; every index in range. */
  C gather(C source, C indices);

  /** 1 where a < b, else 0 (a boolean column). */
  C lessThan(C a, C b);

  C lessThanScalar(C a, int b);

  /** {@code cond ? a : b} row by row. */
  C ifElse(C cond, C a, C b);

  C ifElseScalar(C cond, C a, int b);

  /** A column of {@code size} zeros with {@code values[i]} written at {@code positions[i]} (positions distinct). */
  C scatter(C values, C positions, int size);

  /** Rows of {@code a}; an empty column has 0. */
  long rows(C a);

  int min(C a);

  int max(C a);

  /** How many distinct (a, b) rows. */
  long distinctPairs(C a, C b);

  /** The column's values on the host (only for the O(experts) columns the host must size things by). */
  int[] toHost(C a);

  /** Frees every column this instance made except {@code keep}. */
  void release(java.util.Collection<C> keep);
}
