package org.padfree.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Publishes a report folder whole: files are written into a hidden sibling, which is renamed into
 * place (an earlier folder of the same name, from a re-run, is renamed away first and deleted). A
 * browser or CI step never sees a folder with some files missing.
 */
public final class ReportFolder {
  private ReportFolder() {}

  public static Path publish(Path dir, Consumer<Path> writeFiles) {
    Path target = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(target.getParent());
      Path staging = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
      Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
      Files.createDirectory(staging);
      if (staging.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // a report folder is for everyone to read, like the evaluation job's
        Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      try {
        writeFiles.accept(staging);
        if (Files.exists(target)) {
          Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        HistoryTable.deleteTree(staging);
        HistoryTable.deleteTree(old);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report folder " + target, e);
    }
  }
}
