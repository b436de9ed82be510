package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.padfree.InvalidInputException;
import org.padfree.dataset.DatasetFileScalars;
import org.padfree.dataset.DatasetIO;
import org.padfree.dataset.DatasetSchema;
import org.padfree.routing.RoutedBatch;
import org.padfree.dataset.TraceBatch;
import org.padfree.dataset.TraceReader;
import org.padfree.model.ModelCatalog;
import org.padfree.model.ModelShape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers every input batch of a run (datasets and traces) into one RDD of {@link EvalInput}s with
 * dense indices 0..count-1. A dataset or trace that cannot be read at all, and a trace batch that
 * cannot be built, become failed inputs: they travel to the executors like the others and come back
 * as error rows, so the job reports them without stopping the rest.
 */
final class EvalInputs {
  private static final Logger LOG = LoggerFactory.getLogger(EvalInputs.class);
  private EvalInputs() {}

  /**
   * The inputs with what planning needs of each ({@code metas}: one per input, in index order). A
   * dataset's rows are read and decoded by {@code inputs} itself, on the executors, when the evaluation
   * places them: nothing is cached.
   */
  record Loaded(JavaRDD<EvalInput> inputs, List<InputMeta> metas) {
    long count() {
      return metas.size();
    }
  }

  /** What loading gathers, in index order: inputs on the driver, inputs read from datasets, their metas. */
  private static final class Gathered {
    final List<EvalInput> onDriver = new ArrayList<>();
    final List<JavaRDD<EvalInput>> fromFiles = new ArrayList<>();
    /** Whether datasets are placed as references to their rows (spark.padfree.inputs.read): see {@link InputReading}. */
    boolean references;
    final List<InputMeta> metas = new ArrayList<>();
    long next;

    void failed(String dataset, String batchId, String error) {
      onDriver.add(EvalInput.failed(next++, dataset, batchId, error));
    }
  }

  static Loaded load(SparkSession spark, EvaluateOptions options, ModelCatalog catalog) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Gathered g = new Gathered();
    g.references = InputReading.fromFiles(options, jsc.getConf(), org.padfree.cudf.CudfJar.missing().isEmpty());
    if (g.references && !options.datasets().isEmpty()) {
      LOG.info("datasets are placed as references to their files' rows; each evaluating task reads its batches'"
          + " columns from the files ({})", PadfreeConf.INPUTS_READ.name());
    }
    for (String path : options.datasets()) {
      try {
        loadDataset(spark, options, path, path, g);
      } catch (Exception e) { // Spark's SparkException is checked in Java's eyes but thrown unchecked
        if (e instanceof InvalidInputException) {
          g.failed(path, "", e.getMessage());
          continue;
        }
        // One unreadable file must not cost the folder's good ones: read them one by one.
        List<String> files = filesOf(spark, path);
        if (files.size() <= 1) {
          g.failed(path, "", unreadable("dataset", path, e));
          continue;
        }
        LOG.warn("dataset {} could not be read whole ({}); reading its {} files one by one", path,
            rootCause(e), files.size());
        for (String file : files) {
          try {
            loadDataset(spark, options, path, file, g);
          } catch (Exception fileError) {
            g.failed(path, "", unreadableFile(file, path, fileError));
          }
        }
      }
    }
    List<EvalInput> onDriver = g.onDriver;
    List<InputMeta> metas = g.metas;
    long next = g.next;
    for (String trace : options.traces()) {
      int eq = trace.indexOf('=');
      String modelName = trace.substring(0, eq);
      String path = trace.substring(eq + 1);
      try {
        ModelShape model = catalog.byName(modelName);
        if (!options.models().isEmpty() && !options.models().contains(model.name())) {
          continue;
        }
        for (TraceBatch b : TraceReader.readEach(spark, path, null, model, options.settings().weightSeed())) {
          onDriver.add(b.isOk()
              ? EvalInput.ready(next++, path, b.batch())
              : EvalInput.failed(next++, path, b.batchId(), b.error().getMessage()));
        }
      } catch (Exception e) { // also Spark's SparkException for an unreadable file
        onDriver.add(EvalInput.failed(next++, path, "", e instanceof InvalidInputException
            ? e.getMessage() : unreadable("trace", path, e)));
      }
    }
    onDriver.forEach(in -> metas.add(InputMeta.of(in)));
    metas.sort(java.util.Comparator.comparingLong(InputMeta::index));
    JavaRDD<EvalInput> all = jsc.parallelize(onDriver, Math.max(1, Math.min(onDriver.size(), 4)));
    for (JavaRDD<EvalInput> rdd : g.fromFiles) {
      all = all.union(rdd);
    }
    return new Loaded(all, metas);
  }

  /**
   * Plans {@code readPath} (the dataset, or one of its files) as inputs labelled {@code dataset}: one
   * pass over the scalar columns only (batch id, model, sizes; Parquet never reads expert_ids' pages)
   * sends back each partition's metas and data files, and dense indices follow from the partition
   * counts on the driver. The rows themselves are read later, in the same partitions, by a
   * {@link DatasetInputReader} in the evaluation's placing step: the only read of expert_ids. Or, when
   * {@code g.references} (spark.padfree.inputs.read, {@link InputReading}), the inputs are references to
   * the rows, which the evaluating tasks read themselves ({@link FileInputs}; with cuDF onto their GPUs),
   * planned on the driver by {@link #planReferences}. Nothing is added to {@code g} unless the planning
   * read succeeds.
   */
  private static void loadDataset(SparkSession spark, EvaluateOptions options, String dataset, String readPath,
      Gathered g) {
    if (g.references) {
      planReferences(spark, options, dataset, readPath, g);
      return;
    }
    Dataset<Row> files = DatasetIO.readFiles(spark, readPath);
    Dataset<Row> rows = files.select(DatasetIO.readColumns(files.schema()));
    Dataset<Row> scalars = files.select(scalarColumnsAndFile());
    if (!options.models().isEmpty()) {
      Column model = functions.lower(functions.col(DatasetSchema.MODEL))
          .isin(options.models().stream().map(String::toLowerCase).toArray());
      rows = rows.filter(model);
      scalars = scalars.filter(model);
    }
    long start = System.nanoTime();
    List<List<PlannedRow>> perPartition = scalars.javaRDD().mapPartitionsWithIndex((partition, it) -> {
      List<PlannedRow> local = new ArrayList<>();
      for (long position = 0; it.hasNext(); position++) {
        Row r = it.next();
        local.add(new PlannedRow(InputMeta.of(position, dataset, r), r.getString(r.fieldIndex(FILE))));
      }
      return List.of(local).iterator();
    }, true).collect();
    long count = perPartition.stream().mapToLong(List::size).sum();
    LOG.info(String.format("dataset %s: %d batches planned from their scalar columns in %.0f ms", readPath, count,
        (System.nanoTime() - start) / 1e6));
    if (count == 0) {
      g.failed(dataset, "", "invalid dataset = " + readPath + ": holds no batches"
          + (options.models().isEmpty() ? "" : " of models " + options.models()));
      return;
    }
    JavaRDD<InternalRow> decoded = rows.queryExecution().toRdd().toJavaRDD();
    if (decoded.getNumPartitions() != perPartition.size()) { // one file listing, one split rule: never expected
      throw new IllegalStateException("dataset " + readPath + " read as " + perPartition.size() + " partitions for"
          + " planning but " + decoded.getNumPartitions() + " for its rows");
    }
    long base = g.next;
    long[] firstIndex = new long[perPartition.size()];
    String[] batchIds = new String[(int) count];
    String[] dataFiles = new String[(int) count];
    Map<String, String> sameFile = new HashMap<>(); // one String per file in the broadcast, not one per row
    for (int p = 0; p < firstIndex.length; p++) {
      firstIndex[p] = g.next;
      for (PlannedRow planned : perPartition.get(p)) {
        int at = (int) (g.next - base);
        batchIds[at] = planned.meta().batchId();
        dataFiles[at] = sameFile.computeIfAbsent(planned.file(), f -> f);
        g.metas.add(planned.meta().at(g.next++));
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int attempts = DatasetInputReader.maxTaskFailures(jsc.master(), jsc.getConf().getInt("spark.task.maxFailures", 4));
    g.fromFiles.add(decoded.mapPartitionsWithIndex(new DatasetInputReader(dataset, rows.schema(), firstIndex,
        jsc.broadcast(new DatasetInputReader.Planned(base, batchIds, dataFiles)), attempts), true));
  }

  /**
   * Plans {@code readPath} as references to its rows (spark.padfree.inputs.read = files) on the driver,
   * without a Spark job: each data file's footer and scalar columns with parquet-mr
   * ({@link DatasetFileScalars}), in file name order. A file that cannot be read, or whose columns are
   * wrong, fails alone, by name (the whole dataset when it is the only file, or when the first file's
   * columns are wrong, as Spark's read of the dataset would); the other files' batches are planned.
   */
  private static void planReferences(SparkSession spark, EvaluateOptions options, String dataset, String readPath,
      Gathered g) {
    long start = System.nanoTime();
    DatasetIO.requireExists(spark, readPath, "dataset");
    List<String> dataFiles = DatasetIO.dataFiles(spark, readPath);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Set<String> models = new HashSet<>();
    options.models().forEach(m -> models.add(m.toLowerCase(Locale.ROOT)));
    List<EvalInput> references = new ArrayList<>();
    boolean anyFailed = false;
    for (int f = 0; f < dataFiles.size(); f++) {
      String file = dataFiles.get(f);
      DatasetFileScalars.FileScalars read;
      try {
        read = DatasetFileScalars.read(new Path(file), conf, models);
      } catch (InvalidInputException e) {
        if (f == 0) {
          throw e; // the dataset's columns, as Spark's read judges them from a file's footer
        }
        g.failed(dataset, "", e.getMessage() + " (dataset file " + file + ")");
        anyFailed = true;
        continue;
      } catch (RuntimeException e) {
        g.failed(dataset, "", dataFiles.size() <= 1 ? unreadable("dataset", readPath, e)
            : unreadableFile(file, dataset, e));
        anyFailed = true;
        continue;
      }
      for (DatasetFileScalars.Scalars row : read.rows()) {
        long index = g.next++;
        InputMeta meta = InputMeta.of(index, dataset, row.values()).readFrom(row.file());
        g.metas.add(meta);
        references.add(EvalInput.inFile(index, dataset, row.values(),
            new EvalInput.FileRow(row.file(), row.row(), read.activations())));
      }
    }
    LOG.info(String.format("dataset %s: %d batches in %d files planned on the driver from their scalar columns in %.0f ms",
        readPath, references.size(), dataFiles.size(), (System.nanoTime() - start) / 1e6));
    if (references.isEmpty()) {
      if (!anyFailed) {
        g.failed(dataset, "", "invalid dataset = " + readPath + ": holds no batches"
            + (options.models().isEmpty() ? "" : " of models " + options.models()));
      }
      return;
    }
    // Only references travel: each evaluating task reads its batches' columns from their files (FileInputs).
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    g.fromFiles.add(jsc.parallelize(references, Math.max(1, Math.min(references.size(), dataFiles.size()))));
  }

  /** The column planning reads each row's data file into. */
  private static final String FILE = "padfree_planned_file";

  private static Column[] scalarColumnsAndFile() {
    List<Column> columns = new ArrayList<>();
    DatasetSchema.scalarColumnNames().forEach(name -> columns.add(functions.col(name)));
    columns.add(functions.col("_metadata.file_path").as(FILE));
    return columns.toArray(Column[]::new);
  }

  /** A planned row: its meta and the data file it came from. */
  private record PlannedRow(InputMeta meta, String file) implements java.io.Serializable {}

  private static List<String> filesOf(SparkSession spark, String path) {
    try {
      return DatasetIO.dataFiles(spark, path);
    } catch (RuntimeException e) {
      return List.of(path);
    }
  }

  /** "invalid FIELD = PATH: cannot be read (ROOT CAUSE)", the root cause's first line only. */
  static String unreadable(String field, String path, Exception e) {
    return "invalid " + field + " = " + path + ": cannot be read (" + rootCause(e) + ")";
  }

  /** "invalid dataset file = FILE: cannot be read (ROOT CAUSE) (in dataset DATASET)": one file of a dataset failed. */
  static String unreadableFile(String file, String dataset, Exception e) {
    return unreadable("dataset file", file, e) + " (in dataset " + dataset + ")";
  }

  /** The innermost cause's class and first line: Spark wraps a bad file's error several times over. */
  static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(root.getMessage()).lines().findFirst().orElse("").strip();
    return root.getClass().getSimpleName() + ": " + (message.length() > 300 ? message.substring(0, 300) + "..." : message);
  }

  /**
   * Rejections decided on the driver, by input index: a batch id seen earlier in the same dataset
   * (ids must be unique within a dataset, or results could not be told apart).
   */
  static Map<Long, String> duplicates(List<InputMeta> metas) {
    Map<String, Long> firstSeen = new HashMap<>();
    Map<Long, String> rejected = new HashMap<>();
    metas.stream().sorted((a, b) -> Long.compare(a.index(), b.index())).forEach(m -> {
      if (m.batchId() == null || m.batchId().isEmpty()) {
        return; // reported by the row check on the executor
      }
      Long first = firstSeen.putIfAbsent(m.dataset() + "\u0000" + m.batchId(), m.index());
      if (first != null) {
        rejected.put(m.index(), "invalid batch_id = " + m.batchId() + ": appears more than once in "
            + m.dataset() + " (first at input " + first + "); batch ids must be unique within a dataset");
      }
    });
    return rejected;
  }

  /**
   * What the driver needs to plan: identity and size, read leniently (bad rows are judged later), and
   * the data file the evaluating task reads the input from (null unless inputs are read in the tasks).
   */
  record InputMeta(long index, String dataset, String batchId, String model, long rows, String file)
      implements java.io.Serializable {

    static InputMeta of(EvalInput in) {
      if (in.routed() != null) {
        RoutedBatch b = in.routed();
        return new InputMeta(in.index(), in.dataset(), b.batchId(), b.model(), (long) b.numTokens() * b.topK(), null);
      }
      if (in.batch() == null) {
        return new InputMeta(in.index(), in.dataset(), in.batchId(), "", 0, null);
      }
      return of(in.index(), in.dataset(), in.batch());
    }

    /** The same meta at another index. */
    InputMeta at(long newIndex) {
      return new InputMeta(newIndex, dataset, batchId, model, rows, file);
    }

    /** The same meta, read by its evaluating task from {@code dataFile}. */
    InputMeta readFrom(String dataFile) {
      return new InputMeta(index, dataset, batchId, model, rows, dataFile);
    }

    static InputMeta of(long index, String dataset, Row r) {
      long rows = 0;
      try {
        rows = (long) r.<Integer>getAs(DatasetSchema.NUM_TOKENS) * r.<Integer>getAs(DatasetSchema.TOP_K);
      } catch (RuntimeException e) {
        rows = 0; // a null or mistyped size: the executor will reject the row; plan it as tiny
      }
      return new InputMeta(index, dataset, EvalInput.rawText(r, DatasetSchema.BATCH_ID),
          EvalInput.rawText(r, DatasetSchema.MODEL), Math.max(0, rows), null);
    }

    /** Estimated work: routed rows x sum over the run's GEMMs of N*K (unknown models count 1 per row). */
    double cost(ModelCatalog catalog, List<String> gemms) {
      try {
        ModelShape m = catalog.byName(model);
        double nk = m.gemms().stream().filter(g -> gemms.contains(g.name())).mapToDouble(g -> (double) g.n() * g.k()).sum();
        return Math.max(1, rows) * nk;
      } catch (RuntimeException e) {
        return Math.max(1, rows);
      }
    }
  }


}
