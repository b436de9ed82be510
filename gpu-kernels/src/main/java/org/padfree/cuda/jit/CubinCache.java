package org.padfree.cuda.jit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import org.padfree.AtomicFiles;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Compiled cubins on disk, one file per cache key, shared by every JVM on the node. A miss compiles
 * under a per-key file lock (threads of one JVM queue on an in-memory lock first, since file locks
 * are per process), so concurrent executors compile a key once; the cubin is written to a temporary
 * name and renamed into place, so a reader never sees a partial file, even after a crash.
 * The in-memory locks are JVM-wide, keyed by the lock file's real path: the JVM holds file locks for
 * the whole process, so two caches on one folder would otherwise throw OverlappingFileLockException.
 */
public final class CubinCache {
  /** A cubin and how it was obtained. */
  public record Entry(String key, byte[] cubin, boolean compiled, long compileMillis, String log) {}

  private static final Map<Path, Object> LOCKS_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path dir;

  public CubinCache(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path cubinPath(String key) {
    return dir.resolve(key + ".cubin");
  }

  /** The cached cubin for {@code key}, or the result of {@code compile}, stored for next time. */
  public Entry getOrCompile(String key, Supplier<NvccCompiler.Result> compile) {
    Path cubin = cubinPath(key);
    byte[] hit = readIfPresent(cubin);
    if (hit != null) {
      return new Entry(key, hit, false, 0, readLog(key));
    }
    Path lockFile;
    try {
      lockFile = Files.createDirectories(dir).toRealPath().resolve(key + ".lock");
    } catch (IOException e) {
      throw new UncheckedIOException("kernel cache " + dir + ": " + e.getMessage(), e);
    }
    synchronized (LOCKS_IN_THIS_JVM.computeIfAbsent(lockFile, k -> new Object())) {
      try {
        try (FileChannel channel = FileChannel.open(lockFile,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          hit = readIfPresent(cubin); // another process may have compiled it while we waited
          if (hit != null) {
            return new Entry(key, hit, false, 0, readLog(key));
          }
          NvccCompiler.Result result = compile.get();
          AtomicFiles.writeString(dir.resolve(key + ".log"), result.log());
          AtomicFiles.write(cubin, result.cubin()); // last: its presence means the entry is complete
          return new Entry(key, result.cubin(), true, result.millis(), result.log());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("kernel cache " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  private String readLog(String key) {
    byte[] log = readIfPresent(dir.resolve(key + ".log"));
    return log == null ? "" : new String(log, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static byte[] readIfPresent(Path file) {
    try {
      return Files.exists(file) ? Files.readAllBytes(file) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
