package org.padfree.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.padfree.cuda.CudaEvent;
import org.padfree.cuda.CudaStream;

/**
 * CUDA-event spans of one backend call: every kernel and copy is bracketed by a start and a stop
 * event on the stream it runs on, and all are measured from one origin event, so after the call the
 * spans give both per-step times (for the medians) and the device's busy time (their union, so a copy
 * that overlaps a kernel on another stream is not counted twice). Events are pooled across calls.
 * Not thread-safe: one timeline per backend, used under the backend's lock.
 */
final class GpuTimeline implements AutoCloseable {
  /** One bracketed piece of work; {@code step} names it ("pad", "upload", ...), {@code timed} marks a timed repetition. */
  record Span(String step, boolean timed, CudaEvent start, CudaEvent stop) {}

  private final List<CudaEvent> pool = new ArrayList<>();
  private final List<Span> spans = new ArrayList<>();
  private int used;
  private CudaEvent origin;

  /** Starts a new call: records the origin on {@code stream}; earlier spans are forgotten. */
  void begin(CudaStream stream) {
    spans.clear();
    used = 0;
    origin = next().record(stream);
  }

  /** Records the start of a span on {@code stream}; finish it with {@link #stop}. */
  Span start(String step, boolean timed, CudaStream stream) {
    return new Span(step, timed, next().record(stream), next());
  }

  void stop(Span span, CudaStream stream) {
    span.stop().record(stream);
    spans.add(span);
  }

  /** The timed spans' durations per step, in recording order (waits for the events). */
  Map<String, double[]> timedMillis() {
    Map<String, List<Double>> byStep = new LinkedHashMap<>();
    for (Span s : spans) {
      if (s.timed()) {
        byStep.computeIfAbsent(s.step(), k -> new ArrayList<>()).add((double) s.stop().millisSince(s.start()));
      }
    }
    Map<String, double[]> out = new LinkedHashMap<>();
    byStep.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
    return out;
  }

  /** Every span, timed or not, as intervals from the origin (waits for the events). */
  BusyIntervals busy() {
    BusyIntervals busy = new BusyIntervals();
    for (Span s : spans) {
      busy.add(s.start().millisSince(origin), s.stop().millisSince(origin));
    }
    return busy;
  }

  private CudaEvent next() {
    if (used == pool.size()) {
      pool.add(new CudaEvent());
    }
    return pool.get(used++);
  }

  @Override
  public void close() {
    for (CudaEvent e : pool) {
      e.close();
    }
    pool.clear();
  }
}
