package org.padfree.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.padfree.dataset.BatchSeeds;
import org.padfree.evaluate.EvaluateSettings;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.padfree.model.ModelVariant;
import org.padfree.routing.RoutedBatch;
import org.padfree.routing.RoutingDistribution;
import org.padfree.routing.RoutingGenerator;

/**
 * The grid of a {@link SweepSpec}: the cartesian product models x experts x top-k x tokens x
 * distributions x repetitions x backends (GEMMs are evaluated per batch, as in the evaluation job),
 * in that nesting order, and the routed batches generated for each point.
 */
public final class SweepGrid {
  private SweepGrid() {}

  /**
   * Most grid points one sweep may have (the axes' product, before points equal to the model's own
   * values merge). A nightly grid has tens to hundreds; a typo in an axis can make millions, which
   * would generate batches for hours before the first result.
   */
  public static final int MAX_POINTS = 10_000;

  /**
   * Every distinct point (an axis value equal to the model's own, given as well as "model", counts
   * once), checked to be a batch that can exist (top-k distinct experts per token, room for the
   * empty experts) before any work starts; an impossible point is an error naming its axes.
   */
  public static List<GridPoint> expand(SweepSpec spec, ModelCatalog catalog) {
    long size = (long) spec.models().size() * spec.experts().size() * spec.topK().size() * spec.tokens().size()
        * spec.distributions().size() * spec.repetitions().size() * spec.backends().size();
    Validate.require(size <= MAX_POINTS, "grid", size + " points (" + spec.models().size() + " models x "
        + spec.experts().size() + " experts x " + spec.topK().size() + " top_k x " + spec.tokens().size() + " tokens x "
        + spec.distributions().size() + " distributions x " + spec.repetitions().size() + " repetitions x "
        + spec.backends().size() + " backends)", "the limit is " + MAX_POINTS + " points per sweep;"
        + " split the spec into several sweeps or shorten its axes");
    List<GridPoint> points = new ArrayList<>();
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (int m = 0; m < spec.models().size(); m++) {
      ModelShape model;
      try {
        model = catalog.byName(spec.models().get(m));
      } catch (InvalidInputException e) {
        throw new InvalidInputException("grid.models[" + m + "]", spec.models().get(m), e.reason());
      }
      for (int expertsValue : spec.experts()) {
        int experts = expertsValue == SweepSpec.MODEL_VALUE ? model.experts() : expertsValue;
        for (int topKValue : spec.topK()) {
          int topK = topKValue == SweepSpec.MODEL_VALUE ? model.topK() : topKValue;
          for (int tokens : spec.tokens()) {
            for (RoutingDistribution distribution : spec.distributions()) {
              requireFeasible(model, experts, topK, tokens, distribution);
              for (int repetitions : spec.repetitions()) {
                for (EvaluateSettings.Backend backend : spec.backends()) {
                  GridPoint point = new GridPoint(ModelVariant.nameOf(model, experts, topK), model.name(), experts,
                      topK, tokens, distribution.toString(), repetitions, backend);
                  // "model" and the model's own number on one axis are the same point: evaluate it once
                  if (keys.add(point.key(""))) {
                    points.add(point);
                  }
                }
              }
            }
          }
        }
      }
    }
    return points;
  }

  /**
   * The points grouped by (backend, repetitions): each group is one evaluation with one
   * {@link EvaluateSettings}, as those two are per-run settings of the evaluation job.
   */
  public static Map<String, List<GridPoint>> byEvaluation(List<GridPoint> points) {
    Map<String, List<GridPoint>> groups = new LinkedHashMap<>();
    for (GridPoint p : points) {
      groups.computeIfAbsent(p.backend().label() + "/r" + p.repetitionsLabel(), k -> new ArrayList<>()).add(p);
    }
    return groups;
  }

  /**
   * The point's batches. Each seed comes from the sweep's seed and the batch id alone, so the same
   * spec generates the same routing on every run and machine, and adding points to a grid never
   * changes the batches of the others: a change between runs is the code's, not the data's.
   */
  public static List<RoutedBatch> batches(GridPoint point, int count, long seed) {
    List<RoutedBatch> batches = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = point.batchId(i);
      long batchSeed = seed ^ BatchSeeds.stableHash(id);
      batches.add(RoutingGenerator.generate(id, point.model(), RoutingDistribution.parse(point.distribution()),
          point.experts(), point.topK(), point.tokens(), batchSeed));
    }
    return batches;
  }

  private static void requireFeasible(ModelShape model, int experts, int topK, int tokens, RoutingDistribution d) {
    String where = " at grid point model=" + model.name() + ", experts=" + experts + ", top_k=" + topK
        + ", tokens=" + tokens + ", distribution=" + d;
    try {
      RoutingGenerator.requireFeasible(d, experts, topK, tokens);
    } catch (InvalidInputException e) {
      throw new InvalidInputException("grid." + gridField(e.field()), e.value(), e.reason() + where);
    }
  }

  /** The spec field behind a generator field name, so the message points into the YAML. */
  private static String gridField(String generatorField) {
    return switch (generatorField) {
      case "num_experts" -> "experts";
      case "top_k" -> "top_k";
      case "num_tokens", "num_tokens x top_k" -> "tokens";
      default -> "distributions";
    };
  }
}
