package org.padfree.backend;

/**
 * Median wall time in milliseconds of each step of one batch, over a backend's repetitions.
 * On the GPU these are CUDA-event times of the kernels; on the CPU, System.nanoTime around the calls.
 *
 * @param padMs the pad operation (padded A, scales and group index built from the dispatched batch)
 * @param paddedGemmMs the padded grouped GEMM
 * @param paddingFreeGemmMs the padding-free grouped GEMM
 * @param maskedGemmMs the masked grouped GEMM
 * @param repetitions how many timed runs each median is over
 */
public record PathTimings(
    double padMs, double paddedGemmMs, double paddingFreeGemmMs, double maskedGemmMs, int repetitions) {

  /** The padded path end to end: pad plus GEMM, what padding-free replaces. */
  public double paddedPathMs() {
    return padMs + paddedGemmMs;
  }

  /** (pad + padded GEMM) / padding-free GEMM; above 1 means padding-free is faster. */
  public double speedup() {
    return paddingFreeGemmMs > 0 ? paddedPathMs() / paddingFreeGemmMs : Double.NaN;
  }

  /** Median of {@code samples} (sorted in place); NaN when empty. */
  public static double median(double[] samples) {
    if (samples.length == 0) {
      return Double.NaN;
    }
    java.util.Arrays.sort(samples);
    int mid = samples.length / 2;
    return samples.length % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  }
}
