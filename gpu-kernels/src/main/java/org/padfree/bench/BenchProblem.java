package org.padfree.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.padfree.cuda.kernels.DeviceGemmOperands;
import org.padfree.layout.LayoutBuilder;
import org.padfree.layout.MaskedLayout;
import org.padfree.layout.PaddedLayout;
import org.padfree.layout.PaddingFreeLayout;
import org.padfree.quant.Fp8Quantizer;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.SyntheticData;
import org.padfree.routing.RoutedBatch;

/**
 * A case's operands and layouts, the same on every backend. Row r of the padding-free A is
 * {@code SyntheticData.activations(seed, rows, K)} row r (each row its own token: the GEMM sees
 * dispatched rows, however the router made them); group e's weights are
 * {@code SyntheticData.weights(weightSeed(e), N, K)}; both quantized as everywhere in the project
 * (1x128 and 128x128 FP8 scales). A backend makes them where it computes (the GPU on the device,
 * bit for bit the host's); the reference check makes only the rows and groups it samples.
 */
public final class BenchProblem {
  /** Rows compared with the double reference per case (first and last rows of a few groups). */
  static final int SAMPLED_GROUPS = 4;

  private final BenchCase c;
  private final PaddingFreeLayout free;
  private final PaddedLayout padded;
  private final MaskedLayout masked;

  public BenchProblem(BenchCase c) {
    this.c = c;
    RoutedBatch batch = RoutedBatch.fromCounts(c.name(), "gemm-bench", c.distribution(), 1, c.counts(), c.seed());
    this.free = LayoutBuilder.paddingFree(batch);
    this.padded = LayoutBuilder.padded(batch);
    this.masked = LayoutBuilder.masked(batch, LayoutBuilder.largestGroup(batch));
  }

  public BenchCase benchCase() {
    return c;
  }

  public long activationSeed() {
    return c.seed();
  }

  /** Group e's weight seed: distinct per group and per case seed. */
  public long weightSeed(int group) {
    return c.seed() * 1_000_003L + 1 + group;
  }

  public int[] offsets() {
    return free.offsets();
  }

  public int[] groupStarts() {
    return padded.groupStarts();
  }

  public int[] groupIndex() {
    return padded.groupIndex();
  }

  /** For each padded row, the padding-free row the pad copies there, or -1. */
  public int[] padSource() {
    return LayoutBuilder.padSource(free, padded);
  }

  public int maxRows() {
    return masked.maxRows();
  }

  /** For each masked row ([groups][maxRows]), the padding-free row it holds, or -1. */
  public int[] maskedSource() {
    int[] source = new int[masked.numExperts() * masked.maxRows()];
    java.util.Arrays.fill(source, -1);
    for (int e = 0; e < masked.numExperts(); e++) {
      for (int i = 0; i < masked.counts()[e]; i++) {
        source[e * masked.maxRows() + i] = free.offsets()[e] + i;
      }
    }
    return source;
  }

  /** The padding-free M-block table of the GPU kernel (two ints per block of up to 128 rows). */
  public int[] blockTable() {
    return DeviceGemmOperands.blockTable(free.offsets());
  }

  public int freeMBlocks() {
    int[] starts = DeviceGemmOperands.blockStarts(free.offsets());
    return starts[starts.length - 1];
  }

  /** For each padding-free row, its row in the padded layout. */
  public int[] paddedRowOf() {
    int[] map = new int[c.rows()];
    for (int e = 0; e < c.groups(); e++) {
      for (int r = free.offsets()[e]; r < free.offsets()[e + 1]; r++) {
        map[r] = padded.groupStarts()[e] + r - free.offsets()[e];
      }
    }
    return map;
  }

  /** For each padding-free row, its row in the masked layout. */
  public int[] maskedRowOf() {
    int[] map = new int[c.rows()];
    for (int e = 0; e < c.groups(); e++) {
      for (int r = free.offsets()[e]; r < free.offsets()[e + 1]; r++) {
        map[r] = e * masked.maxRows() + r - free.offsets()[e];
      }
    }
    return map;
  }

  /** The group of padding-free row r. */
  public int groupOf(int row) {
    int e = 0;
    while (free.offsets()[e + 1] <= row) {
      e++;
    }
    return e;
  }

  /**
   * The rows the reference checks: the first and last row of the first, the largest, a middle and
   * the last non-empty group (group boundaries are where layouts go wrong), ascending, distinct.
   */
  public int[] sampleRows() {
    List<Integer> nonEmpty = new ArrayList<>();
    int largest = -1;
    for (int e = 0; e < c.groups(); e++) {
      if (c.counts()[e] > 0) {
        nonEmpty.add(e);
        if (largest < 0 || c.counts()[e] > c.counts()[largest]) {
          largest = e;
        }
      }
    }
    TreeSet<Integer> groups = new TreeSet<>(List.of(nonEmpty.getFirst(), largest,
        nonEmpty.get(nonEmpty.size() / 2), nonEmpty.getLast()));
    TreeSet<Integer> rows = new TreeSet<>();
    for (int e : groups) {
      rows.add(free.offsets()[e]);
      rows.add(free.offsets()[e + 1] - 1);
    }
    return rows.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Padding-free A, all rows (small cases: the CPU backend). */
  public QuantizedActivations activations() {
    return Fp8Quantizer.quantizeActivations(SyntheticData.activations(activationSeed(), c.rows(), c.k()), c.rows(), c.k());
  }

  /** Just {@code rows} of padding-free A, bit for bit those rows of {@link #activations()}. */
  public QuantizedActivations activationRows(int[] rows) {
    return Fp8Quantizer.quantizeActivations(SyntheticData.activationRows(activationSeed(), rows, c.k()), rows.length, c.k());
  }

  /** Group e's weights as a one-group weight set. */
  public QuantizedWeights weights(int group) {
    return Fp8Quantizer.quantizeWeights(SyntheticData.weights(weightSeed(group), c.n(), c.k()), c.n(), c.k());
  }
}
