package org.padfree.evaluate;

import java.io.Serializable;
import java.util.List;
import org.padfree.Validate;

/**
 * What every executor needs to evaluate a batch, resolved once on the driver (command line over
 * {@code spark.padfree.*} conf over defaults) and shipped with the tasks.
 *
 * @param repetitions timed runs per path, -1 = auto (per backend)
 * @param weightBank distinct weight matrices per (model, GEMM), 0 = one per expert, -1 = auto (per backend)
 * @param cpuThreads CPU backend threads per task, 0 = decide on the executor
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
    boolean failFirstAttempt) implements Serializable {

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

  public EvaluateSettings {
    Validate.require(runId != null && runId.matches("[A-Za-z0-9._-]+"), "run_id", runId,
        "use letters, digits, '.', '_' and '-' only (it names a folder)");
    Validate.notNull("backend", backend);
    Validate.notNull("gemms", gemms);
    for (String g : gemms) {
      Validate.require(g.equals("gate_up") || g.equals("down"), "gemms", g, "expected gate_up and/or down");
    }
    Validate.require(!gemms.isEmpty(), "gemms", gemms, "name at least one of gate_up, down");
    Validate.require(repetitions >= 1 || repetitions == -1, "repetitions", repetitions, "must be >= 1 (or auto)");
    Validate.nonNegative("reference_rows", referenceRows);
    Validate.require(weightBank >= -1, "weight_bank", weightBank, "must be >= 0 (or auto)");
    Validate.nonNegative("cpu_threads", cpuThreads);
    gemms = List.copyOf(gemms);
  }

  /** Timed runs per path for a backend: explicit, or auto (1 on the CPU, 10 on the GPU). */
  public int repetitionsFor(String backendName) {
    if (repetitions > 0) {
      return repetitions;
    }
    return "cpu".equals(backendName) ? 1 : 10;
  }

  /** The weight bank for a backend: explicit, or auto (4 on the CPU, one matrix per expert on the GPU). */
  public int weightBankFor(String backendName) {
    if (weightBank >= 0) {
      return weightBank;
    }
    return "cpu".equals(backendName) ? 4 : 0;
  }
}
