package org.padfree.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.padfree.Validate;
import org.padfree.routing.RoutedBatch;

/**
 * Reads and writes routed-batch datasets as Parquet. A write never leaves a half-written dataset at
 * the target: Spark writes into a hidden sibling directory, which is renamed into place only after
 * the job succeeded (a rename within one directory is atomic on HDFS and local file systems).
 */
public final class DatasetIO {
  private DatasetIO() {}

  /**
   * Writes {@code batches} (which must have the {@link DatasetSchema} columns; others are dropped) to
   * {@code path} (with the optional activations columns when it has them). An existing target is an error unless {@code overwrite}; then it is replaced only
   * after the new data is complete.
   */
  public static void write(Dataset<Row> batches, String path, boolean overwrite) {
    Validate.notNull("batches", batches);
    Validate.require(path != null && !path.isBlank(), "out", path, "must be a non-empty path");
    DatasetSchema.requireColumns(batches.schema());
    Configuration hadoopConf = batches.sparkSession().sparkContext().hadoopConfiguration();
    Path target = new Path(path);
    try {
      FileSystem fs = target.getFileSystem(hadoopConf);
      target = fs.makeQualified(target);
      Validate.require(overwrite || !fs.exists(target), "out", path, "already exists (use overwrite to replace it)");
      if (fs.exists(target)) {
        requireDatasetFolder(fs, target, path);
      }
      Path parent = target.getParent();
      Validate.require(parent != null, "out", path, "must not be a file system root");
      // A leading dot hides the temporary directory from readers of the parent directory.
      Path temporary = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
      try {
        batches.select(readColumns(batches.schema())).write().parquet(temporary.toString());
        replace(fs, temporary, target);
      } finally {
        if (fs.exists(temporary)) {
          fs.delete(temporary, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the routed-batch dataset to " + path, e);
    }
  }

  /**
   * Overwrite replaces only what a dataset write made: a folder holding nothing but Parquet part files
   * and Spark's or Hadoop's markers and checksums. A file, a folder with anything else in it, or one
   * with subfolders (a user's directory, a parent of other data) is refused, naming what it holds.
   */
  private static void requireDatasetFolder(FileSystem fs, Path target, String path) throws IOException {
    Validate.require(fs.getFileStatus(target).isDirectory(), "out", path,
        "is a file, not a dataset folder; padfree replaces only dataset folders it wrote");
    for (org.apache.hadoop.fs.FileStatus entry : fs.listStatus(target)) {
      String name = entry.getPath().getName();
      boolean datasetFile = entry.isFile() && (name.startsWith("part-") && (name.endsWith(".parquet")
          || name.endsWith(".parquet.crc")) || name.startsWith("_") || name.startsWith("."));
      Validate.require(datasetFile, "out", path, "holds " + (entry.isDirectory() ? "the folder " : "the file ")
          + name + ", so it is not a dataset padfree wrote; refusing to replace it (move it away or choose another path)");
    }
  }

  /** Writes a driver-side list of batches; see {@link #write(Dataset, String, boolean)}. */
  public static void write(SparkSession spark, List<RoutedBatch> batches, String path, boolean overwrite) {
    write(toDataFrame(spark, batches), path, overwrite);
  }

  /** The batches as a DataFrame with the {@link DatasetSchema} columns. */
  public static Dataset<Row> toDataFrame(SparkSession spark, List<RoutedBatch> batches) {
    Validate.notNull("batches", batches);
    List<Row> rows = new ArrayList<>(batches.size());
    for (RoutedBatch batch : batches) {
      rows.add(DatasetSchema.toRow(batch));
    }
    return spark.createDataFrame(rows, DatasetSchema.SCHEMA);
  }

  /** The dataset at {@code path}, checked to have every column, with exactly the schema's columns. */
  public static Dataset<Row> read(SparkSession spark, String path) {
    return readFiles(spark, path).select(schemaColumns());
  }

  /**
   * The dataset at {@code path} as Spark's Parquet source reads it, checked to have every column, with
   * whatever columns its files have and the source's hidden {@code _metadata}: select from it to read
   * fewer columns ({@link DatasetSchema#scalarColumnNames()}) or each row's file
   * ({@code _metadata.file_path}). Selections from one such Dataset share its file listing, so they
   * read the same files in the same partitions.
   */
  public static Dataset<Row> readFiles(SparkSession spark, String path) {
    Validate.require(path != null && !path.isBlank(), "dataset", path, "must be a non-empty path");
    requireExists(spark, path, "dataset");
    Dataset<Row> dataset = spark.read().parquet(path);
    DatasetSchema.requireColumns(dataset.schema());
    return dataset;
  }

  /** Every batch at {@code path} on the driver, sorted by batch id. */
  public static List<RoutedBatch> readBatches(SparkSession spark, String path) {
    return toBatches(read(spark, path));
  }

  /** Converts collected rows, validating each; sorted by batch id so the order is stable. */
  public static List<RoutedBatch> toBatches(Dataset<Row> batches) {
    List<RoutedBatch> result = new ArrayList<>();
    for (Row row : batches.collectAsList()) {
      result.add(DatasetSchema.fromRow(row));
    }
    result.sort(Comparator.comparing(RoutedBatch::batchId));
    return result;
  }

  /**
   * The data files a dataset path reads: the path itself when it is a file, else every file under the
   * folder whose name does not start with '_' or '.' (Spark's and Hadoop's own markers and checksums),
   * sorted; used to find the one unreadable part file among good ones.
   */
  public static List<String> dataFiles(SparkSession spark, String path) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.getFileStatus(p).isDirectory()) {
        return List.of(path);
      }
      List<String> files = new ArrayList<>();
      var it = fs.listFiles(p, true);
      while (it.hasNext()) {
        Path f = it.next().getPath();
        String relative = p.toUri().relativize(f.toUri()).getPath();
        boolean hidden = java.util.Arrays.stream(relative.split("/")).anyMatch(n -> n.startsWith("_") || n.startsWith("."));
        if (!hidden) {
          files.add(f.toString());
        }
      }
      files.sort(Comparator.naturalOrder());
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
  }

  /** Throws an error naming {@code field} and {@code path} when nothing exists there. */
  public static void requireExists(SparkSession spark, String path, String field) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Validate.require(fs.exists(p), field, path, "does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }

  /** The columns the evaluation reads of a dataset of {@code schema}: {@link DatasetSchema#readColumnNames}. */
  public static Column[] readColumns(org.apache.spark.sql.types.StructType schema) {
    return DatasetSchema.readColumnNames(schema).stream().map(functions::col).toArray(Column[]::new);
  }

  /** Every column of {@link DatasetSchema}, in its order. */
  public static Column[] schemaColumns() {
    return DatasetSchema.columnNames().stream().map(functions::col).toArray(Column[]::new);
  }

  /** Moves {@code from} to {@code to}, replacing {@code to} if it exists, never leaving neither. */
  private static void replace(FileSystem fs, Path from, Path to) throws IOException {
    Path old = null;
    if (fs.exists(to)) {
      old = new Path(to.getParent(), "." + to.getName() + ".old-" + UUID.randomUUID());
      rename(fs, to, old);
    }
    try {
      rename(fs, from, to);
    } catch (IOException | RuntimeException e) {
      if (old != null) {
        fs.rename(old, to);
      }
      throw e;
    }
    if (old != null) {
      fs.delete(old, true);
    }
  }

  private static void rename(FileSystem fs, Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename of " + from + " to " + to + " failed");
    }
  }
}
