package org.padfree.capacity;

import java.util.Locale;
import org.padfree.InvalidInputException;

/**
 * Which measured time a capacity study charges a token per MoE layer. A token passes the whole
 * routed-expert layer (dispatch, gate_up, SwiGLU and quantization, down, combine), not one GEMM, so
 * the layer's own time is the right figure where the sweep measured it (its layer rows, from a sweep
 * with layers); without layer rows the study falls back to the sum of the two grouped GEMMs, which
 * leaves out the layer's other steps.
 */
public enum TimeBasis {
  /** The sweep's layer rows: padded and padding-free whole-layer times and peak activation memory. */
  LAYER("the whole MoE layer (the sweep's layer rows: dispatch, gate_up, SwiGLU + FP8 quantization, down, top-k "
      + "combine; padded and padding-free forms), and its peak activation memory"),
  /** The GEMM rows: gate_up + down time per batch, the larger GEMM's peak. */
  GEMM("the routed-expert grouped GEMMs (gate_up + down per batch; padded: pad + padded GEMM), and the larger "
      + "GEMM's peak activation memory");

  private final String description;

  TimeBasis(String description) {
    this.description = description;
  }

  /** What the figures were computed from, for the reports. */
  public String description() {
    return description;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The spec's {@code time_basis}: auto (null: layer rows where present), layer or gemm. */
  public static TimeBasis parse(String field, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "auto" -> null;
      case "layer" -> LAYER;
      case "gemm" -> GEMM;
      default -> throw new InvalidInputException(field, text, "expected auto, layer or gemm");
    };
  }
}
