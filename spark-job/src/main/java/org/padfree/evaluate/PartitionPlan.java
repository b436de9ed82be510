package org.padfree.evaluate;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.spark.Partitioner;
import org.padfree.Validate;

/**
 * Which task evaluates which input. Inputs are placed largest first, each on the currently
 * least-loaded partition (LPT scheduling), by estimated cost = routed rows x sum of the GEMMs' N*K.
 * A batch bigger than a fair share therefore gets a partition to itself instead of sharing a task
 * with many small ones, and no task is much longer than the longest single batch.
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
    Validate.require(indices.length == costs.length, "costs.length", costs.length,
        "one cost per input (" + indices.length + " inputs)");
    Validate.positive("partitions", partitions);
    int used = Math.max(1, Math.min(partitions, indices.length));
    Integer[] order = new Integer[indices.length];
    for (int i = 0; i < order.length; i++) {
      Validate.require(costs[i] >= 0 && !Double.isNaN(costs[i]), "costs[" + i + "]", costs[i], "must be >= 0");
      order[i] = i;
    }
    // Largest first; equal costs by input index, so the plan is deterministic.
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
    return new PartitionPlan(used, partitionOf, counts);
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
