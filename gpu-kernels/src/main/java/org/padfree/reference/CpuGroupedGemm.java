package org.padfree.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.padfree.Validate;
import org.padfree.layout.LayoutChecks;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;

/**
 * The exact CPU reference backend: dense NT, padded contiguous, padding-free contiguous and masked
 * grouped FP8 GEMMs with the semantics of {@link BlockScaledTileKernel}. Every output row depends
 * only on its own A row and its expert's weights, so all layouts give bit-identical valid rows.
 *
 * <p>Work is cut into tiles of up to 64 rows x 256 columns of one group and spread over a
 * ForkJoinPool of {@code threads} workers. Rows a layout marks invalid (padding, masked-out) are
 * never computed and stay zero in D.
 */
public final class CpuGroupedGemm implements AutoCloseable {
  private final ForkJoinPool pool;
  private final ThreadLocal<BlockScaledTileKernel> kernels =
      ThreadLocal.withInitial(BlockScaledTileKernel::new);

  /** A backend using every available processor. */
  public CpuGroupedGemm() {
    this(Runtime.getRuntime().availableProcessors());
  }

  public CpuGroupedGemm(int threads) {
    Validate.positive("threads", threads);
    this.pool = new ForkJoinPool(threads);
  }

  /** D[M, N] = A[M, K] x B^T for a single weight matrix (b must hold exactly one expert). */
  public Bf16Matrix dense(QuantizedActivations a, QuantizedWeights b) {
    requireSameK(a, b);
    Validate.require(b.experts() == 1, "experts", b.experts(), "a dense GEMM takes exactly one weight matrix");
    Bf16Matrix d = Bf16Matrix.zeros(a.rows(), b.n());
    runBf16(d, List.of(new Group(0, a.rows(), 0, 0)), a, b);
    return d;
  }

  /**
   * The padded contiguous (DeepGEMM-style) layout: {@code groupIndex[r]} is row r's expert, or -1 for
   * a padding row; groups start at multiples of 128 (see {@link LayoutChecks#checkPaddedGroupIndex}).
   * D has one row per A row; padding rows of D stay zero.
   */
  public Bf16Matrix paddedContiguous(QuantizedActivations a, QuantizedWeights b, int[] groupIndex) {
    Bf16Matrix d = Bf16Matrix.zeros(a.rows(), b.n());
    runBf16(d, paddedGroups(a, b, groupIndex), a, b);
    return d;
  }

  /** As {@link #paddedContiguous}, D kept in FP32 (the accumulators, not rounded to BF16). */
  public Fp32Matrix paddedContiguousFp32(QuantizedActivations a, QuantizedWeights b, int[] groupIndex) {
    return runFp32(paddedGroups(a, b, groupIndex), a, b);
  }

  private static List<Group> paddedGroups(QuantizedActivations a, QuantizedWeights b, int[] groupIndex) {
    requireSameK(a, b);
    LayoutChecks.checkPaddedGroupIndex(groupIndex, a.rows(), b.experts());
    List<Group> groups = new ArrayList<>();
    int r = 0;
    while (r < groupIndex.length) {
      int e = groupIndex[r];
      int end = r + 1;
      while (end < groupIndex.length && groupIndex[end] == e) {
        end++;
      }
      if (e >= 0) {
        groups.add(new Group(r, end - r, e, r));
      }
      r = end;
    }
    return groups;
  }

  /**
   * The padding-free contiguous layout: expert e owns rows {@code [offsets[e], offsets[e+1])};
   * offsets has E+1 entries, starts at 0, never decreases and ends at M. Groups of any size, 0 included.
   */
  public Bf16Matrix paddingFreeContiguous(QuantizedActivations a, QuantizedWeights b, int[] offsets) {
    Bf16Matrix d = Bf16Matrix.zeros(a.rows(), b.n());
    runBf16(d, paddingFreeGroups(a, b, offsets), a, b);
    return d;
  }

  /** As {@link #paddingFreeContiguous}, D kept in FP32 (the accumulators, not rounded to BF16). */
  public Fp32Matrix paddingFreeContiguousFp32(QuantizedActivations a, QuantizedWeights b, int[] offsets) {
    return runFp32(paddingFreeGroups(a, b, offsets), a, b);
  }

  private static List<Group> paddingFreeGroups(QuantizedActivations a, QuantizedWeights b, int[] offsets) {
    requireSameK(a, b);
    LayoutChecks.checkOffsets(offsets, a.rows(), b.experts());
    List<Group> groups = new ArrayList<>();
    for (int e = 0; e < b.experts(); e++) {
      if (offsets[e + 1] > offsets[e]) {
        groups.add(new Group(offsets[e], offsets[e + 1] - offsets[e], e, offsets[e]));
      }
    }
    return groups;
  }

  /**
   * The masked layout (decode): A is [E][maxRows][K] flattened to E*maxRows rows; expert e's valid
   * rows are the first {@code counts[e]} of its slab. D is [E][maxRows][N]; rows past a count stay zero.
   */
  public Bf16Matrix masked(QuantizedActivations a, QuantizedWeights b, int maxRows, int[] counts) {
    requireSameK(a, b);
    LayoutChecks.checkMaskedCounts(counts, maxRows, a.rows(), b.experts());
    List<Group> groups = new ArrayList<>();
    for (int e = 0; e < counts.length; e++) {
      if (counts[e] > 0) {
        groups.add(new Group(e * maxRows, counts[e], e, e * maxRows));
      }
    }
    Bf16Matrix d = Bf16Matrix.zeros(a.rows(), b.n());
    runBf16(d, groups, a, b);
    return d;
  }

  /** The tiling and thread count, for reports. */
  public String configuration() {
    return "cpu-reference " + BlockScaledTileKernel.describe() + ", " + pool.getParallelism() + " threads";
  }

  @Override
  public void close() {
    pool.shutdown();
  }

  private static void requireSameK(QuantizedActivations a, QuantizedWeights b) {
    Validate.notNull("a", a);
    Validate.notNull("b", b);
    Validate.require(a.k() == b.k(), "k", a.k(), "A has K=" + a.k() + " but B has K=" + b.k());
  }

  /** Rows [aRow, aRow+rows) of A against one expert, written to D from dRow. */
  private record Group(int aRow, int rows, int expert, int dRow) {}

  /** Rows aRows/dRows[from, from+rows) against one weight matrix (held by {@code expert}), columns [n0, n0+cols). */
  private record Tile(int[] aRows, int[] dRows, int from, int rows, int expert, int n0, int cols) {}

  /** The groups' tiles into a fresh FP32 D (accumulators not rounded). */
  private Fp32Matrix runFp32(List<Group> groups, QuantizedActivations a, QuantizedWeights b) {
    Fp32Matrix d = Fp32Matrix.zeros(a.rows(), b.n());
    run(groups, a, b, (kernel, t) -> kernel.run(a, t.aRows(), t.dRows(), t.from(), t.rows(), b, t.expert(), t.n0(), t.cols(), d));
    return d;
  }

  private void runBf16(Bf16Matrix d, List<Group> groups, QuantizedActivations a, QuantizedWeights b) {
    run(groups, a, b, (kernel, t) -> kernel.run(a, t.aRows(), t.dRows(), t.from(), t.rows(), b, t.expert(), t.n0(), t.cols(), d));
  }

  /** How a tile's result is written (BF16 or FP32 D). */
  private interface TileWriter {
    void write(BlockScaledTileKernel kernel, Tile tile);
  }

  private void run(List<Group> groups, QuantizedActivations a, QuantizedWeights b, TileWriter writer) {
    int n = b.n();
    List<Tile> tiles = new ArrayList<>();
    for (RowSet set : byWeightMatrix(groups, b)) {
      for (int m = 0; m < set.aRows.length; m += BlockScaledTileKernel.TILE_M) {
        int rows = Math.min(BlockScaledTileKernel.TILE_M, set.aRows.length - m);
        for (int n0 = 0; n0 < n; n0 += BlockScaledTileKernel.TILE_N) {
          tiles.add(new Tile(set.aRows, set.dRows, m, rows, set.expert, n0, Math.min(BlockScaledTileKernel.TILE_N, n - n0)));
        }
      }
    }
    Runnable work = () -> IntStream.range(0, tiles.size()).parallel().forEach(i -> {
      Tile t = tiles.get(i);
      writer.write(kernels.get(), t);
    });
    if (tiles.size() == 1) {
      work.run();
    } else {
      pool.submit(work).join();
    }
  }

  /** All rows multiplied by one weight matrix (one expert's, or several experts' that share it). */
  private record RowSet(int expert, int[] aRows, int[] dRows) {}

  /**
   * Pools the groups of experts that share a weight matrix (same arrays, as in a synthetic weight
   * bank), so each matrix is decoded once per tile of rows rather than once per tiny group. Per-row
   * arithmetic is unchanged, so results are identical; only small groups get cheaper.
   */
  private static List<RowSet> byWeightMatrix(List<Group> groups, QuantizedWeights b) {
    java.util.Map<Object, List<Group>> shared = new java.util.LinkedHashMap<>();
    for (Group g : groups) {
      shared.computeIfAbsent(new MatrixIdentity(b.values()[g.expert()], b.scales()[g.expert()]), x -> new ArrayList<>()).add(g);
    }
    List<RowSet> sets = new ArrayList<>();
    for (List<Group> list : shared.values()) {
      int total = list.stream().mapToInt(Group::rows).sum();
      int[] aRows = new int[total];
      int[] dRows = new int[total];
      int i = 0;
      for (Group g : list) {
        for (int r = 0; r < g.rows(); r++, i++) {
          aRows[i] = g.aRow() + r;
          dRows[i] = g.dRow() + r;
        }
      }
      sets.add(new RowSet(list.get(0).expert(), aRows, dRows));
    }
    return sets;
  }

  /** Identity (not equality) of an expert's value and scale arrays. */
  private record MatrixIdentity(byte[] values, float[] scales) {
    @Override
    public boolean equals(Object o) {
      return o instanceof MatrixIdentity m && m.values == values && m.scales == scales;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(values) * 31 + System.identityHashCode(scales);
    }
  }
}
