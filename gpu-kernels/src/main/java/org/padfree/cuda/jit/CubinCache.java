package org.padfree.cuda.jit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.padfree.AtomicFiles;

/**
 * Compiled cubins on disk, one file per cache key, shared by every JVM on the node. A miss compiles
 * under a per-key file lock (threads of one JVM queue on an in-memory lock first, since file locks
 * are per process), so concurrent executors compile a key once; the cubin is written to a temporary
 * name and renamed into place, so a reader never sees a partial file, even after a crash.
 * The in-memory locks are JVM-wide, keyed by the lock file's real path: the JVM holds file locks for
 * the whole process, so two caches on one folder would otherwise throw OverlappingFileLockException.
 *
 * <p>Every cubin has a SHA-256 beside it ({@code <key>.cubin.sha256}, in {@code sha256sum} format, so
 * {@code sha256sum -c} checks it by hand). A cubin whose bytes do not match (a flipped bit, a copy cut
 * short, a file emptied by a full disk, an entry from before the hash) is never handed to the driver:
 * under the key's lock it is reported once, deleted and compiled again. A mismatch seen without the
 * lock may be a writer mid-way (hash renamed in, cubin not yet), so it only sends the reader to the
 * locked path, which looks again.
 */
public final class CubinCache {
  /** A cubin and how it was obtained. */
  public record Entry(String key, byte[] cubin, boolean compiled, long compileMillis, String log) {}

  private static final Logger LOG = Logger.getLogger(CubinCache.class.getName());
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

  /** Where the SHA-256 of {@code key}'s cubin is kept. */
  public Path hashPath(String key) {
    return dir.resolve(key + ".cubin.sha256");
  }

  /** The cached cubin for {@code key}, or the result of {@code compile}, stored for next time. */
  public Entry getOrCompile(String key, Supplier<NvccCompiler.Result> compile) {
    Verified hit = read(key);
    if (hit.cubin() != null) {
      return new Entry(key, hit.cubin(), false, 0, readLog(key));
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
          hit = read(key); // another process may have compiled it while we waited
          if (hit.cubin() != null) {
            return new Entry(key, hit.cubin(), false, 0, readLog(key));
          }
          if (hit.problem() != null) {
            discard(key, hit.problem());
          }
          NvccCompiler.Result result = compile.get();
          AtomicFiles.writeString(dir.resolve(key + ".log"), result.log());
          AtomicFiles.writeString(hashPath(key), hashLine(key, result.cubin()));
          AtomicFiles.write(cubinPath(key), result.cubin()); // last: its presence means the entry is complete
          return new Entry(key, result.cubin(), true, result.millis(), result.log());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("kernel cache " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  /** A cubin whose hash matched, or null with why not ({@code problem} null: simply absent). */
  private record Verified(byte[] cubin, String problem) {}

  private Verified read(String key) {
    Path cubinFile = cubinPath(key);
    byte[] cubin = readIfPresent(cubinFile);
    if (cubin == null) {
      return new Verified(null, null);
    }
    byte[] hashFile = readIfPresent(hashPath(key));
    if (hashFile == null) {
      return new Verified(null, "it has no " + hashPath(key).getFileName() + " beside it");
    }
    String line = new String(hashFile, StandardCharsets.UTF_8).trim();
    if (!line.equals(hashLine(key, cubin).trim())) {
      return new Verified(null, "its " + cubin.length + " bytes hash to " + sha256Hex(cubin) + " but "
          + hashPath(key).getFileName() + " says '" + abbreviate(line) + "'");
    }
    return new Verified(cubin, null);
  }

  /** Reports a bad entry and deletes its files (only plain files of this cache, never through a link). */
  private void discard(String key, String problem) throws IOException {
    Path cubin = cubinPath(key);
    LOG.warning(() -> "kernel cache: not loading " + cubin + ": " + problem + "; deleting it and compiling again");
    for (Path own : new Path[] {cubin, hashPath(key)}) {
      if (Files.isRegularFile(own, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(own);
      }
    }
  }

  /** The hash file's text: the sha256sum line of the cubin. */
  static String hashLine(String key, byte[] cubin) {
    return sha256Hex(cubin) + "  " + key + ".cubin\n";
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s.replaceAll("\\s+", " ");
    return oneLine.length() <= 100 ? oneLine : oneLine.substring(0, 100) + "...";
  }

  private String readLog(String key) {
    byte[] log = readIfPresent(dir.resolve(key + ".log"));
    return log == null ? "" : new String(log, StandardCharsets.UTF_8);
  }

  private static byte[] readIfPresent(Path file) {
    try {
      return Files.exists(file) ? Files.readAllBytes(file) : null;
    } catch (java.nio.file.NoSuchFileException e) {
      return null; // deleted between the check and the read (a bad entry being replaced)
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
