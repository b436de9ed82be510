package org.padfree.backend;

import org.padfree.Validate;
import org.padfree.quant.QuantizedActivations;
import org.padfree.reference.Bf16Matrix;
import org.padfree.reference.CpuGroupedGemm;

/**
 * The exact CPU reference as a backend. Its timings are CPU wall times: they show the job works and
 * what the layouts cost on a CPU, not what a GPU would gain (the report says so).
 */
public final class CpuBackend implements GroupedGemmBackend {
  private final CpuGroupedGemm gemm;
  private final int threads;

  public CpuBackend(int threads) {
    this.threads = Validate.positive("threads", threads);
    this.gemm = new CpuGroupedGemm(threads);
  }

  @Override
  public BackendKind kind() {
    return BackendKind.CPU;
  }

  @Override
  public String device() {
    String vector = jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors";
    return "CPU reference: threads=" + threads + ", " + vector + ", " + System.getProperty("os.arch")
        + ", Java " + Runtime.version().feature();
  }

  @Override
  public PathOutputs run(GroupedGemmProblem p, int repetitions) {
    Validate.positive("repetitions", repetitions);
    long start = System.nanoTime();
    int[] padSource = p.padSource();
    int[] maskedSource = p.maskedSource();
    // The masked layout is how a decode step receives its tokens; building it is not part of any timing.
    QuantizedActivations maskedA = p.dispatched().gatherRows(maskedSource);
    double[] pad = new double[repetitions];
    double[] padded = new double[repetitions];
    double[] free = new double[repetitions];
    double[] masked = new double[repetitions];
    Bf16Matrix dPadded = null;
    Bf16Matrix dFree = null;
    Bf16Matrix dMasked = null;
    // No warm-up run: the JIT warms up over a job's first batches, and CPU timings are not the
    // figures the product is about; running every path once more would only double the cost.
    for (int rep = 0; rep < repetitions; rep++) {
      long t0 = System.nanoTime();
      QuantizedActivations paddedA = p.dispatched().gatherRows(padSource);
      long t1 = System.nanoTime();
      dPadded = gemm.paddedContiguous(paddedA, p.weights(), p.padded().groupIndex());
      long t2 = System.nanoTime();
      dFree = gemm.paddingFreeContiguous(p.dispatched(), p.weights(), p.paddingFree().offsets());
      long t3 = System.nanoTime();
      dMasked = gemm.masked(maskedA, p.weights(), p.masked().maxRows(), p.masked().counts());
      long t4 = System.nanoTime();
      pad[rep] = (t1 - t0) / 1e6;
      padded[rep] = (t2 - t1) / 1e6;
      free[rep] = (t3 - t2) / 1e6;
      masked[rep] = (t4 - t3) / 1e6;
    }
    PathTimings timings = new PathTimings(PathTimings.median(pad), PathTimings.median(padded),
        PathTimings.median(free), PathTimings.median(masked), repetitions);
    return new PathOutputs(dPadded, dFree, dMasked, timings, gemm.configuration(), Double.NaN,
        (System.nanoTime() - start) / 1e6);
  }

  @Override
  public void close() {
    gemm.close();
  }
}
