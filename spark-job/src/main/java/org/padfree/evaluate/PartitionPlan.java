package org.padfree.evaluate;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.spark.Partitioner;
import org.padfree.Validate;

/**
 * Which task evaluates which input. Inputs are placed largest first, each on the currently
 * least-loaded partition (LPT scheduling), by estimated cost = routed rows x sum of the GEMMs' N*K.
 * A batch bigger than a fair share therefore gets a partition to itself instead of sharing a task
 * with many small ones, and no task is much longer than the longest single batch.
 *
 * <p>Inputs that the evaluating tasks read from their data files themselves
 * ({@code spark.padfree.inputs.read=files}) are placed by file instead: a task reads every file it
 * holds a batch of, and with cuDF it reads the whole file (cuDF's Java reader cannot select row
 * groups), so spreading one file's batches over every task would read each file once per task. The
 * inputs, file after file, are cut into consecutive runs, one per task, whose longest is as short as
 * consecutive runs allow; a task then reads one file, or two where a run crosses a file's end (more only
 * when files are smaller than a task's share). That plan is taken when its longest task is within
 * {@link #BALANCE_SLACK} of the input-by-input plan's, else the input-by-input plan is.
 */
public final class PartitionPlan implements Serializable {
  private final int partitions;
  private final Map<Long, Integer> partitionOf;
  private final int[] inputsPerPartition;

  private PartitionPlan(int partitions, Map<Long, Integer> partitionOf, int[] inputsPerPartition) {
    this.partitions = partitions;
    this.partitionOf = partitionOf;
    this.inputsPerPartition = inputsPerPartition;
  }

  /**
   * @param indices input indices (any order, distinct)
   * @param costs estimated cost of each input, same order; non-negative
   * @param partitions tasks wanted; fewer are used when there are fewer inputs
   */
  public static PartitionPlan of(long[] indices, double[] costs, int partitions) {
    return of(indices, costs, new String[indices.length], partitions);
  }

  /**
   * @param files the data file each input's task reads it from, same order; null where the input comes
   *     to its task by other means (placed by Spark, or in memory). Inputs are placed by file only when
   *     every input has one.
   */
  public static PartitionPlan of(long[] indices, double[] costs, String[] files, int partitions) {
    Validate.require(indices.length == costs.length, "costs.length", costs.length,
        "one cost per input (" + indices.length + " inputs)");
    Validate.require(indices.length == files.length, "files.length", files.length,
        "one file (or null) per input (" + indices.length + " inputs)");
    Validate.positive("partitions", partitions);
    int used = Math.max(1, Math.min(partitions, indices.length));
    for (int i = 0; i < indices.length; i++) {
      Validate.require(costs[i] >= 0 && !Double.isNaN(costs[i]), "costs[" + i + "]", costs[i], "must be >= 0");
    }
    Assignment byInput = largestFirst(indices, costs, used);
    if (indices.length == 0 || Arrays.stream(files).anyMatch(Objects::isNull)) {
      return byInput.plan(used);
    }
    Assignment byFile = consecutiveRuns(indices, costs, files, used);
    return (byFile.longest <= byInput.longest * (1 + BALANCE_SLACK) ? byFile : byInput).plan(used);
  }

  /**
   * How much longer than the input-by-input plan's longest task the longest task of the by-file plan may
   * be. On one H200 with cuDF (NOTES.md, 2026-12-01; this value) tasks of 8 batches (~1.9 s) reading at
   * most 2 files instead of up to 8 spent 50-80 ms instead of 100-120 ms outside their rows, and the
   * stage took the same 15.7 s either way; with more tasks than files (several GPUs) each task would
   * read more of the files, which is where the by-file plan is meant to pay (not measured yet).
   */
  static final double BALANCE_SLACK = 0.05;

  /** Each input index's partition, the inputs per partition, and the largest partition's cost. */
  private record Assignment(Map<Long, Integer> partitionOf, int[] counts, double longest) {
    PartitionPlan plan(int used) {
      return new PartitionPlan(used, partitionOf, counts);
    }
  }

  /** LPT: largest first (equal costs by input index), each on the currently least-loaded partition. */
  private static Assignment largestFirst(long[] indices, double[] costs, int used) {
    Integer[] order = new Integer[indices.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -costs[i]).thenComparingLong(i -> indices[i]));
    double[] load = new double[used];
    PriorityQueue<Integer> leastLoaded = new PriorityQueue<>(
        Comparator.<Integer>comparingDouble(p -> load[p]).thenComparingInt(p -> p));
    for (int p = 0; p < used; p++) {
      leastLoaded.add(p);
    }
    Map<Long, Integer> partitionOf = new HashMap<>();
    int[] counts = new int[used];
    for (int i : order) {
      int p = leastLoaded.poll();
      Validate.require(partitionOf.put(indices[i], p) == null, "indices[" + i + "]", indices[i], "duplicate input index");
      load[p] += costs[i];
      counts[p]++;
      leastLoaded.add(p);
    }
    return new Assignment(partitionOf, counts, Arrays.stream(load).max().orElse(0));
  }

  /**
   * The inputs in file order (by file name, then index) cut into at most {@code used} consecutive runs
   * with the smallest possible longest run: the least cap under which packing the runs greedily needs no
   * more than {@code used} of them, found by bisection.
   */
  private static Assignment consecutiveRuns(long[] indices, double[] costs, String[] files, int used) {
    Integer[] order = new Integer[indices.length];
    double total = 0;
    double largest = 0;
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      total += costs[i];
      largest = Math.max(largest, costs[i]);
    }
    Arrays.sort(order, Comparator.<Integer, String>comparing(i -> files[i]).thenComparingLong(i -> indices[i]));
    double low = Math.max(largest, total / used);
    double high = Math.max(low, total);
    for (int step = 0; step < 100 && high - low > 1e-9 * high; step++) {
      double cap = (low + high) / 2;
      if (runsUnder(order, costs, cap) <= used) {
        high = cap;
      } else {
        low = cap;
      }
    }
    Map<Long, Integer> partitionOf = new HashMap<>();
    int[] counts = new int[used];
    double[] load = new double[used];
    int p = 0;
    for (int i : order) {
      if (counts[p] > 0 && load[p] + costs[i] > high) {
        p++;
      }
      partitionOf.put(indices[i], p); // duplicates were refused by largestFirst, which every plan runs first
      load[p] += costs[i];
      counts[p]++;
    }
    return new Assignment(partitionOf, counts, Arrays.stream(load).max().orElse(0));
  }

  /** How many consecutive runs of at most {@code cap} (a run holds at least one input) cover {@code order}. */
  private static int runsUnder(Integer[] order, double[] costs, double cap) {
    int runs = 0;
    double run = 0;
    boolean open = false;
    for (int i : order) {
      if (open && run + costs[i] > cap) {
        runs++;
        run = 0;
        open = false;
      }
      run += costs[i];
      open = true;
    }
    return runs + (open ? 1 : 0);
  }

  public int partitions() {
    return partitions;
  }

  public int partitionOf(long index) {
    Integer p = partitionOf.get(index);
    Validate.require(p != null, "input_index", index, "is not part of the plan");
    return p;
  }

  public int inputsIn(int partition) {
    return inputsPerPartition[partition];
  }

  /** The most distinct data files any one task reads ({@code files} as given to {@link #of}; nulls not counted). */
  public int mostFilesPerTask(long[] indices, String[] files) {
    Map<Integer, Set<String>> perTask = new HashMap<>();
    for (int i = 0; i < indices.length; i++) {
      if (files[i] != null) {
        perTask.computeIfAbsent(partitionOf(indices[i]), p -> new HashSet<>()).add(files[i]);
      }
    }
    return perTask.values().stream().mapToInt(Set::size).max().orElse(0);
  }

  /** A Spark partitioner that sends input index i to {@link #partitionOf(long) partitionOf(i)}. */
  public Partitioner partitioner() {
    return new Partitioner() {
      @Override
      public int numPartitions() {
        return partitions;
      }

      @Override
      public int getPartition(Object key) {
        return partitionOf((Long) key);
      }
    };
  }
}
