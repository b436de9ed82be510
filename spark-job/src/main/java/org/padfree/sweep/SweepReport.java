package org.padfree.sweep;

import java.util.List;

/**
 * Everything the sweep's report files show, gathered once so report.md, index.html and trend.json
 * cannot disagree.
 *
 * @param previousRunId the run compared as "previous", null for the first run of a sweep
 * @param baselineLabel what the pinned baseline was ({@code run:<id>} or a file), null when none
 * @param exitStatus what SweepJob exits with (see {@link SweepJob})
 * @param notes what the figures do not mean (CPU caveats), shown first
 */
public record SweepReport(SweepSpec spec, String specFile, RunMetadata run, double wallSeconds, List<PointResult> rows,
    String previousRunId, String baselineLabel, List<Finding> findings, List<RunTrend> trend, String historyRoot,
    int exitStatus, List<String> notes) {

  public List<Finding> regressions() {
    return TrendCheck.regressions(findings);
  }

  /** One line for the top of the report and the console. */
  public String verdict() {
    List<Finding> regressions = regressions();
    long correctness = regressions.stream().filter(f -> f.metric().equals(TrendCheck.CORRECTNESS)).count();
    long performance = regressions.size() - correctness;
    String compared = (previousRunId == null ? "no previous run" : "previous run " + previousRunId)
        + (baselineLabel == null ? ", no baseline" : ", baseline " + baselineLabel);
    if (regressions.isEmpty()) {
      return "No regression: " + rows.size() + " points (" + compared + ")";
    }
    return "REGRESSION: " + correctness + " points failed checks, " + performance
        + " metric changes beyond the threshold (" + compared + ")";
  }
}
