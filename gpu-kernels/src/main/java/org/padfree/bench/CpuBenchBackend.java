package org.padfree.bench;

import org.padfree.InvalidInputException;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.Bf16Matrix;
import org.padfree.reference.CpuGroupedGemm;

/**
 * GemmBench on the exact CPU reference: the same cases file, checks and report as on the GPU, for
 * small shapes (CI, a laptop). Its timings are CPU wall times of the reference and say nothing about
 * a GPU; reports label them so.
 */
final class CpuBenchBackend implements BenchBackend {
  /** Largest operand the reference should be asked for here (values of A, B or D). */
  static final long MAX_VALUES = 1L << 26;

  private final CpuGroupedGemm gemm;
  private final int threads;

  CpuBenchBackend(int threads) {
    this.threads = threads;
    this.gemm = new CpuGroupedGemm(threads);
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String device() {
    return "CPU reference, " + threads + " threads, " + System.getProperty("os.arch") + ", Java " + Runtime.version().feature();
  }

  @Override
  public boolean timingsMeaningful() {
    return false;
  }

  @Override
  public int smClockMhz() {
    return -1;
  }

  @Override
  public PreparedCase prepare(BenchProblem p) {
    BenchCase c = p.benchCase();
    long largest = Math.max((long) c.paddedRows() * Math.max(c.n(), c.k()), (long) c.groups() * c.n() * c.k());
    if (largest > MAX_VALUES) {
      throw new InvalidInputException("case", c.name(), "is too large for the CPU reference backend (" + largest
          + " values in one operand, at most " + MAX_VALUES + "); run it with --backend cuda");
    }
    return new Prepared(p);
  }

  @Override
  public void close() {
    gemm.close();
  }

  private final class Prepared implements PreparedCase {
    private final BenchProblem p;
    private final QuantizedActivations a;
    private final QuantizedWeights weights;
    private final QuantizedWeights firstGroup;
    private final QuantizedActivations maskedA;
    private final int[] padSource;
    private QuantizedActivations paddedA;

    Prepared(BenchProblem p) {
      this.p = p;
      BenchCase c = p.benchCase();
      this.a = p.activations();
      byte[][] values = new byte[c.groups()][];
      float[][] scales = new float[c.groups()][];
      for (int e = 0; e < c.groups(); e++) {
        QuantizedWeights w = p.weights(e);
        values[e] = w.values()[0];
        scales[e] = w.scales()[0];
      }
      this.weights = new QuantizedWeights(c.n(), c.k(), values, scales);
      this.firstGroup = new QuantizedWeights(c.n(), c.k(), new byte[][] {values[0]}, new float[][] {scales[0]});
      this.padSource = p.padSource();
      this.maskedA = c.times(BenchPath.MASKED) ? a.gatherRows(p.maskedSource()) : null;
      this.paddedA = a.gatherRows(padSource);
    }

    @Override
    public KernelConfig config() {
      return null; // the reference has no tiles worth reporting
    }

    private Bf16Matrix compute(BenchPath path) {
      return switch (path) {
        case PADDING_FREE -> gemm.paddingFreeContiguous(a, weights, p.offsets());
        case PADDED -> gemm.paddedContiguous(paddedA, weights, p.groupIndex());
        case PAD -> {
          paddedA = a.gatherRows(padSource);
          yield null;
        }
        case MASKED -> gemm.masked(maskedA, weights, p.maxRows(), p.benchCase().counts());
        case DENSE -> gemm.dense(a, firstGroup);
      };
    }

    @Override
    public Outputs outputs(int[] sampleRows) {
      BenchCase c = p.benchCase();
      Bf16Matrix free = compute(BenchPath.PADDING_FREE);
      Bf16Matrix padded = compute(BenchPath.PADDED);
      long paddedMismatches = mismatches(free, padded, p.paddedRowOf());
      long maskedMismatches = c.times(BenchPath.MASKED) ? mismatches(free, compute(BenchPath.MASKED), p.maskedRowOf()) : -1;
      short[] freeRows = rows(free, sampleRows);
      short[] denseRows = c.times(BenchPath.DENSE) ? rows(compute(BenchPath.DENSE), sampleRows) : null;
      return new Outputs(paddedMismatches, maskedMismatches, freeRows, denseRows);
    }

    private long mismatches(Bf16Matrix free, Bf16Matrix other, int[] rowOf) {
      long count = 0;
      for (int r = 0; r < rowOf.length; r++) {
        count += free.rowEquals(r, other, rowOf[r]) ? 0 : 1;
      }
      return count;
    }

    private short[] rows(Bf16Matrix d, int[] sampleRows) {
      short[] out = new short[sampleRows.length * d.cols()];
      for (int i = 0; i < sampleRows.length; i++) {
        System.arraycopy(d.bits(), sampleRows[i] * d.cols(), out, i * d.cols(), d.cols());
      }
      return out;
    }

    @Override
    public void run(BenchPath path) {
      compute(path);
    }

    @Override
    public double timeMillis(BenchPath path) {
      long t0 = System.nanoTime();
      compute(path);
      return (System.nanoTime() - t0) / 1e6;
    }

    @Override
    public void close() {}
  }
}
