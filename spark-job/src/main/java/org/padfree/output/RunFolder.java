package org.padfree.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.commons.io.file.PathUtils;
import org.padfree.InvalidInputException;
import org.padfree.Validate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's output folder {@code OUT/RUN_ID}, owned from before the work starts until it is published.
 *
 * <p>{@link #claim} checks everything that could otherwise fail after an hour of evaluation: the run
 * id names a folder strictly inside OUT, OUT can be created and written, no other run is writing the
 * same id (an exclusive lock on {@code OUT/.padfree-locks/RUN_ID.lock}, which the operating system
 * releases when a process dies, even by SIGKILL; lock files stay, since deleting one would let a run
 * that opened it a moment earlier lock a file nobody else sees), and an existing folder is replaced only with {@code --overwrite}
 * and only if padfree made it. {@link #publish} writes into a hidden staging folder and renames it
 * into place, so a folder under the run's name is always complete.
 *
 * <p>Ownership is proven, not assumed from a name: every folder padfree makes holds a {@value #MARKER}
 * file from its first moment. Nothing without that marker is ever deleted or replaced; leftovers of a
 * killed run ({@code .ID.tmp-*}, {@code .ID.old-*}, both marked) are removed by the next claim in the
 * same OUT once their run's lock is free.
 */
public final class RunFolder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunFolder.class);

  /** The file that marks a folder as made by padfree. */
  public static final String MARKER = ".padfree-run";

  /** The folder of OUT holding one lock file per run id. */
  public static final String LOCKS = ".padfree-locks";

  private static final String TMP = ".tmp-";
  private static final String OLD = ".old-";

  private final Path parent;
  private final Path target;
  private final String runId;
  private final String runIdOption;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private volatile Path staging;
  /** Removes an unpublished staging folder when the JVM is stopped (SIGTERM, Ctrl-C, System.exit). */
  private final Thread cleanupOnExit;

  private RunFolder(Path parent, String runId, String runIdOption, FileChannel lockChannel, FileLock lock) {
    this.parent = parent;
    this.target = parent.resolve(runId);
    this.runId = runId;
    this.runIdOption = runIdOption;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.cleanupOnExit = new Thread(this::removeStaging, "padfree-run-folder-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
  }

  /**
   * Takes {@code out/runId} for this run. Bad values are {@link InvalidInputException}s naming the
   * option as the user typed it ({@code outOption}, {@code runIdOption}).
   *
   * @param overwrite whether an existing run folder of this id may be replaced (it must be padfree's)
   */
  public static RunFolder claim(String outOption, String out, String runIdOption, String runId, boolean overwrite) {
    Validate.folderName(runIdOption, runId);
    Path parent = LocalPaths.of(outOption, out).toAbsolutePath().normalize();
    Path target = parent.resolve(runId).normalize();
    Validate.require(parent.equals(target.getParent()), runIdOption, runId, "must name a folder inside " + parent);
    requireWritableFolder(outOption, out, parent);

    Path lockFile = lockFile(parent, runId);
    FileChannel channel;
    try {
      Files.createDirectories(lockFile.getParent());
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new InvalidInputException(outOption, out, "is not writable: cannot create " + lockFile + " (" + e + ")");
    }
    FileLock lock = tryLock(channel);
    if (lock == null) {
      closeQuietly(channel);
      throw new InvalidInputException(runIdOption, runId, "another run is writing " + parent.resolve(runId)
          + " now (it holds " + lockFile + "); wait for it to finish or choose another " + runIdOption);
    }
    RunFolder folder = new RunFolder(parent, runId, runIdOption, channel, lock);
    try {
      folder.removeLeftovers();
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        Validate.require(overwrite, runIdOption, runId,
            target + " already exists; pass --overwrite to replace it or choose another " + runIdOption);
        requireOwned(runIdOption, runId, target);
      }
      return folder;
    } catch (RuntimeException e) {
      folder.close();
      throw e;
    }
  }

  /** The folder the run will have once published. */
  public Path target() {
    return target;
  }

  /**
   * Writes the run's files with {@code writeFiles} into a hidden staging folder, then moves any
   * earlier folder of this id away and the staging folder into place; returns the target. On any
   * failure (a full disk, say) the staging folder is removed and an earlier folder stays as it was.
   */
  public Path publish(Consumer<Path> writeFiles) {
    Path dir = parent.resolve("." + runId + TMP + UUID.randomUUID());
    Path old = parent.resolve("." + runId + OLD + UUID.randomUUID());
    try {
      makeMarked(dir);
      staging = dir;
      writeFiles.accept(dir);
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        requireOwned(runIdOption, runId, target); // checked at the claim; checked again before moving it
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
      staging = null;
      deleteOwnedTree(old);
      return target;
    } catch (IOException | UncheckedIOException e) {
      deleteQuietly(dir);
      staging = null;
      IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new UncheckedIOException("cannot write the run folder " + target + " (" + describe(cause)
          + "); nothing was published and earlier runs in " + parent + " are untouched", cause);
    } catch (RuntimeException e) {
      deleteQuietly(dir);
      staging = null;
      throw e;
    }
  }

  /** Removes an unpublished staging folder (a run interrupted by SIGTERM, say) and releases the lock. */
  @Override
  public void close() {
    removeStaging();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs (or ran) anyway
    }
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      LOG.debug("releasing {}: {}", lock, e.toString());
    }
    closeQuietly(lockChannel);
  }

  private void removeStaging() {
    Path dir = staging;
    staging = null;
    if (dir != null) {
      deleteQuietly(dir);
    }
  }

  /**
   * Staging and replaced folders left by killed runs in this OUT: removed when their run's lock is
   * free (so never under a live run) and they carry the marker (so never anything padfree did not make).
   */
  private void removeLeftovers() {
    List<Path> candidates = new ArrayList<>();
    try (var entries = Files.list(parent)) {
      entries.filter(p -> isLeftoverName(p.getFileName().toString())).forEach(candidates::add);
    } catch (IOException e) {
      LOG.debug("cannot list {}: {}", parent, e.toString());
      return;
    }
    for (Path p : candidates) {
      String name = p.getFileName().toString();
      String id = name.substring(1, Math.max(name.lastIndexOf(TMP), name.lastIndexOf(OLD)));
      if (!Files.isRegularFile(p.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (id.equals(runId)) {
        deleteQuietly(p);
        LOG.info("removed {}, left by an earlier run of {} that did not finish", p, id);
        continue;
      }
      try (FileChannel c = FileChannel.open(lockFile(parent, id), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE)) {
        FileLock other = tryLock(c);
        if (other != null) {
          try {
            deleteQuietly(p);
            LOG.info("removed {}, left by a run of {} that did not finish", p, id);
          } finally {
            other.release();
          }
        }
      } catch (IOException e) {
        LOG.debug("cannot check the lock of {}: {}", p, e.toString());
      }
    }
  }

  /** Where the lock of a run id lives: one hidden folder of lock files per OUT. */
  private static Path lockFile(Path parent, String runId) {
    return parent.resolve(LOCKS).resolve(runId + ".lock");
  }

  private static boolean isLeftoverName(String name) {
    if (!name.startsWith(".")) {
      return false;
    }
    int at = Math.max(name.lastIndexOf(TMP), name.lastIndexOf(OLD));
    return at > 1 && Validate.isFolderName(name.substring(1, at));
  }

  private static FileLock tryLock(FileChannel channel) {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this JVM (another run in the same driver)
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + channel, e);
    }
  }

  private static void requireWritableFolder(String outOption, String out, Path parent) {
    try {
      Files.createDirectories(parent);
    } catch (FileAlreadyExistsException e) {
      throw new InvalidInputException(outOption, out, "is a file, not a folder");
    } catch (IOException e) {
      throw new InvalidInputException(outOption, out, "cannot be created (" + describe(e) + ")");
    }
    Validate.require(Files.isDirectory(parent), outOption, out, "is not a folder");
    Validate.require(Files.isWritable(parent), outOption, out, "is not writable by this user");
  }

  private static void requireOwned(String runIdOption, String runId, Path dir) {
    Validate.require(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
            && Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS), runIdOption, runId,
        dir + " was not made by a padfree run (it has no " + MARKER + " file); padfree replaces only its own"
            + " run folders: move it away yourself or choose another " + runIdOption);
  }

  /** A new folder readable by all (reports are for everyone), marked as padfree's before anything else. */
  private void makeMarked(Path dir) throws IOException {
    Files.createDirectory(dir);
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.writeString(dir.resolve(MARKER), "padfree run folder\nrun_id=" + runId + "\ncreated=" + Instant.now() + "\n");
  }

  /** Deletes a tree padfree made (it holds the marker); anything else is left alone. */
  private static void deleteOwnedTree(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
      PathUtils.delete(dir); // links inside are removed, never followed
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteOwnedTree(dir);
      Files.deleteIfExists(dir); // a staging folder whose marker could not even be written
    } catch (IOException e) {
      LOG.warn("could not remove {}: {}", dir, e.toString());
    }
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing was written through it
    }
  }

  /** An IOException as a user should read it: a full disk says so. */
  static String describe(IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("No space left on device") || e instanceof java.nio.file.FileSystemException f
        && String.valueOf(f.getReason()).contains("No space left")) {
      return "the disk is full: " + m;
    }
    return e.getClass().getSimpleName() + ": " + m;
  }
}
