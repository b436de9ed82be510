package org.padfree.backend;

/**
 * A way to run one batch through the padded, padding-free and masked paths. The CPU reference and
 * the CUDA backend both implement it; the Spark job only talks to this interface.
 * Implementations may hold native resources: close them when the executor is done.
 */
public interface GroupedGemmBackend extends AutoCloseable {

  /** "cpu" or "cuda", as in {@code spark.padfree.backend}. */
  String name();

  /** The hardware it ran on, e.g. "NVIDIA H200 (sm_90, 132 SMs)" or "CPU: 2 threads, AVX-512". */
  String device();

  /**
   * Runs every path {@code repetitions} times (a GPU backend adds an untimed warm-up run) and returns
   * the outputs of the last run with median timings. Checks are the caller's: a backend never
   * compares its paths.
   */
  PathOutputs run(GroupedGemmProblem problem, int repetitions);

  /**
   * As {@link #run(GroupedGemmProblem, int)}, for a caller that will check only {@code checkRows} of
   * the padding-free D against a reference: a backend may then compare the paths itself and return
   * just those rows ({@link PathOutputs#checkedOnDevice()}), sparing the copies of every D. The default
   * returns everything.
   */
  default PathOutputs run(GroupedGemmProblem problem, int repetitions, int[] checkRows) {
    return run(problem, repetitions);
  }

  @Override
  void close();
}
