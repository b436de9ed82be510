package org.padfree.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.padfree.Validate;

/**
 * Writes a report file so that readers (a browser refreshing, a CI step collecting artifacts) see
 * either the old file or the complete new one, never a prefix: the text goes to a hidden temporary
 * sibling, which is then renamed over the target (rename within a directory is atomic on POSIX).
 */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code text} as UTF-8 to {@code target}, replacing it; returns {@code target}. */
  static Path writeString(Path target, String text) {
    Validate.notNull("target", target);
    Validate.notNull("text", text);
    Path directory = target.toAbsolutePath().getParent();
    // Not Files.createTempFile: it creates the file as 0600, and the rename would keep that mode,
    // hiding reports from the other users and web servers meant to read them.
    Path temporary = directory.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try {
        Files.writeString(temporary, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    return target;
  }
}
