package org.padfree.sweep;

import org.padfree.evaluate.EvaluateSettings;

/**
 * One point of a sweep grid, before the GEMM: a model (or a variant with other experts or top-k),
 * tokens per batch, a routing distribution, timed repetitions and the requested backend.
 *
 * @param model the name batches carry: the model's, or {@code <model>@e<E>k<K>} for a variant
 * @param repetitions timed runs per path; -1 = auto
 */
public record GridPoint(String model, String baseModel, int experts, int topK, int tokens, String distribution,
    int repetitions, EvaluateSettings.Backend backend) {

  /** "auto" or the count, as history rows and reports show it. */
  public String repetitionsLabel() {
    return repetitions < 0 ? "auto" : Integer.toString(repetitions);
  }

  /**
   * The identity of this point and a GEMM across runs: what the regression check matches on. Every
   * axis is in it, so two points of one grid never share a key.
   */
  public String key(String gemm) {
    return baseModel + "/e" + experts + "/k" + topK + "/t" + tokens + "/" + distribution + "/r" + repetitionsLabel()
        + "/" + backend.label() + "/" + gemm;
  }

  /** The id of the {@code index}-th batch generated for this point (the sweep maps result rows back by it). */
  public String batchId(int index) {
    return key("*") + "#" + index;
  }
}
