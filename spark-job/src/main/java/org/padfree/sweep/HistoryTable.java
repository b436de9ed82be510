package org.padfree.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.padfree.table.RecordParquet;

/**
 * The sweep history: a Parquet table partitioned as {@code ROOT/date=YYYY-MM-DD/run=<id>/points.parquet},
 * one row per grid point and GEMM ({@link PointResult}). Spark reads it with
 * {@code spark.read.parquet(ROOT)} (date and run become columns).
 *
 * <p>A run's partition is replaced as a whole: re-running a run id (a retried nightly job, or one
 * re-run the next day) removes every earlier partition of that id, under any date, so the table never
 * holds a run twice. The new partition is written under a hidden name (readers skip names starting
 * with '.') and renamed into place; old partitions are renamed away before that, so a reader sees the
 * old run or the new one or, for an instant, neither, but never both and never a partial file.
 * Writers on one host take a lock file, so two sweeps writing the same table do not interleave.
 */
public final class HistoryTable {
  public static final String FILE_NAME = "points.parquet";
  private static final RecordParquet<PointResult> PARQUET = new RecordParquet<>(PointResult.class, "padfree_sweep_point",
      PointResult.ADDED_LATER);

  private final Path root;

  /** A run in the table: its id, partition date and rows. */
  public record Run(String runId, String date, List<PointResult> rows) {
    public String startedAt() {
      return rows.isEmpty() ? "" : rows.get(0).startedAt();
    }

    public String sweep() {
      return rows.isEmpty() ? "" : rows.get(0).sweep();
    }
  }

  public HistoryTable(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** Writes (or replaces) the partition of {@code runId}; returns its folder. */
  public Path write(String date, String runId, List<PointResult> rows) {
    try {
      Files.createDirectories(root);
      try (FileChannel channel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock ignored = channel.lock()) {
        Path staging = root.resolve(".run=" + runId + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(staging);
        List<Path> trash = new ArrayList<>();
        try {
          PARQUET.write(rows, staging.resolve(FILE_NAME));
          for (Path old : partitionsOf(runId)) {
            Path away = root.resolve(".trash-" + UUID.randomUUID());
            Files.move(old, away, StandardCopyOption.ATOMIC_MOVE);
            trash.add(away);
          }
          Path target = root.resolve("date=" + date).resolve("run=" + runId);
          Files.createDirectories(target.getParent());
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
          return target;
        } finally {
          // PathUtils.delete never follows links and takes an absent path (staging moved into place) as done.
          PathUtils.delete(staging);
          for (Path t : trash) {
            PathUtils.delete(t);
          }
          removeEmptyDateFolders();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write run " + runId + " to the history table " + root, e);
    }
  }

  /** Every run in the table, oldest first (by start time, then id). */
  public List<Run> runs() {
    List<Run> runs = new ArrayList<>();
    for (Path dateDir : children(root, "date=")) {
      for (Path runDir : children(dateDir, "run=")) {
        List<PointResult> rows = new ArrayList<>();
        for (Path file : children(runDir, "")) {
          if (file.getFileName().toString().endsWith(".parquet")) {
            rows.addAll(PARQUET.read(file));
          }
        }
        runs.add(new Run(runDir.getFileName().toString().substring("run=".length()),
            dateDir.getFileName().toString().substring("date=".length()), List.copyOf(rows)));
      }
    }
    runs.sort(Comparator.comparing(Run::startedAt).thenComparing(Run::runId));
    return runs;
  }

  /** The run with this id, or null. */
  public Run run(String runId) {
    return runs().stream().filter(r -> r.runId().equals(runId)).findFirst().orElse(null);
  }

  /** Reads one points file (a partition's, or a copy kept as a baseline). */
  public static List<PointResult> readFile(Path file) {
    return PARQUET.read(file);
  }

  private List<Path> partitionsOf(String runId) {
    List<Path> found = new ArrayList<>();
    for (Path dateDir : children(root, "date=")) {
      Path candidate = dateDir.resolve("run=" + runId);
      if (Files.isDirectory(candidate)) {
        found.add(candidate);
      }
    }
    return found;
  }

  private void removeEmptyDateFolders() throws IOException {
    for (Path dateDir : children(root, "date=")) {
      try (Stream<Path> entries = Files.list(dateDir)) {
        if (entries.findAny().isEmpty()) {
          Files.deleteIfExists(dateDir);
        }
      }
    }
  }

  /** Entries of {@code dir} whose names start with {@code prefix}, hidden ones skipped, sorted. */
  private static List<Path> children(Path dir, String prefix) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> {
        String name = p.getFileName().toString();
        return name.startsWith(prefix) && !name.startsWith(".") && !name.startsWith("_");
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

}
