package org.padfree.scripts

import java.nio.file.{Files, LinkOption, Path, Paths, StandardCopyOption}
import org.apache.commons.io.file.PathUtils

/**
 * A copy of this working tree as a fresh git repository, for running the scripts where they can neither
 * harm the real tree nor lean on its local settings: every tracked file and every untracked file git
 * does not ignore, as it is on disk now (so uncommitted edits are what gets tested), committed once,
 * with an empty .git/info/exclude. Git runs without global or system configuration (Shell.gitIsolation).
 * Whatever a script writes into the copy, ignored files included, shows up in changes.
 */
final class RepositoryCopy private (val root: Path) {
  def git(args: String*): String = Shell.check(Seq("git") ++ args, root)

  /** Files added, changed, deleted or left behind since the copy was committed; ignored ones too. */
  def changes: String = git("status", "--porcelain", "--ignored", "--untracked-files=all")

  /** Puts the copy back as committed, so what one script wrote cannot fail the tests after it. */
  def restore(): Unit = {
    git("reset", "-q", "--hard")
    git("clean", "-q", "-f", "-d", "-x")
  }

  /** Removes the copy (a few MB each; the tests make several per run). */
  def delete(): Unit = PathUtils.delete(root)

  def commitAll(message: String): Unit = {
    git("add", "-A")
    git("-c", "user.name=padfree tests", "-c", "user.email=tests@padfree.invalid", "-c", "commit.gpgsign=false",
      "commit", "-q", "--allow-empty", "-m", message)
  }
}

object RepositoryCopy {
  /** The repository the tests run in: Maven runs them from spark-job/. */
  val source: Path = Paths.get("..").toAbsolutePath.normalize

  /** Copies the working tree, lets prepare change the copy (e.g. replace mvnw), then commits the lot. */
  def create(prepare: Path => Unit = _ => ()): RepositoryCopy = {
    val listed = Shell.run(Seq("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"), source)
    if (listed.status != 0) throw new IllegalStateException(s"$source is not a git working tree: $listed")
    val root = Files.createTempDirectory("padfree-repo-copy")
    for (name <- listed.out.split('\u0000') if name.nonEmpty) {
      val from = source.resolve(name)
      // A tracked file deleted in the working tree is not part of what is being tested.
      if (Files.exists(from, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(from)) {
        val to = root.resolve(name)
        Files.createDirectories(to.getParent)
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS)
      }
    }
    Shell.check(Seq("git", "init", "-q"), root)
    Files.createDirectories(root.resolve(".git/info"))
    Files.writeString(root.resolve(".git/info/exclude"), "")
    prepare(root)
    val copy = new RepositoryCopy(root)
    copy.commitAll("working tree under test")
    copy
  }
}
