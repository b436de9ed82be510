package org.padfree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file so that readers (a browser refreshing a report, another executor loading a cubin, a
 * CI step collecting artifacts) see either the old file or the complete new one, never a prefix: the
 * bytes go to a hidden temporary sibling, which is then renamed over the target (a rename within a
 * directory is atomic on POSIX), also when several processes write the same target at once.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code target}, replacing it; returns {@code target}. */
  public static Path write(Path target, byte[] bytes) {
    Validate.notNull("target", target);
    Validate.notNull("bytes", bytes);
    Path directory = target.toAbsolutePath().getParent();
    // Not Files.createTempFile: it creates the file as 0600, and the rename would keep that mode,
    // hiding the file from the other users and web servers meant to read it.
    Path temporary = directory.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try {
        Files.write(temporary, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }

  /** Writes {@code text} as UTF-8 to {@code target}, replacing it; returns {@code target}. */
  public static Path writeString(Path target, String text) {
    Validate.notNull("text", text);
    return write(target, text.getBytes(StandardCharsets.UTF_8));
  }
}
