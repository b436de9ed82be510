package org.padfree.capacity;

import java.util.List;
import java.util.Map;

/**
 * Everything a capacity report shows, computed once.
 *
 * @param source where the sweep results came from
 * @param curves measured points per distribution (for the throughput chart)
 * @param warnings extrapolations and other limits of the figures, shown first
 * @param basis which measured time and memory the figures use: the whole layer or the two GEMMs
 */
public record CapacityStudyResult(CapacitySpec spec, String specFile, String runId, String createdAt, String source,
    String sweepRuns, String model, int experts, int topK, int moeLayers, String backend, TimeBasis basis,
    List<ScenarioResult> scenarios, Map<String, List<CapacityCalculator.Measured>> curves, List<String> warnings,
    List<String> notes) {}
