package org.padfree.evaluate;

import java.io.Serializable;
import java.util.List;
import org.padfree.Validate;
import org.padfree.backend.BackendKind;

/**
 * What every executor needs to evaluate a batch, resolved once on the driver (command line over
 * {@code spark.padfree.*} conf over defaults) and shipped with the tasks.
 *
 * @param repetitions timed runs per path, -1 = auto (per backend)
 * @param weightBank distinct weight matrices per (model, GEMM), 0 = one per expert, -1 = auto (per backend)
 * @param cpuThreads CPU backend threads per task, 0 = decide on the executor
 * @param layersFused the layer stage on a GPU also times the fused gate_up epilogue (spark.padfree.layers.fused)
 * @param routing where batches' layouts are built (spark.padfree.routing)
 * @param cudfPoolBytes RMM pool of the cudf routing path per GPU, 0 = none (spark.padfree.cudf.poolBytes)
 */
public record EvaluateSettings(
    String runId,
    Backend backend,
    List<String> gemms,
    int repetitions,
    int referenceRows,
    boolean failOnMismatch,
    int weightBank,
    long weightSeed,
    int cpuThreads,
    String modelsDir,
    boolean failFirstAttempt,
    boolean layersFused,
    Routing routing,
    long cudfPoolBytes) implements Serializable {

  /** The default routing (auto) and cuDF pool (1 GiB). */
  public static final long DEFAULT_CUDF_POOL_BYTES = 1L << 30;

  /** Settings with the default routing and cuDF pool. */
  public EvaluateSettings(String runId, Backend backend, List<String> gemms, int repetitions, int referenceRows,
      boolean failOnMismatch, int weightBank, long weightSeed, int cpuThreads, String modelsDir, boolean failFirstAttempt,
      boolean layersFused) {
    this(runId, backend, gemms, repetitions, referenceRows, failOnMismatch, weightBank, weightSeed, cpuThreads,
        modelsDir, failFirstAttempt, layersFused, Routing.AUTO, DEFAULT_CUDF_POOL_BYTES);
  }

  /** Settings without the fused layer (sweeps, tests): {@code layersFused} false. */
  public EvaluateSettings(String runId, Backend backend, List<String> gemms, int repetitions, int referenceRows,
      boolean failOnMismatch, int weightBank, long weightSeed, int cpuThreads, String modelsDir, boolean failFirstAttempt) {
    this(runId, backend, gemms, repetitions, referenceRows, failOnMismatch, weightBank, weightSeed, cpuThreads,
        modelsDir, failFirstAttempt, false);
  }

  /** spark.padfree.backend. */
  public enum Backend {
    AUTO, CPU, CUDA;

    public static Backend parse(String field, String text) {
      for (Backend b : values()) {
        if (b.name().equalsIgnoreCase(text.trim())) {
          return b;
        }
      }
      throw new org.padfree.InvalidInputException(field, text, "expected auto, cpu or cuda");
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** spark.padfree.routing: where a batch's grouped layouts are built. */
  public enum Routing {
    AUTO, HOST, CUDF;

    public static Routing parse(String field, String text) {
      for (Routing r : values()) {
        if (r.name().equalsIgnoreCase(text.trim())) {
          return r;
        }
      }
      throw new org.padfree.InvalidInputException(field, text, "expected auto, host or cudf");
    }

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Checks name the command-line option of each setting (the sweep spec's keys mirror them). */
  public EvaluateSettings {
    Validate.folderName("--run-id", runId);
    Validate.notNull("backend", backend);
    Validate.notNull("gemms", gemms);
    for (String g : gemms) {
      Validate.require(g.equals("gate_up") || g.equals("down"), "--gemms", g, "expected gate_up and/or down");
    }
    Validate.require(!gemms.isEmpty(), "--gemms", gemms, "name at least one of gate_up, down");
    Validate.require(repetitions >= 1 || repetitions == -1, "--repetitions", repetitions, "must be >= 1 (or auto)");
    Validate.nonNegative("--reference-rows", referenceRows);
    Validate.require(weightBank >= -1, "--weight-bank", weightBank, "must be >= 0 (or auto)");
    Validate.nonNegative("--cpu-threads", cpuThreads);
    Validate.notNull(PadfreeConf.ROUTING.name(), routing);
    Validate.require(cudfPoolBytes >= 0, PadfreeConf.CUDF_POOL_BYTES.name(), cudfPoolBytes, "must be >= 0");
    gemms = List.copyOf(gemms);
  }

  /** Timed runs per path for a backend: explicit, or auto (1 on the CPU, 10 on the GPU). */
  public int repetitionsFor(BackendKind backend) {
    if (repetitions > 0) {
      return repetitions;
    }
    return backend == BackendKind.CPU ? 1 : 10;
  }

  /** Distinct weight matrices per (model, GEMM) on the GPU when the bank is auto. */
  public static final int GPU_WEIGHT_BANK = 16;

  /**
   * The weight bank for a backend: explicit, or auto: 4 on the CPU; {@value #GPU_WEIGHT_BANK} on the
   * GPU, where the CUDA backend still lays out all E experts' B (each a device-side copy of its bank
   * matrix), so the kernel reads E x N x K distinct bytes (DeepSeek-V3 gate_up 7.5 GB, far beyond
   * the 50 MB L2) and its timings are those of E distinct experts, while the executor generates and
   * quantizes only 16 matrices on the host instead of 256.
   */
  public int weightBankFor(BackendKind backend) {
    if (weightBank >= 0) {
      return weightBank;
    }
    return backend == BackendKind.CPU ? 4 : GPU_WEIGHT_BANK;
  }
}
