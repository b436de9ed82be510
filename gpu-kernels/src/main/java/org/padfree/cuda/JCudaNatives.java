package org.padfree.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads JCuda's driver library without its race. JCuda copies the library from its jar to
 * {@code ${java.io.tmpdir}/libJCudaDriver-...so}, a name shared by every JVM on the host, written
 * non-atomically when absent: two executors starting together can load a half-written file. Here the
 * library is extracted once into a folder named after its content hash, by temp file plus atomic
 * rename, and JCuda is pointed at that folder while its class initialises; it then finds the complete
 * file and only loads it.
 */
final class JCudaNatives {
  private JCudaNatives() {}

  static final String LIBRARY = "libJCudaDriver-12.6.0-linux-x86_64.so";
  private static boolean loaded;

  /** Idempotent; throws UnsatisfiedLinkError when the driver (libcuda.so.1) is missing. */
  static synchronized void load(Path cacheRoot) {
    if (loaded) {
      return;
    }
    Path dir = extract(cacheRoot);
    String previous = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", dir.toString());
    try {
      jcuda.driver.JCudaDriver.setExceptionsEnabled(false); // first touch: JCuda loads its library now
    } finally {
      System.setProperty("java.io.tmpdir", previous);
    }
    loaded = true;
  }

  /** The folder holding the complete library file, extracting it first if needed. */
  static Path extract(Path cacheRoot) {
    byte[] bytes;
    try (InputStream in = JCudaNatives.class.getResourceAsStream("/lib/" + LIBRARY)) {
      if (in == null) {
        throw new UnsatisfiedLinkError("JCuda's native library /lib/" + LIBRARY
            + " is not on the classpath (org.jcuda:jcuda-natives:linux-x86_64); only Linux x86_64 is supported");
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + LIBRARY + " from the classpath", e);
    }
    Path dir = cacheRoot.resolve("jcuda-" + sha256(bytes).substring(0, 16));
    Path target = dir.resolve(LIBRARY);
    try {
      if (!Files.exists(target) || Files.size(target) != bytes.length) {
        Files.createDirectories(dir);
        org.padfree.AtomicFiles.write(target, bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + LIBRARY + " to " + dir, e);
    }
    return dir;
  }

  static Path defaultCacheRoot() {
    return Paths.get(System.getProperty("java.io.tmpdir"), "padfree-" + System.getProperty("user.name", "user"));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
