package org.padfree.evaluate;

import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.padfree.dataset.DatasetSchema;

/**
 * The executor side of reading a dataset: one partition of its rows, as Spark's Parquet reader decodes
 * them, becomes the inputs the driver planned from the same partition's scalar columns (row k of
 * partition p is input {@code firstIndex[p] + k}). It runs in the shuffle that places inputs on the
 * evaluation tasks, so a batch's expert_ids are decoded there once, copied once into an int[], and
 * travel as that array to the task that evaluates the batch (and, through the same shuffle's output,
 * to the layer stage's task).
 *
 * <p>Nothing planned is lost when the read goes wrong; each case fails inputs with a message naming
 * the file: a row whose batch id is not the planned one (the file changed since planning), a partition
 * that ends early, and a read error (a damaged expert_ids page, which planning never read) once Spark
 * has no retry left for the task. The reader cannot go on past a read error, so the partition's later
 * inputs fail too, saying where the task stopped.
 */
final class DatasetInputReader implements Function2<Integer, Iterator<InternalRow>, Iterator<EvalInput>> {
  private final String dataset;
  private final StructType schema;
  private final long[] firstIndex;
  private final Broadcast<Planned> planned;
  private final int maxTaskFailures;

  /**
   * What planning saw of one read of a dataset, by input index from {@code base}: each row's batch id
   * (as {@link EvalInput#rawText} reads it) and its data file.
   */
  record Planned(long base, String[] batchIds, String[] files) implements Serializable {
    long end() {
      return base + batchIds.length;
    }
  }

  /**
   * @param schema the schema of the rows the reader decodes (the dataset's read Dataset)
   * @param firstIndex the first input index of each partition, as planning numbered them
   * @param maxTaskFailures attempts Spark gives a task (see {@link #maxTaskFailures(String, int)}):
   *     a read error fails inputs only on the last one, earlier ones let Spark retry the task
   */
  DatasetInputReader(String dataset, StructType schema, long[] firstIndex, Broadcast<Planned> planned,
      int maxTaskFailures) {
    this.dataset = dataset;
    this.schema = schema;
    this.firstIndex = firstIndex;
    this.planned = planned;
    this.maxTaskFailures = maxTaskFailures;
  }

  /**
   * The attempts Spark makes at a task under {@code master}, as its scheduler counts them: 1 in
   * local mode ({@code local}, {@code local[N]}), F in {@code local[N,F]}, else spark.task.maxFailures.
   */
  static int maxTaskFailures(String master, int confMaxFailures) {
    Matcher withFailures = LOCAL_WITH_FAILURES.matcher(master);
    if (withFailures.matches()) {
      return Integer.parseInt(withFailures.group(2));
    }
    if (master.equals("local") || LOCAL.matcher(master).matches()) {
      return 1;
    }
    return Math.max(1, confMaxFailures);
  }

  private static final Pattern LOCAL = Pattern.compile("local\\[\\s*([0-9]+|\\*)\\s*\\]");
  private static final Pattern LOCAL_WITH_FAILURES = Pattern.compile("local\\[\\s*([0-9]+|\\*)\\s*,\\s*([0-9]+)\\s*\\]");

  @Override
  public Iterator<EvalInput> call(Integer partition, Iterator<InternalRow> rows) {
    Planned plan = planned.value();
    long end = partition + 1 < firstIndex.length ? firstIndex[partition + 1] : plan.end();
    return new Inputs(plan, firstIndex[partition], end, rows);
  }

  /** Lazily, so a partition's decoded rows stream into the shuffle rather than into one list. */
  private final class Inputs implements Iterator<EvalInput> {
    private final Planned plan;
    private final long end;
    private final Iterator<InternalRow> rows;
    private long next;
    /** Where and why the read stopped (an error, or the rows ran out); null while it goes on. */
    private String stoppedFile;
    private String stoppedReason;

    Inputs(Planned plan, long first, long end, Iterator<InternalRow> rows) {
      this.plan = plan;
      this.next = first;
      this.end = end;
      this.rows = rows;
    }

    @Override
    public boolean hasNext() {
      return next < end;
    }

    @Override
    public EvalInput next() {
      if (!hasNext()) {
        throw new NoSuchElementException("the partition holds inputs up to " + end);
      }
      long index = next++;
      String batchId = plan.batchIds()[(int) (index - plan.base())];
      String file = plan.files()[(int) (index - plan.base())];
      if (stoppedReason == null) {
        try {
          if (rows.hasNext()) {
            Row row = DatasetSchema.fromInternal(rows.next(), schema);
            String read = EvalInput.rawText(row, DatasetSchema.BATCH_ID);
            return read.equals(batchId) ? EvalInput.of(index, dataset, row)
                : EvalInput.failed(index, dataset, batchId, "invalid dataset file = " + file + ": changed while the"
                    + " run read it (input " + index + " was batch " + batchId + " when planned, " + read
                    + " when read)" + in());
          }
          stop(file, "invalid dataset file = " + file + ": holds fewer batches than when the run planned it (it"
              + " changed while the run read it)" + in());
        } catch (Exception e) { // Spark's SparkException for an unreadable file, checked in Java's eyes
          TaskContext task = TaskContext.get();
          if (task != null && task.attemptNumber() + 1 < maxTaskFailures) {
            throw new IllegalStateException("reading " + file + " for input " + index + " failed; Spark retries the"
                + " task: " + EvalInputs.rootCause(e), e);
          }
          stop(file, EvalInputs.unreadableFile(file, dataset, e));
        }
      }
      return EvalInput.failed(index, dataset, batchId, file.equals(stoppedFile) ? stoppedReason
          : "invalid dataset file = " + file + ": not read, as the task reading it stopped before it (" + stoppedReason
              + ")");
    }

    private void stop(String file, String reason) {
      stoppedFile = file;
      stoppedReason = reason;
    }

    private String in() {
      return " (in dataset " + dataset + ")";
    }
  }
}
