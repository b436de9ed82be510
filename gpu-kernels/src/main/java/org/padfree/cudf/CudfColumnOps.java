package org.padfree.cudf;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.HostColumnVector;
import ai.rapids.cudf.OrderByArg;
import ai.rapids.cudf.OutOfBoundsPolicy;
import ai.rapids.cudf.ScanAggregation;
import ai.rapids.cudf.ScanType;
import ai.rapids.cudf.Scalar;
import ai.rapids.cudf.Table;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.padfree.columnar.ColumnOps;

/**
 * {@link ColumnOps} on the GPU: each primitive is one cuDF call (API of ai.rapids:cudf 26.08.1, every
 * method checked with javap), on cuDF's default stream, in RMM memory. Results are INT32 columns
 * without nulls (gathers do not check bounds: the algorithm's indices are in range by construction);
 * booleans are BOOL8. Every column made here is tracked and freed by {@link #release} unless kept.
 * Not thread-safe: one instance per batch being routed.
 */
final class CudfColumnOps implements ColumnOps<ColumnVector> {
  private final List<ColumnVector> made = new ArrayList<>();

  private ColumnVector track(ColumnVector c) {
    made.add(c);
    return c;
  }

  /** INT32 as the algorithm expects: scans and searches may answer in another integer type. */
  private ColumnVector int32(ColumnVector c) {
    if (c.getType().equals(DType.INT32)) {
      return track(c);
    }
    try (c) {
      return track(c.castTo(DType.INT32));
    }
  }

  private static ColumnVector empty() {
    return ColumnVector.fromInts();
  }

  private ColumnVector withScalar(int value, Function<Scalar, ColumnVector> op) {
    try (Scalar s = Scalar.fromInt(value)) {
      return track(op.apply(s));
    }
  }

  /** Column 0 of a one-column result table, kept beyond the table. */
  private ColumnVector only(Table t) {
    try (t) {
      return track(t.getColumn(0).incRefCount());
    }
  }

  @Override
  public ColumnVector sequence(int start, int count) {
    if (count == 0) {
      return track(empty());
    }
    return withScalar(start, s -> ColumnVector.sequence(s, count));
  }

  @Override
  public ColumnVector constant(int value, int count) {
    if (count == 0) {
      return track(empty());
    }
    return withScalar(value, s -> ColumnVector.fromScalar(s, count));
  }

  @Override
  public ColumnVector[] sortPairs(ColumnVector a, ColumnVector b) {
    // Two keys: (expert, slot) pairs are all distinct, so the order is total and the sort's stability
    // does not matter.
    try (Table t = new Table(a, b); Table sorted = t.orderBy(OrderByArg.asc(0), OrderByArg.asc(1))) {
      return new ColumnVector[] {track(sorted.getColumn(0).incRefCount()), track(sorted.getColumn(1).incRefCount())};
    }
  }

  @Override
  public ColumnVector slice(ColumnVector a, int from, int to) {
    return track(a.subVector(from, to));
  }

  @Override
  public ColumnVector concat(ColumnVector a, ColumnVector b) {
    return track(ColumnVector.concatenate(a, b));
  }

  @Override
  public ColumnVector add(ColumnVector a, ColumnVector b) {
    return track(a.add(b, DType.INT32));
  }

  @Override
  public ColumnVector sub(ColumnVector a, ColumnVector b) {
    return track(a.sub(b, DType.INT32));
  }

  @Override
  public ColumnVector addScalar(ColumnVector a, int b) {
    return withScalar(b, s -> a.add(s, DType.INT32));
  }

  @Override
  public ColumnVector mulScalar(ColumnVector a, int b) {
    return withScalar(b, s -> a.mul(s, DType.INT32));
  }

  @Override
  public ColumnVector divScalar(ColumnVector a, int b) {
    // BinaryOp.DIV on integers is C++ integer division (TRUE_DIV would give floats).
    return withScalar(b, s -> a.div(s, DType.INT32));
  }

  @Override
  public ColumnVector scanSum(ColumnVector a) {
    if (a.getRowCount() == 0) {
      return track(empty());
    }
    return int32(a.scan(ScanAggregation.sum(), ScanType.INCLUSIVE));
  }

  @Override
  public ColumnVector lowerBound(ColumnVector sorted, ColumnVector values) {
    try (Table s = new Table(sorted); Table v = new Table(values)) {
      return int32(s.lowerBound(v, OrderByArg.asc(0)));
    }
  }

  @Override
  public ColumnVector upperBound(ColumnVector sorted, ColumnVector values) {
    try (Table s = new Table(sorted); Table v = new Table(values)) {
      return int32(s.upperBound(v, OrderByArg.asc(0)));
    }
  }

  @Override
  public ColumnVector gather(ColumnVector source, ColumnVector indices) {
    try (Table t = new Table(source)) {
      return only(t.gather(indices, OutOfBoundsPolicy.DONT_CHECK));
    }
  }

  @Override
  public ColumnVector lessThan(ColumnVector a, ColumnVector b) {
    return track(a.lessThan(b));
  }

  @Override
  public ColumnVector lessThanScalar(ColumnVector a, int b) {
    return withScalar(b, s -> a.lessThan(s));
  }

  @Override
  public ColumnVector ifElse(ColumnVector cond, ColumnVector a, ColumnVector b) {
    return track(cond.ifElse(a, b));
  }

  @Override
  public ColumnVector ifElseScalar(ColumnVector cond, ColumnVector a, int b) {
    return withScalar(b, s -> cond.ifElse(a, s));
  }

  @Override
  public ColumnVector scatter(ColumnVector values, ColumnVector positions, int size) {
    if (size == 0) {
      return track(empty());
    }
    try (Scalar zero = Scalar.fromInt(0);
         ColumnVector zeros = ColumnVector.fromScalar(zero, size);
         Table target = new Table(zeros);
         Table source = new Table(values)) {
      return only(source.scatter(positions, target));
    }
  }

  @Override
  public long rows(ColumnVector a) {
    return a.getRowCount();
  }

  @Override
  public int min(ColumnVector a) {
    try (Scalar s = a.min()) {
      return s.getInt();
    }
  }

  @Override
  public int max(ColumnVector a) {
    try (Scalar s = a.max()) {
      return s.getInt();
    }
  }

  @Override
  public long distinctPairs(ColumnVector a, ColumnVector b) {
    try (Table t = new Table(a, b)) {
      return t.distinctCount();
    }
  }

  @Override
  public int[] toHost(ColumnVector a) {
    // A synchronous copy on cuDF's stream: the values are final when it returns.
    try (HostColumnVector h = a.copyToHost()) {
      int[] out = new int[Math.toIntExact(h.getRowCount())];
      for (int i = 0; i < out.length; i++) {
        out[i] = h.getInt(i);
      }
      return out;
    }
  }

  @Override
  public void release(Collection<ColumnVector> keep) {
    Set<ColumnVector> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    kept.addAll(keep);
    List<ColumnVector> remaining = new ArrayList<>();
    for (ColumnVector c : made) {
      if (kept.contains(c)) {
        remaining.add(c);
      } else {
        c.close();
      }
    }
    made.clear();
    made.addAll(remaining);
  }

  /** Frees everything still tracked (the kept results too). */
  void closeAll() {
    release(List.of());
  }
}
