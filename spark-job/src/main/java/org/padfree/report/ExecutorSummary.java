package org.padfree.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.padfree.Validate;
import org.padfree.results.BatchResult;
import org.padfree.results.EvaluationTimings;
import org.padfree.render.HumanFormat;
import org.padfree.results.RunInfo;

/**
 * Per executor (and GPU): how much it did and how busy its GPU was. The busy fraction is GPU busy
 * time (CUDA-event spans of kernels and copies, overlaps counted once) over the executor's wall time
 * for the same rows (building the problem, the backend call, the checks), summed over rows, so large
 * rows weigh more; {@code largeBusyFraction} counts only rows of at least {@value #LARGE_ROWS}
 * routed rows, the batches that must keep a GPU busy. NaN where nothing ran on a GPU.
 *
 * <p>Spark's own task times say what the rows' times do not: {@code sparkTaskSeconds} adds each
 * task's work outside its rows (deserialising inputs, preparing weights, sending rows back), and
 * {@code taskSpanSeconds} adds the executor's idle gaps between tasks; NaN when the run's
 * {@link EvaluationTimings} has no span for the executor.
 *
 * @param rows measured (non-error) result rows
 * @param batches distinct input batches among them
 * @param tokens tokens of those batches, each batch once
 * @param taskSeconds the rows' task times, summed
 * @param sparkTaskSeconds the executor's evaluation tasks' durations, summed
 * @param taskSpanSeconds its first evaluation task's launch to its last one's finish
 */
public record ExecutorSummary(
    String executorId, String host, String gpuUuid, String backend,
    long rows, long batches, long tokens, long largeRows,
    double taskSeconds, double backendSeconds, double gpuBusySeconds,
    double busyFraction, double largeBusyFraction,
    double sparkTaskSeconds, double taskSpanSeconds) {

  /** Routed rows from which a batch counts as large for the busy-fraction target. */
  public static final int LARGE_ROWS = 8192;

  /** One summary per (executor, GPU), sorted by executor id then GPU; error rows are left out. */
  public static List<ExecutorSummary> of(List<BatchResult> results) {
    return of(results, EvaluationTimings.UNKNOWN);
  }

  /** As {@link #of(List)}, with each executor's Spark task time and span from {@code timings}. */
  public static List<ExecutorSummary> of(List<BatchResult> results, EvaluationTimings timings) {
    Validate.notNull("results", results);
    Validate.notNull("timings", timings);
    Map<String, List<BatchResult>> byExecutor = new TreeMap<>();
    for (BatchResult r : results) {
      if (!r.isError()) {
        byExecutor.computeIfAbsent(r.executorId() + "\u0000" + r.gpuUuid(), k -> new ArrayList<>()).add(r);
      }
    }
    List<ExecutorSummary> out = new ArrayList<>();
    byExecutor.values().forEach(rows -> out.add(summarize(rows, timings.executor(rows.get(0).executorId()))));
    return out;
  }

  private static ExecutorSummary summarize(List<BatchResult> rows, EvaluationTimings.ExecutorSpan span) {
    BatchResult first = rows.get(0);
    Set<Long> batches = new HashSet<>();
    long tokens = 0;
    long large = 0;
    double task = 0;
    double backendMs = 0;
    double busy = 0;
    double largeTask = 0;
    double largeBusy = 0;
    boolean anyBusy = false;
    boolean anyLargeBusy = false;
    for (BatchResult r : rows) {
      if (batches.add(r.inputIndex())) {
        tokens += r.numTokens();
      }
      task += finite(r.taskMs());
      backendMs += finite(r.backendWallMs());
      boolean measured = Double.isFinite(r.gpuBusyMs()) && Double.isFinite(r.taskMs());
      if (measured) {
        anyBusy = true;
        busy += r.gpuBusyMs();
      }
      if (r.rows() >= LARGE_ROWS) {
        large++;
        if (measured) {
          anyLargeBusy = true;
          largeTask += r.taskMs();
          largeBusy += r.gpuBusyMs();
        }
      }
    }
    double busyTask = 0;
    for (BatchResult r : rows) {
      if (Double.isFinite(r.gpuBusyMs()) && Double.isFinite(r.taskMs())) {
        busyTask += r.taskMs();
      }
    }
    return new ExecutorSummary(first.executorId(), first.host(), first.gpuUuid(), first.backend(),
        rows.size(), batches.size(), tokens, large, task / 1e3, backendMs / 1e3, anyBusy ? busy / 1e3 : Double.NaN,
        anyBusy && busyTask > 0 ? busy / busyTask : Double.NaN,
        anyLargeBusy && largeTask > 0 ? largeBusy / largeTask : Double.NaN,
        span == null ? Double.NaN : span.sparkTaskSeconds(), span == null ? Double.NaN : span.spanSeconds());
  }

  private static double finite(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  /** Column headers of the executor table (report.md and index.html); the first four are text. */
  public static final List<String> COLUMNS = List.of("executor", "host", "GPU", "backend", "rows", "batches", "tokens",
      "rows >= " + LARGE_ROWS + " routed", "task time", "task span", "backend time", "GPU busy", "busy fraction",
      "busy fraction, large");

  /** How the executor table's figures are defined, under the table in every report. */
  public static final String LEGEND = "Task time = the executor's wall time for its rows (building the problem, "
      + "backend call, checks), summed; task span = its first evaluation task's launch to its last one's finish "
      + "(Spark's task times: also the work outside the rows and the idle gaps between tasks). "
      + "GPU busy = CUDA-event time of the row's kernels and copies "
      + "(inputs made or uploaded, warm-up, timed runs, copies back; overlaps counted once); busy fraction = GPU busy / task time "
      + "for the same rows; \"large\" counts only "
      + "batches of at least " + LARGE_ROWS + " routed rows. n/a: no GPU ran these rows, or no span was measured.";

  /** This executor's row of the table, in {@link #COLUMNS} order, as display text. */
  public List<String> cells() {
    return java.util.Arrays.asList(executorId(), host(), gpuUuid().isEmpty() ? "-" : gpuUuid(), backend(),
        HumanFormat.count(rows()), HumanFormat.count(batches()), HumanFormat.count(tokens()),
        HumanFormat.count(largeRows()), HumanFormat.seconds(taskSeconds()), HumanFormat.seconds(taskSpanSeconds()),
        HumanFormat.seconds(backendSeconds()),
        Double.isNaN(gpuBusySeconds()) ? "n/a" : HumanFormat.seconds(gpuBusySeconds()),
        HumanFormat.percent(busyFraction()), HumanFormat.percent(largeBusyFraction()));
  }

  /**
   * The run's throughput over its wall time (what scaling from one GPU to several is measured by):
   * distinct batches and their tokens, and useful TFLOP/s of every measured row's GEMM once. Next to
   * it the wall time's phases ({@link EvaluationTimings}) and the tokens per second of the evaluation
   * stage alone, which leaves out the fixed cost of planning, placing and collecting; NaN where the
   * phases were not measured.
   */
  public record Throughput(long batches, long tokens, double wallSeconds, double batchesPerSecond,
      double tokensPerSecond, double usefulTflopsPerSecond, double planningSeconds, double placingSeconds,
      double evaluationSeconds, double collectSeconds, double tokensPerEvaluationSecond) {

    /** The run's throughput, with its phases from {@link RunInfo#timings()}. */
    public static Throughput of(List<BatchResult> results, RunInfo run) {
      return of(results, run.wallSeconds(), run.timings());
    }

    public static Throughput of(List<BatchResult> results, double wallSeconds) {
      return of(results, wallSeconds, EvaluationTimings.UNKNOWN);
    }

    public static Throughput of(List<BatchResult> results, double wallSeconds, EvaluationTimings timings) {
      Set<Long> seen = new HashSet<>();
      long tokens = 0;
      double flops = 0;
      for (BatchResult r : results) {
        if (r.isError()) {
          continue;
        }
        if (seen.add(r.inputIndex())) {
          tokens += r.numTokens();
        }
        flops += finite(r.usefulFlops());
      }
      double s = wallSeconds > 0 ? wallSeconds : Double.NaN;
      double stage = timings.evaluationSeconds() > 0 ? timings.evaluationSeconds() : Double.NaN;
      return new Throughput(seen.size(), tokens, wallSeconds, seen.size() / s, tokens / s, flops / s / 1e12,
          timings.planningSeconds(), timings.placingSeconds(), timings.evaluationSeconds(), timings.collectSeconds(),
          tokens / stage);
    }

    /**
     * One sentence for the reports: batches, tokens and useful work per second of wall time, then,
     * when measured, how much of the wall time the evaluation stage took and the fixed cost around it.
     */
    public String sentence() {
      String wall = HumanFormat.count(batches) + " batches, " + HumanFormat.count(tokens) + " tokens in "
          + HumanFormat.seconds(wallSeconds) + ": " + HumanFormat.significant(batchesPerSecond, 3) + " batches/s, "
          + HumanFormat.significant(tokensPerSecond, 3) + " tokens/s, " + HumanFormat.significant(usefulTflopsPerSecond, 3)
          + " useful TFLOP per second of wall time";
      if (Double.isNaN(evaluationSeconds)) {
        return wall;
      }
      return wall + "; of that, the evaluation stage took " + HumanFormat.seconds(evaluationSeconds) + " ("
          + HumanFormat.significant(tokensPerEvaluationSecond, 3) + " tokens/s), reading inputs and planning "
          + HumanFormat.seconds(planningSeconds) + ", placing inputs " + HumanFormat.seconds(placingSeconds)
          + " and collecting results " + HumanFormat.seconds(collectSeconds);
    }
  }
}
