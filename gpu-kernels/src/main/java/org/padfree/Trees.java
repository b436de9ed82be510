package org.padfree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Deleting a folder tree: children before parents, symbolic links removed but never followed, and a
 * path another process removed meanwhile is no error. Callers decide what they may delete (run folders
 * prove it with their marker, the kernel cache with its own names).
 */
public final class Trees {
  private Trees() {}

  /** Deletes {@code top} and everything under it; nothing when it does not exist. */
  public static void delete(Path top) throws IOException {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(top)) { // walk does not follow links by default
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
