package org.padfree.evaluate;

import java.util.Locale;
import org.padfree.routing.RoutedBatch;

/**
 * How much executor heap a batch needs, decided before anything is allocated: a batch that cannot fit
 * becomes an error row naming its size, the limit and what to change, instead of an OutOfMemoryError
 * that kills the executor (and, in local mode, the whole run). Estimates count the arrays the paths
 * allocate, byte for byte; the limit leaves 15% of the heap to Spark and the JVM and shares the rest
 * among the tasks that may run at once in this JVM.
 */
final class HeapBudget {
  private HeapBudget() {}

  /** Share of the heap padfree plans to use; the rest is Spark's (shuffle blocks, task results) and the JVM's. */
  static final double USABLE_FRACTION = 0.85;

  /** The heap this JVM may use for padfree's arrays, and how many tasks share it. */
  record Limit(long maxHeapBytes, int concurrentTasks) {
    static Limit current(int concurrentTasks) {
      return new Limit(Runtime.getRuntime().maxMemory(), Math.max(1, concurrentTasks));
    }

    /** What one task may allocate for one batch once {@code heldBytes} (cached weights) are taken. */
    long perTask(long heldBytes) {
      return (long) Math.max(0, (maxHeapBytes * USABLE_FRACTION - heldBytes) / concurrentTasks);
    }

    /** What the cached weights of all tasks may take together. */
    long shared(long heldBytes) {
      return (long) Math.max(0, maxHeapBytes * USABLE_FRACTION - heldBytes);
    }
  }

  /**
   * Host bytes of the CPU backend's run of one batch and GEMM: the synthetic tokens (FP32 while made,
   * then FP8 and scales), the dispatched, padded and masked copies of A with their scales, the three
   * D matrices (BF16) and the layouts' index arrays.
   */
  static long cpuBatchBytes(RoutedBatch batch, int n, int k) {
    int[] counts = batch.expertCounts();
    long rows = batch.routedRows();
    long padded = 0;
    long maxRows = 0;
    for (int c : counts) {
      padded += (c + 127L) / 128 * 128;
      maxRows = Math.max(maxRows, c);
    }
    long masked = (long) counts.length * maxRows;
    long kBlocks = (k + 127L) / 128;
    long tokens = batch.numTokens();
    long tokenBytes = tokens * k * 4 + tokens * (k + 4 * kBlocks);
    long aBytes = (rows + padded + masked) * (k + 4 * kBlocks);
    long dBytes = (rows + padded + masked) * n * 2L;
    long indexBytes = (rows * 2 + padded * 3 + masked * 2) * 4L;
    return tokenBytes + aBytes + dBytes + indexBytes;
  }

  /**
   * Host bytes of one batch's whole layer on the CPU reference (CpuMoeLayer), counted as if every
   * array of the padded form (the larger) were live at once: the synthetic tokens (FP32 while made,
   * then FP8 and scales), the routing weights, both forms' outputs (BF16), and, over the padded rows,
   * the dispatched A, gate_up's G (BF16, 2I wide), h as FP32, its FP8 form with scales, down's D (BF16)
   * and the layout's index arrays.
   */
  static long cpuLayerBytes(RoutedBatch batch, int hidden, int intermediate) {
    long padded = 0;
    for (int c : batch.expertCounts()) {
      padded += (c + 127L) / 128 * 128;
    }
    long tokens = batch.numTokens();
    long hBlocks = (hidden + 127L) / 128;
    long iBlocks = (intermediate + 127L) / 128;
    long tokenBytes = tokens * hidden * 4 + tokens * (hidden + 4 * hBlocks) + tokens * batch.topK() * 4L;
    long outputs = 2 * tokens * hidden * 2;
    long perRow = (hidden + 4 * hBlocks) + 2L * 2 * intermediate + 4L * intermediate
        + (intermediate + 4 * iBlocks) + 2L * hidden + 3 * 4L;
    return tokenBytes + outputs + padded * perRow;
  }

  /**
   * Host bytes of one batch's whole layer on the GPU (CudaMoeLayer): the intermediates live on the
   * device, so the host holds the synthetic tokens (FP32 while made, then FP8 and scales), the routing
   * weights, the layout arrays per routed row (rows, slots; a padded row count at most doubles them)
   * and {@code outputs} BF16 outputs copied back (two forms, three with the fused run).
   */
  static long gpuLayerBytes(RoutedBatch batch, int hidden, int outputs) {
    long tokens = batch.numTokens();
    long hBlocks = (hidden + 127L) / 128;
    long tokenBytes = tokens * hidden * 4 + tokens * (hidden + 4 * hBlocks) + tokens * batch.topK() * 4L;
    long layoutBytes = 4 * 4L * (batch.routedRows() + 128L * batch.numExperts());
    return tokenBytes + layoutBytes + outputs * tokens * hidden * 2;
  }

  /**
   * Host bytes of a weight bank of {@code distinct} FP8 matrices of N x K with their 128x128 scales,
   * plus the FP32 matrices being quantized at once ({@code parallel} of them) while it is made.
   */
  static long weightBytes(int distinct, int n, int k, int parallel) {
    long scales = ((n + 127L) / 128) * ((k + 127L) / 128) * 4;
    long matrix = (long) n * k + scales;
    return distinct * matrix + Math.min(distinct, Math.max(1, parallel)) * (long) n * k * 4;
  }

  /**
   * Tasks that may run at once in this JVM: the executor's cores (in local mode the driver's, where
   * Spark leaves spark.executor.cores unset) over the cores each task takes.
   */
  static int concurrentTasks() {
    org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
    int processors = Runtime.getRuntime().availableProcessors();
    int cores = env == null ? processors : env.conf().getInt("spark.executor.cores", processors);
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    int perTask = task == null ? 1 : Math.max(1, task.cpus());
    return Math.max(1, cores / perTask);
  }

  /** "1.5 GiB", "320 MiB". */
  static String bytes(long b) {
    if (b >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%d MiB", (b + (1L << 20) - 1) >> 20);
  }
}
