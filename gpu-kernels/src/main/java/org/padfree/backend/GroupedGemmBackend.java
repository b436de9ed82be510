package org.padfree.backend;

import org.padfree.quant.Fp8Quantizer;
import org.padfree.quant.QuantizedWeights;
import org.padfree.reference.SyntheticData;

/**
 * A way to run one batch through the padded, padding-free and masked paths. The CPU reference and
 * the CUDA backend both implement it; the Spark job only talks to this interface.
 * Implementations may hold native resources: close them when the executor is done.
 */
public interface GroupedGemmBackend extends AutoCloseable {

  /** The CPU reference or the CUDA kernels. */
  BackendKind kind();

  /** The kind's label, "cpu" or "cuda", as in {@code spark.padfree.backend} and the result rows. */
  default String name() {
    return kind().label();
  }

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

  /**
   * One matrix per seed: {@code Fp8Quantizer.quantizeWeights(SyntheticData.weights(seeds[m], n, k))},
   * each a single-expert weight set. The default makes them on the host, in parallel; a GPU backend
   * makes them on its device and copies the FP8 codes and scales back, the same bytes, in a fraction
   * of the time (a bank of 16 DeepSeek-V3 gate_up matrices costs seconds of host time per executor).
   */
  default QuantizedWeights[] syntheticWeights(long[] seeds, int n, int k) {
    QuantizedWeights[] made = new QuantizedWeights[seeds.length];
    java.util.stream.IntStream.range(0, seeds.length).parallel().forEach(m ->
        made[m] = Fp8Quantizer.quantizeWeights(SyntheticData.weights(seeds[m], n, k), n, k));
    return made;
  }

  @Override
  void close();
}
