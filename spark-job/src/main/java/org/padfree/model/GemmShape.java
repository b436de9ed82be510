package org.padfree.model;

import org.padfree.Validate;

/**
 * One per-expert GEMM of a MoE layer in the NT form {@code D[m, n] = sum_k A[m, k] * B_e[n, k]}:
 * every expert's weight matrix is {@code n x k}; m is the number of tokens routed to it.
 *
 * @param name {@code gate_up} or {@code down}
 */
public record GemmShape(String name, int n, int k) {

  public GemmShape {
    Validate.require(name != null && !name.isBlank(), "gemm.name", name, "must be a non-empty string");
    Validate.positive("gemm " + name + ".n", n);
    Validate.positive("gemm " + name + ".k", k);
  }

  /** Floating-point operations for {@code m} rows: one multiply and one add per (m, n, k). */
  public double flops(long m) {
    return 2.0 * m * n * k;
  }

  @Override
  public String toString() {
    return name + "(N=" + n + ", K=" + k + ")";
  }
}
