package org.padfree.evaluate;

import java.util.Locale;
import org.apache.spark.SparkConf;
import org.padfree.InvalidInputException;

/**
 * How a dataset's per-batch columns (expert_ids, and activations where present) reach the task that
 * evaluates a batch (spark.padfree.inputs.read), decided on the driver before planning:
 * <ul>
 *   <li>{@code spark}: Spark reads and decodes each batch's row in the placing shuffle, and the row
 *       travels to its evaluating task ({@link DatasetInputReader});</li>
 *   <li>{@code files}: only a reference to the row (file, row position, scalar columns) travels, and the
 *       evaluating task reads its batches' columns from their files, each file once ({@link FileInputs}):
 *       straight onto its GPU with cuDF where it routes with cuDF, else on the host with parquet-mr;</li>
 *   <li>{@code auto}: files where tasks will route with cuDF (spark.padfree.routing=cudf, or auto on a
 *       CUDA-capable run with GPU executors and the cuDF jar visible to the driver too, as
 *       {@code spark-submit --jars} makes it), else spark.</li>
 * </ul>
 * Results are the same either way; only where the columns are read and decoded changes.
 */
final class InputReading {
  private InputReading() {}

  enum Mode {
    AUTO, SPARK, FILES
  }

  static Mode parse(String text) {
    for (Mode m : Mode.values()) {
      if (m.name().equalsIgnoreCase(text.trim())) {
        return m;
      }
    }
    throw new InvalidInputException(PadfreeConf.INPUTS_READ.name(), text, "expected auto, spark or files");
  }

  /**
   * Whether this run's datasets are placed as references to their files' rows: {@code options}' mode,
   * for auto with the cluster's GPU settings from {@code conf} (the SparkContext's).
   */
  static boolean fromFiles(EvaluateOptions options, SparkConf conf, boolean cudfJarOnDriver) {
    EvaluateSettings settings = options.settings();
    return fromFiles(parse(options.inputsRead()), settings.routing(), settings.backend(), gpuExecutors(conf),
        cudfJarOnDriver);
  }

  /** The pure choice of {@link #fromFiles(EvaluateOptions, SparkConf, boolean)}. */
  static boolean fromFiles(Mode mode, EvaluateSettings.Routing routing, EvaluateSettings.Backend backend,
      boolean gpuExecutors, boolean cudfJarOnDriver) {
    return switch (mode) {
      case SPARK -> false;
      case FILES -> true;
      case AUTO -> backend != EvaluateSettings.Backend.CPU && (routing == EvaluateSettings.Routing.CUDF
          || routing == EvaluateSettings.Routing.AUTO && gpuExecutors && cudfJarOnDriver);
    };
  }

  /** Whether the run asks for GPUs on its executors (the GPU settings of conf/spark-gpu-*.conf do). */
  static boolean gpuExecutors(SparkConf conf) {
    try {
      return Double.parseDouble(conf.get("spark.executor.resource.gpu.amount", "0").trim().toLowerCase(Locale.ROOT)) > 0;
    } catch (NumberFormatException e) {
      return false; // Spark itself refuses a bad amount
    }
  }
}
