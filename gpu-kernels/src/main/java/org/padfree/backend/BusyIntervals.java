package org.padfree.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.padfree.Validate;

/**
 * Time intervals in which a device was doing work (kernels, copies), possibly overlapping when two
 * streams run at once; {@link #unionMs()} counts overlapping time once, so a busy time can never
 * exceed the wall time it was measured in.
 */
public final class BusyIntervals {
  private record Interval(double start, double end) {}

  private final List<Interval> intervals = new ArrayList<>();

  /** Adds [start, end] in milliseconds from any common origin; an empty or reversed interval adds nothing. */
  public BusyIntervals add(double startMs, double endMs) {
    Validate.require(Double.isFinite(startMs) && Double.isFinite(endMs), "interval", startMs + ".." + endMs,
        "must be finite");
    if (endMs > startMs) {
      intervals.add(new Interval(startMs, endMs));
    }
    return this;
  }

  /** Total time covered by at least one interval. */
  public double unionMs() {
    List<Interval> sorted = new ArrayList<>(intervals);
    sorted.sort(Comparator.comparingDouble(Interval::start));
    double total = 0;
    double start = Double.NaN;
    double end = Double.NaN;
    for (Interval i : sorted) {
      if (Double.isNaN(start) || i.start() > end) {
        if (!Double.isNaN(start)) {
          total += end - start;
        }
        start = i.start();
        end = i.end();
      } else {
        end = Math.max(end, i.end());
      }
    }
    return Double.isNaN(start) ? 0 : total + (end - start);
  }

  /** Sum of the intervals' lengths, overlaps counted as often as they occur. */
  public double sumMs() {
    return intervals.stream().mapToDouble(i -> i.end() - i.start()).sum();
  }

  public int size() {
    return intervals.size();
  }
}
