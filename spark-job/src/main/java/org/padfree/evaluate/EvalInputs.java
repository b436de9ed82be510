package org.padfree.evaluate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.padfree.dataset.DatasetIO;
import org.padfree.dataset.DatasetSchema;
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
   * The inputs with what planning needs of each ({@code metas}: one per input, in index order).
   * Dataset rows are cached: {@link #release} them when the run is done.
   */
  record Loaded(JavaRDD<EvalInput> inputs, List<InputMeta> metas, List<JavaRDD<Row>> cached) {
    long count() {
      return metas.size();
    }

    void release() {
      cached.forEach(rdd -> rdd.unpersist(false));
    }
  }

  static Loaded load(SparkSession spark, EvaluateOptions options, ModelCatalog catalog) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<EvalInput> onDriver = new ArrayList<>();
    List<JavaRDD<EvalInput>> fromFiles = new ArrayList<>();
    List<InputMeta> metas = new ArrayList<>();
    List<JavaRDD<Row>> cached = new ArrayList<>();
    long next = 0;
    for (String path : options.datasets()) {
      JavaRDD<Row> rows = null;
      try {
        Dataset<Row> dataset = DatasetIO.read(spark, path);
        if (!options.models().isEmpty()) {
          dataset = dataset.filter(functions.lower(functions.col(DatasetSchema.MODEL))
              .isin(options.models().stream().map(String::toLowerCase).toArray()));
        }
        // One pass over the dataset: every row decoded once, compacted and cached, and each
        // partition's sizes sent back; dense indices then follow from the partition counts on the
        // driver (no count job, no zipWithIndex job decoding every row again).
        long start = System.nanoTime();
        rows = dataset.javaRDD().map(DatasetSchema::compact).persist(StorageLevel.MEMORY_AND_DISK());
        List<List<InputMeta>> perPartition = rows.mapPartitionsWithIndex((partition, it) -> {
          List<InputMeta> local = new ArrayList<>();
          for (long position = 0; it.hasNext(); position++) {
            local.add(InputMeta.of(position, path, it.next()));
          }
          return List.of(local).iterator();
        }, true).collect();
        long count = perPartition.stream().mapToLong(List::size).sum();
        LOG.info(String.format("dataset %s: %d batches read, decoded and cached in %.0f ms", path, count,
            (System.nanoTime() - start) / 1e6));
        if (count == 0) {
          rows.unpersist(false);
          onDriver.add(EvalInput.failed(next++, path, "", "invalid dataset = " + path
              + ": holds no batches" + (options.models().isEmpty() ? "" : " of models " + options.models())));
          continue;
        }
        long[] firstIndex = new long[perPartition.size()];
        for (int p = 0; p < firstIndex.length; p++) {
          firstIndex[p] = next;
          for (InputMeta m : perPartition.get(p)) {
            metas.add(m.at(next++));
          }
        }
        fromFiles.add(rows.mapPartitionsWithIndex((partition, it) -> {
          List<EvalInput> local = new ArrayList<>();
          for (long index = firstIndex[partition]; it.hasNext(); index++) {
            local.add(EvalInput.of(index, path, it.next()));
          }
          return local.iterator();
        }, true));
        cached.add(rows);
      } catch (RuntimeException e) {
        if (rows != null) {
          rows.unpersist(false);
        }
        onDriver.add(EvalInput.failed(next++, path, "", messageOf(e)));
      }
    }
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
              ? EvalInput.of(next++, path, DatasetSchema.toRow(b.batch()))
              : EvalInput.failed(next++, path, b.batchId(), b.error().getMessage()));
        }
      } catch (RuntimeException e) {
        onDriver.add(EvalInput.failed(next++, path, "", messageOf(e)));
      }
    }
    onDriver.forEach(in -> metas.add(InputMeta.of(in)));
    metas.sort(java.util.Comparator.comparingLong(InputMeta::index));
    JavaRDD<EvalInput> all = jsc.parallelize(onDriver, Math.max(1, Math.min(onDriver.size(), 4)));
    for (JavaRDD<EvalInput> rdd : fromFiles) {
      all = all.union(rdd);
    }
    return new Loaded(all, metas, cached);
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

  /** What the driver needs to plan: identity and size, read leniently (bad rows are judged later). */
  record InputMeta(long index, String dataset, String batchId, String model, long rows) implements java.io.Serializable {

    static InputMeta of(EvalInput in) {
      if (in.batch() == null) {
        return new InputMeta(in.index(), in.dataset(), in.batchIdHint(), "", 0);
      }
      return of(in.index(), in.dataset(), in.batch());
    }

    /** The same meta at another index. */
    InputMeta at(long newIndex) {
      return new InputMeta(newIndex, dataset, batchId, model, rows);
    }

    static InputMeta of(long index, String dataset, Row r) {
      long rows = 0;
      try {
        rows = (long) r.<Integer>getAs(DatasetSchema.NUM_TOKENS) * r.<Integer>getAs(DatasetSchema.TOP_K);
      } catch (RuntimeException e) {
        rows = 0; // a null or mistyped size: the executor will reject the row; plan it as tiny
      }
      return new InputMeta(index, dataset, stringOrEmpty(r, DatasetSchema.BATCH_ID),
          stringOrEmpty(r, DatasetSchema.MODEL), Math.max(0, rows));
    }

    private static String stringOrEmpty(Row r, String column) {
      try {
        Object v = r.getAs(column);
        return v == null ? "" : v.toString();
      } catch (RuntimeException e) {
        return "";
      }
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

  private static String messageOf(RuntimeException e) {
    return e instanceof org.padfree.InvalidInputException ? e.getMessage()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
