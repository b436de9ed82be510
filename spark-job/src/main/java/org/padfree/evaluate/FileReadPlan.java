package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which files a task reads for its referenced inputs ({@link EvalInput#inFile}), and in what order: each
 * data file once, with the task's batches of it by row position, files in name order. A task that
 * evaluates several batches of one file so reads that file's columns once, and holds one file's
 * columns at a time.
 */
record FileReadPlan(List<FileBatches> files) {

  /** One file's batches in this task, by row position. */
  record FileBatches(String file, boolean activations, List<EvalInput> inputs) {
    /** The row positions read, in order. */
    long[] rows() {
      return inputs.stream().mapToLong(in -> in.source().row()).toArray();
    }
  }

  static FileReadPlan of(List<EvalInput> references) {
    Map<String, List<EvalInput>> byFile = new LinkedHashMap<>();
    for (EvalInput in : references) {
      if (!in.inFile()) {
        throw new IllegalArgumentException("input " + in.index() + " is not a reference to a file's row");
      }
      byFile.computeIfAbsent(in.source().file(), f -> new ArrayList<>()).add(in);
    }
    List<FileBatches> files = new ArrayList<>();
    byFile.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      List<EvalInput> inputs = new ArrayList<>(e.getValue());
      inputs.sort(Comparator.comparingLong((EvalInput in) -> in.source().row()).thenComparingLong(EvalInput::index));
      boolean activations = inputs.stream().anyMatch(in -> in.source().activations());
      files.add(new FileBatches(e.getKey(), activations, List.copyOf(inputs)));
    });
    return new FileReadPlan(List.copyOf(files));
  }
}
