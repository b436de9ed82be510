package org.padfree.backend;

import org.padfree.reference.Bf16Matrix;

/**
 * What a backend returns for one batch: D of every path as host copies (padded D keeps its padding
 * rows, masked D is [E][maxRows][N]), the timings, and the kernel configuration that produced them.
 * A backend that compared the paths itself ({@link #checkedOnDevice()}) returns instead only the
 * padding-free rows it was asked for ({@code sampledRows}, in that order, as {@code paddingFree}), no
 * padded or masked D, and the counts of valid-row elements where padded or masked differ from
 * padding-free.
 *
 * @param deviceBusyMs time the accelerator spent on this call's kernels and copies (CUDA-event spans
 *     of uploads, the untimed warm-up, every timed run and the copies back, overlaps counted once);
 *     NaN where there is no accelerator (the CPU backend)
 * @param callWallMs wall time of the whole backend call on the host, uploads and copies back included
 */
public record PathOutputs(
    Bf16Matrix padded, Bf16Matrix paddingFree, Bf16Matrix masked, PathTimings timings, String kernelConfig,
    double deviceBusyMs, double callWallMs, int[] sampledRows, long paddedMismatches, long maskedMismatches) {

  /** Full host copies of every path's D. */
  public PathOutputs(Bf16Matrix padded, Bf16Matrix paddingFree, Bf16Matrix masked, PathTimings timings,
      String kernelConfig, double deviceBusyMs, double callWallMs) {
    this(padded, paddingFree, masked, timings, kernelConfig, deviceBusyMs, callWallMs, null, -1, -1);
  }

  /** Whether the backend compared the paths itself and returned only sampled padding-free rows. */
  public boolean checkedOnDevice() {
    return sampledRows != null;
  }

  /** Outputs without busy or wall figures (NaN). */
  public PathOutputs(Bf16Matrix padded, Bf16Matrix paddingFree, Bf16Matrix masked, PathTimings timings, String kernelConfig) {
    this(padded, paddingFree, masked, timings, kernelConfig, Double.NaN, Double.NaN);
  }
}
