package org.padfree.columnar;

import java.util.Arrays;
import java.util.Collection;

/**
 * {@link ColumnOps} on Java int arrays: the reference semantics of each primitive, so the routing
 * algorithm can be checked on the CPU against the host layout builders. Not used for real work.
 */
public final class HostColumnOps implements ColumnOps<int[]> {

  @Override
  public int[] sequence(int start, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = start + i;
    }
    return out;
  }

  @Override
  public int[] constant(int value, int count) {
    int[] out = new int[count];
    Arrays.fill(out, value);
    return out;
  }

  @Override
  public int[][] sortPairs(int[] a, int[] b) {
    Integer[] order = new Integer[a.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> a[x] != a[y] ? Integer.compare(a[x], a[y]) : Integer.compare(b[x], b[y]));
    int[] sa = new int[a.length];
    int[] sb = new int[a.length];
    for (int i = 0; i < order.length; i++) {
      sa[i] = a[order[i]];
      sb[i] = b[order[i]];
    }
    return new int[][] {sa, sb};
  }

  @Override
  public int[] slice(int[] a, int from, int to) {
    return Arrays.copyOfRange(a, from, to);
  }

  @Override
  public int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public int[] add(int[] a, int[] b) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  @Override
  public int[] sub(int[] a, int[] b) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] - b[i];
    }
    return out;
  }

  @Override
  public int[] addScalar(int[] a, int b) {
    return Arrays.stream(a).map(x -> x + b).toArray();
  }

  @Override
  public int[] mulScalar(int[] a, int b) {
    return Arrays.stream(a).map(x -> x * b).toArray();
  }

  @Override
  public int[] divScalar(int[] a, int b) {
    return Arrays.stream(a).map(x -> x / b).toArray();
  }

  @Override
  public int[] scanSum(int[] a) {
    int[] out = new int[a.length];
    int sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i];
      out[i] = sum;
    }
    return out;
  }

  @Override
  public int[] lowerBound(int[] sorted, int[] values) {
    return Arrays.stream(values).map(v -> bound(sorted, v, false)).toArray();
  }

  @Override
  public int[] upperBound(int[] sorted, int[] values) {
    return Arrays.stream(values).map(v -> bound(sorted, v, true)).toArray();
  }

  /** The first index whose value is >= v (lower bound), or > v (upper bound), by binary search. */
  private static int bound(int[] sorted, int v, boolean upper) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v || upper && sorted[mid] == v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Override
  public int[] gather(int[] source, int[] indices) {
    return Arrays.stream(indices).map(i -> source[i]).toArray();
  }

  @Override
  public int[] lessThan(int[] a, int[] b) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] < b[i] ? 1 : 0;
    }
    return out;
  }

  @Override
  public int[] lessThanScalar(int[] a, int b) {
    return Arrays.stream(a).map(x -> x < b ? 1 : 0).toArray();
  }

  @Override
  public int[] ifElse(int[] cond, int[] a, int[] b) {
    int[] out = new int[cond.length];
    for (int i = 0; i < cond.length; i++) {
      out[i] = cond[i] != 0 ? a[i] : b[i];
    }
    return out;
  }

  @Override
  public int[] ifElseScalar(int[] cond, int[] a, int b) {
    int[] out = new int[cond.length];
    for (int i = 0; i < cond.length; i++) {
      out[i] = cond[i] != 0 ? a[i] : b;
    }
    return out;
  }

  @Override
  public int[] scatter(int[] values, int[] positions, int size) {
    int[] out = new int[size];
    for (int i = 0; i < values.length; i++) {
      out[positions[i]] = values[i];
    }
    return out;
  }

  @Override
  public long rows(int[] a) {
    return a.length;
  }

  @Override
  public int min(int[] a) {
    return Arrays.stream(a).min().orElseThrow();
  }

  @Override
  public int max(int[] a) {
    return Arrays.stream(a).max().orElseThrow();
  }

  @Override
  public long distinctPairs(int[] a, int[] b) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < a.length; i++) {
      seen.add((long) a[i] << 32 | (b[i] & 0xffffffffL));
    }
    return seen.size();
  }

  @Override
  public int[] toHost(int[] a) {
    return a.clone();
  }

  @Override
  public void release(Collection<int[]> keep) {
    // Arrays are garbage collected.
  }
}
