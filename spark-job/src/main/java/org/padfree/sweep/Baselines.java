package org.padfree.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.padfree.InvalidInputException;

/**
 * Resolves a pinned baseline: {@code run:<id>} names a run in the history table (pin a run that was
 * reviewed and found good); anything else is a file or folder, so a baseline can also be kept in
 * version control: a points.csv (a sweep report's, or one edited by hand), a points .parquet file, or
 * a folder holding either (a sweep report folder or a history partition).
 */
public final class Baselines {
  private Baselines() {}

  public static final String RUN_PREFIX = "run:";

  public static List<PointResult> load(String baseline, HistoryTable history) {
    if (baseline.startsWith(RUN_PREFIX)) {
      String id = baseline.substring(RUN_PREFIX.length());
      HistoryTable.Run run = history.run(id);
      if (run == null) {
        throw new InvalidInputException("baseline", baseline, "no run " + id + " in the history table " + history.root()
            + "; runs there: " + history.runs().stream().map(HistoryTable.Run::runId).toList());
      }
      return run.rows();
    }
    Path path = Path.of(baseline);
    if (Files.isDirectory(path)) {
      Path csv = path.resolve(SweepReportWriter.POINTS_CSV);
      Path parquet = path.resolve(HistoryTable.FILE_NAME);
      if (Files.isRegularFile(csv)) {
        return SweepReportWriter.readPointsCsv(csv);
      }
      if (Files.isRegularFile(parquet)) {
        return HistoryTable.readFile(parquet);
      }
      throw new InvalidInputException("baseline", baseline, "folder holds neither " + SweepReportWriter.POINTS_CSV
          + " nor " + HistoryTable.FILE_NAME);
    }
    if (!Files.isRegularFile(path)) {
      throw new InvalidInputException("baseline", baseline,
          "no such file; give run:<id> for a run in the history, or a points.csv / .parquet file");
    }
    String name = path.getFileName().toString();
    if (name.endsWith(".csv")) {
      return SweepReportWriter.readPointsCsv(path);
    }
    if (name.endsWith(".parquet")) {
      return HistoryTable.readFile(path);
    }
    throw new InvalidInputException("baseline", baseline, "expected a .csv or .parquet points file");
  }
}
