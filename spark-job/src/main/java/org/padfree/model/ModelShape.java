package org.padfree.model;

import java.util.List;
import org.padfree.Validate;

/**
 * The routed-expert part of a Mixture-of-Experts model: everything the grouped GEMMs need.
 * Shared experts and attention are out of scope; they do not go through the grouped GEMM.
 *
 * @param name lower-case identifier, as in {@code conf/models/<name>.properties}
 * @param experts routed experts per MoE layer (E)
 * @param topK experts each token is routed to
 * @param hidden model hidden size (the K of gate_up, the N of down)
 * @param intermediate per-expert intermediate size (the K of down)
 * @param moeLayers layers that have routed experts
 */
public record ModelShape(String name, int experts, int topK, int hidden, int intermediate, int moeLayers) {

  public ModelShape {
    Validate.require(name != null && !name.isBlank(), "name", name, "must be a non-empty string");
    Validate.positive("experts", experts);
    Validate.positive("top_k", topK);
    Validate.require(topK <= experts, "top_k", topK,
        "must be <= experts=" + experts + " (model " + name + ")");
    Validate.positive("hidden", hidden);
    Validate.positive("intermediate", intermediate);
    Validate.positive("moe_layers", moeLayers);
    // gate_up's N is 2 * intermediate; it has to stay an int.
    Validate.require(intermediate <= Integer.MAX_VALUE / 2, "intermediate", intermediate,
        "2 * intermediate must fit in an int (model " + name + ")");
  }

  /** The fused gate and up projections: hidden -> 2 * intermediate. */
  public GemmShape gateUp() {
    return new GemmShape("gate_up", 2 * intermediate, hidden);
  }

  /** The down projection: intermediate -> hidden. */
  public GemmShape down() {
    return new GemmShape("down", hidden, intermediate);
  }

  /** Both expert GEMMs of one MoE layer, in execution order. */
  public List<GemmShape> gemms() {
    return List.of(gateUp(), down());
  }
}
