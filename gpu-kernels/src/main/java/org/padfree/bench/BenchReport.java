package org.padfree.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.padfree.AtomicFiles;
import org.padfree.CsvText;

/**
 * GemmBench's output: one row per case, the same columns in {@code NAME.csv} and in the
 * {@code cases} of {@code NAME.json} (with the run's backend, device and timing note beside them),
 * and a table on the console. Times are medians of the timed runs in microseconds, with p10/p90
 * columns; TFLOPS are useful ones (2 x valid rows x N x K over the median time); speedups are ratios
 * of medians. Both files are written to a temporary name and renamed.
 */
final class BenchReport {
  private record Column(String name, Function<BenchResult, Object> value) {}

  private final List<Column> columns;
  private final String backendName;

  BenchReport(String backendName, boolean timingsMeaningful) {
    this.backendName = backendName;
    this.columns = columns(timingsMeaningful ? "cuda-events" : "cpu-wall-meaningless");
  }

  private List<Column> columns(String timingSource) {
    List<Column> c = new ArrayList<>();
    c.add(new Column("name", r -> r.benchCase().name()));
    c.add(new Column("backend", r -> backendName));
    c.add(new Column("n", r -> r.benchCase().n()));
    c.add(new Column("k", r -> r.benchCase().k()));
    c.add(new Column("groups", r -> r.benchCase().groups()));
    c.add(new Column("rows", r -> r.benchCase().rows()));
    c.add(new Column("padded_rows", r -> r.benchCase().paddedRows()));
    c.add(new Column("wgmma_rows", r -> r.benchCase().wgmmaRows()));
    c.add(new Column("speedup_bound_vs_padded", r -> r.benchCase().speedupBoundVsPadded()));
    c.add(new Column("empty_groups", r -> Arrays.stream(r.benchCase().counts()).filter(x -> x == 0).count()));
    c.add(new Column("distribution", r -> r.benchCase().distribution()));
    c.add(new Column("seed", r -> r.benchCase().seed()));
    c.add(new Column("block_m", r -> r.config() == null ? null : r.config().blockM()));
    c.add(new Column("block_n", r -> r.config() == null ? null : r.config().blockN()));
    c.add(new Column("stages", r -> r.config() == null ? null : r.config().stages()));
    c.add(new Column("cluster", r -> r.config() == null ? null : r.config().cluster()));
    c.add(new Column("multicast", r -> r.config() == null ? null : r.config().multicast()));
    c.add(new Column("grid_blocks", r -> r.config() == null ? null : r.config().gridBlocks()));
    c.add(new Column("runs", r -> r.benchCase().runs()));
    c.add(new Column("timing_source", r -> timingSource));
    for (BenchPath p : BenchPath.values()) {
      c.add(new Column(p.key() + "_us", r -> r.us(p)));
      c.add(new Column(p.key() + "_p10_us", r -> r.timings().containsKey(p) ? r.timings().get(p).p10Us() : null));
      c.add(new Column(p.key() + "_p90_us", r -> r.timings().containsKey(p) ? r.timings().get(p).p90Us() : null));
    }
    for (BenchPath p : BenchPath.values()) {
      if (p.isGemm()) {
        c.add(new Column(p.key() + "_tflops", r -> r.tflops(p)));
      }
    }
    c.add(new Column("speedup_vs_padded_gemm", r -> r.us(BenchPath.PADDED) / r.us(BenchPath.PADDING_FREE)));
    c.add(new Column("speedup_vs_pad_plus_padded",
        r -> (r.us(BenchPath.PAD) + r.us(BenchPath.PADDED)) / r.us(BenchPath.PADDING_FREE)));
    c.add(new Column("pad_gb_per_s", r -> r.padBytes() / (r.us(BenchPath.PAD) * 1e3)));
    c.add(new Column("rel_error", r -> r.relError()));
    c.add(new Column("bit_identical", r -> r.bitIdentical()));
    c.add(new Column("masked_bit_identical", r -> r.maskedBitIdentical()));
    c.add(new Column("sm_clock_mhz", r -> r.smClockAfter() < 0 ? null : r.smClockAfter()));
    c.add(new Column("sm_clock_mhz_before", r -> r.smClockBefore() < 0 ? null : r.smClockBefore()));
    c.add(new Column("status", r -> r.passed() ? "ok" : "failed: " + r.failure()));
    return List.copyOf(c);
  }

  List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** Run-level facts written at the top of the JSON. */
  record Run(String casesFile, String description, String backend, String device, boolean timingsMeaningful,
      String timingNote, String date) {}

  Path[] write(Path dir, String name, Run run, List<BenchResult> results) {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
    Path csv = AtomicFiles.writeString(dir.resolve(name + ".csv"), csv(results));
    Path json = AtomicFiles.writeString(dir.resolve(name + ".json"), json(run, results));
    return new Path[] {json, csv};
  }

  String csv(List<BenchResult> results) {
    List<List<String>> rows = new ArrayList<>();
    for (BenchResult r : results) {
      List<String> cells = new ArrayList<>();
      for (Column col : columns) {
        cells.add(csvCell(col.value().apply(r)));
      }
      rows.add(cells);
    }
    return CsvText.write(columnNames(), rows, CsvText.LF);
  }

  /** A missing value (null, or a NaN from a path that did not run) is the empty field. */
  private static String csvCell(Object v) {
    if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
      return null;
    }
    return v instanceof Double d ? number(d) : v.toString();
  }

  String json(Run run, List<BenchResult> results) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"tool\": \"gemm-bench\",\n");
    sb.append("  \"cases_file\": ").append(str(run.casesFile())).append(",\n");
    sb.append("  \"description\": ").append(str(run.description())).append(",\n");
    sb.append("  \"date\": ").append(str(run.date())).append(",\n");
    sb.append("  \"backend\": ").append(str(run.backend())).append(",\n");
    sb.append("  \"device\": ").append(str(run.device())).append(",\n");
    sb.append("  \"timings_meaningful\": ").append(run.timingsMeaningful()).append(",\n");
    sb.append("  \"timings\": ").append(str(run.timingNote())).append(",\n");
    sb.append("  \"cases\": [");
    for (int i = 0; i < results.size(); i++) {
      BenchResult r = results.get(i);
      sb.append(i == 0 ? "\n" : ",\n").append("    {");
      for (int j = 0; j < columns.size(); j++) {
        Column col = columns.get(j);
        sb.append(j == 0 ? "" : ", ").append(str(col.name())).append(": ").append(jsonValue(col.value().apply(r)));
      }
      sb.append(", \"paths\": ").append(r.benchCase().paths().stream().map(p -> str(p.key())).toList());
      sb.append(", \"counts\": ").append(Arrays.toString(r.benchCase().counts())).append('}');
    }
    sb.append("\n  ]\n}\n");
    return sb.toString();
  }

  private static String jsonValue(Object v) {
    if (v == null || (v instanceof Double d && !Double.isFinite(d))) {
      return "null";
    }
    if (v instanceof Double d) {
      return number(d);
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return str(v.toString());
  }

  /** Six significant digits: more than any timing here resolves, and files a person can read. */
  private static String number(double d) {
    if (d == 0) {
      return "0";
    }
    return new java.math.BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros().toString();
  }

  static String str(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** The console table: one line per case. */
  static void table(PrintStream out, List<BenchResult> results, boolean meaningful) {
    String header = String.format(Locale.ROOT, "%-28s %6s %7s %7s %5s %5s %9s %-21s %-21s %-17s %7s %7s %6s %6s %7s %7s %5s %5s",
        "case", "groups", "rows", "padded", "N", "K", "BNxstg/cl", "padding_free us p10-p90", "padded us p10-p90",
        "pad us p10-p90", "free TF", "padd TF", "x pad", "x pad+", "pad GB/s", "rel err", "bitid", "MHz");
    out.println(header);
    for (BenchResult r : results) {
      BenchCase c = r.benchCase();
      if (!r.passed()) {
        out.printf(Locale.ROOT, "%-28s %6d %7d %7d %5d %5d FAILED: %s%n", c.name(), c.groups(), c.rows(), c.paddedRows(),
            c.n(), c.k(), r.failure());
        continue;
      }
      out.printf(Locale.ROOT, "%-28s %6d %7d %7d %5d %5d %9s %-21s %-21s %-17s %7s %7s %6s %6s %7s %7.1e %5s %5s%n",
          c.name(), c.groups(), c.rows(), c.paddedRows(), c.n(), c.k(),
          r.config() == null ? "-" : r.config().blockN() + "x" + r.config().stages() + "/" + r.config().cluster(),
          spread(r, BenchPath.PADDING_FREE), spread(r, BenchPath.PADDED), spread(r, BenchPath.PAD),
          fixed(r.tflops(BenchPath.PADDING_FREE), 1), fixed(r.tflops(BenchPath.PADDED), 1),
          fixed(r.us(BenchPath.PADDED) / r.us(BenchPath.PADDING_FREE), 3),
          fixed((r.us(BenchPath.PAD) + r.us(BenchPath.PADDED)) / r.us(BenchPath.PADDING_FREE), 3),
          fixed(r.padBytes() / (r.us(BenchPath.PAD) * 1e3), 0), r.relError(), r.bitIdentical(),
          r.smClockAfter() < 0 ? "-" : Integer.toString(r.smClockAfter()));
    }
    if (!meaningful) {
      out.println("(CPU reference backend: times are CPU wall times of the exact reference, meaningless for GPU"
          + " performance; the checks and the file format are what this run shows)");
    }
  }

  /**
   * --dry-run's table: per case the rows a padded GEMM computes (groups rounded up to 128), the fewest a
   * wgmma kernel can (rounded up to 64) and their ratio, the bound on padding-free's speedup over the
   * padded GEMM at one tensor-core rate.
   */
  static void rowsTable(PrintStream out, List<BenchCase> cases) {
    out.printf(Locale.ROOT, "%-28s %6s %5s %5s %7s %7s %7s %7s%n", "case", "groups", "N", "K", "rows", "padded",
        "wgmma", "bound");
    for (BenchCase c : cases) {
      out.printf(Locale.ROOT, "%-28s %6d %5d %5d %7d %7d %7d %7s%n", c.name(), c.groups(), c.n(), c.k(), c.rows(),
          c.paddedRows(), c.wgmmaRows(), fixed(c.speedupBoundVsPadded(), 3));
    }
    out.println("(padded: every group rounded up to 128 rows; wgmma: to 64, the fewest rows a kernel whose MMA has"
        + " M = 64 computes; bound = padded / wgmma, the most padding-free can gain over a padded GEMM that"
        + " computes every padded row at the same tensor-core rate)");
  }

  private static String spread(BenchResult r, BenchPath p) {
    TimingStats s = r.timings().get(p);
    if (s == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f %.0f-%.0f", s.medianUs(), s.p10Us(), s.p90Us());
  }

  private static String fixed(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "-";
  }
}
