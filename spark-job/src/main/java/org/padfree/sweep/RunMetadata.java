package org.padfree.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Facts about a sweep run that go on every history row: when, which code, which GPU driver and
 * software. Detected on the driver; each probe is best effort with a short timeout and says
 * "unknown" (or "none") rather than failing a nightly run over a missing git or nvidia-smi.
 *
 * @param date the history partition, the UTC date the run started
 * @param sparkEventLogDir the application's event-log directory, empty when event logging is off
 */
public record RunMetadata(String runId, String sweep, Instant startedAt, LocalDate date, String gitRevision,
    String gpuDriver, String software, String sparkMaster, String sparkApplicationId, String sparkEventLogDir) {

  /**
   * @param gitRevision given on the command line (scripts/sweep.sh passes the checkout's), or null to ask git
   */
  public static RunMetadata detect(String runId, String sweep, Instant startedAt, String gitRevision,
      org.padfree.spark.SparkApplication app, String sparkVersion) {
    String revision = gitRevision != null ? gitRevision
        : probe(List.of("git", "describe", "--always", "--dirty", "--abbrev=12"), "unknown");
    String driver = probe(List.of("nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"), "none");
    String software = "padfree " + version() + ", JDK " + Runtime.version() + ", Spark " + sparkVersion;
    return new RunMetadata(runId, sweep, startedAt, startedAt.atOffset(ZoneOffset.UTC).toLocalDate(), revision,
        driver.lines().findFirst().orElse("none").trim(), software, app.master(), app.applicationId(),
        app.eventLogDir() == null ? "" : app.eventLogDir());
  }

  private static String version() {
    String v = RunMetadata.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** The first line of a command's output, or {@code fallback} when it is absent, fails or hangs. */
  static String probe(List<String> command, String fallback) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.DISCARD).directory(Path.of("").toAbsolutePath().toFile()).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return fallback;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0 && !out.isEmpty() ? out.lines().findFirst().orElse(fallback) : fallback;
    } catch (IOException e) {
      return fallback;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fallback;
    }
  }
}
