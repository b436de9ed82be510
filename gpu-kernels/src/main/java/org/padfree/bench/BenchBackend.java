package org.padfree.bench;

/**
 * Where GemmBench runs a case: the CPU reference or one Hopper GPU. A backend builds a case's
 * operands and launches ({@link #prepare}); GemmBench then checks, warms up and times the paths.
 */
interface BenchBackend extends AutoCloseable {
  /** "cpu" or "cuda". */
  String name();

  /** The hardware, for the report. */
  String device();

  /** Whether the timings are GPU times worth comparing (false on the CPU reference). */
  boolean timingsMeaningful();

  PreparedCase prepare(BenchProblem problem);

  /** The SM clock in MHz now, or -1 where there is none or it cannot be read. */
  int smClockMhz();

  @Override
  void close();

  /**
   * Tile configuration of the GEMMs (all layouts use one), and the padding-free GEMM's persistent grid
   * (blocks launched: at most the SMs, or the clusters that fit at once times their size).
   */
  record KernelConfig(int blockM, int blockN, int stages, int cluster, String multicast, int gridBlocks) {}

  /**
   * The paths' outputs after one untimed run each: padded (and masked, when run) compared with
   * padding-free on every valid row, and the sampled padding-free (and dense) rows, [rows][N] BF16 bits.
   *
   * @param maskedMismatches -1 when the masked path was not run
   * @param denseRows null when the dense path was not run
   */
  record Outputs(long paddedMismatches, long maskedMismatches, short[] freeRows, short[] denseRows) {}

  /** A case ready to run: operands made, layouts uploaded, launches prepared. */
  interface PreparedCase extends AutoCloseable {
    /** The GEMMs' tile configuration, or null where there is none (the CPU reference). */
    KernelConfig config();

    /** Runs padding-free and padded (and masked and dense where timed) once and returns what the checks need. */
    Outputs outputs(int[] sampleRows);

    /** One untimed run of {@code path} (warm-up). */
    void run(BenchPath path);

    /** One timed run of {@code path} in milliseconds (on the GPU: L2 flushed first, CUDA events). */
    double timeMillis(BenchPath path);

    @Override
    void close();
  }
}
