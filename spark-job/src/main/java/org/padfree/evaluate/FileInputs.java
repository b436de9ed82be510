package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.padfree.InvalidInputException;
import org.padfree.dataset.DatasetFileRows;

/**
 * The task side of inputs placed as references to their files' rows ({@link EvalInput#inFile},
 * spark.padfree.inputs.read): the checks and error rows every way of reading them shares, and the host
 * read ({@link #readOnHost}) for tasks that do not read with cuDF (a task routing on the host, the layer
 * stage). Errors name the file, the batch and the dataset, as {@link DatasetInputReader}'s do on the
 * Spark read: a file that cannot be read fails its batches (after Spark's last retry of the task), a
 * row whose batch id is not the planned one fails as changed, and a row past the file's end as missing.
 */
final class FileInputs {
  private FileInputs() {}

  /**
   * The batch id check: null when {@code read} (the batch id the file holds at the input's row; null
   * when the file has no such row) is the planned one, else why not.
   */
  static String mismatch(EvalInput in, String read) {
    String file = in.source().file();
    if (read == null) {
      return "invalid dataset file = " + file + ": holds fewer batches than when the run planned it (it changed"
          + " while the run read it)" + in(in);
    }
    String now = read;
    return now.equals(in.batchId()) ? null : "invalid dataset file = " + file + ": changed while the run read it (input "
        + in.index() + " was batch " + in.batchId() + " when planned, " + now + " when read)" + in(in);
  }

  /** The input failed with {@code reason}. */
  static EvalInput failed(EvalInput in, String reason) {
    return EvalInput.failed(in.index(), in.dataset(), in.batchId(), reason);
  }

  /**
   * What a read error does: on an attempt Spark will retry, the task fails (a transient error goes
   * away), so this rethrows; on the last attempt it returns the reason each of the file's batches
   * fails with.
   */
  static String onReadError(FileReadPlan.FileBatches group, Exception e) {
    TaskContext task = TaskContext.get();
    if (task != null && task.attemptNumber() + 1 < maxTaskFailures()) {
      throw new IllegalStateException("reading " + group.file() + " for " + group.inputs().size() + " inputs failed;"
          + " Spark retries the task: " + EvalInputs.rootCause(e), e);
    }
    return EvalInputs.unreadableFile(group.file(), group.inputs().get(0).dataset(), e);
  }

  /**
   * The group's inputs as dataset rows read on the host (parquet-mr: the batch ids, expert_ids and the
   * activations where the dataset has them), or failed with the reason; in the group's order.
   */
  static List<EvalInput> readOnHost(FileReadPlan.FileBatches group) {
    Set<Long> rows = new HashSet<>();
    group.inputs().forEach(in -> rows.add(in.source().row()));
    Map<Long, DatasetFileRows.Values> read;
    try {
      read = DatasetFileRows.read(hadoopPath(group.file()), rows, hadoopConf());
    } catch (Exception e) {
      String reason = onReadError(group, e);
      return group.inputs().stream().map(in -> failed(in, reason)).toList();
    }
    List<EvalInput> out = new ArrayList<>();
    for (EvalInput in : group.inputs()) {
      DatasetFileRows.Values values = read.get(in.source().row());
      String wrong = mismatch(in, values == null ? null : values.batchId() == null ? "" : values.batchId());
      out.add(wrong != null ? failed(in, wrong)
          : EvalInput.of(in.index(), in.dataset(), DatasetFileRows.toRow(in.batch(), values, in.source().activations())));
    }
    return out;
  }

  /**
   * The Hadoop path of a file as planning read it ({@code _metadata.file_path} is URL-encoded: a space
   * is %20 there), decoded as Spark's own file scan decodes it.
   */
  static org.apache.hadoop.fs.Path hadoopPath(String file) {
    return org.apache.spark.paths.SparkPath.fromUrlString(file).toPath();
  }

  /** A local file system path for a file Spark listed (cuDF reads local files only), or an error naming it. */
  static String localPath(String file) {
    java.net.URI uri = hadoopPath(file).toUri();
    if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
      throw new InvalidInputException("dataset file", file, "is on " + uri.getScheme() + ":, and cuDF reads local"
          + " files only; set " + PadfreeConf.INPUTS_READ.name() + "=spark (Spark reads the rows)");
    }
    return uri.getPath();
  }

  private static String in(EvalInput in) {
    return " (in dataset " + in.dataset() + ")";
  }

  private static Configuration hadoopConf() {
    SparkEnv env = SparkEnv.get();
    return env == null ? new Configuration()
        : org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(env.conf());
  }

  /** Attempts Spark makes at this task ({@link DatasetInputReader#maxTaskFailures}), from the executor's conf. */
  private static int maxTaskFailures() {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      return 1;
    }
    return DatasetInputReader.maxTaskFailures(env.conf().get("spark.master", "local"),
        env.conf().getInt("spark.task.maxFailures", 4));
  }
}
