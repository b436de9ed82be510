package org.padfree.scripts

import java.nio.file.{Files, Path}
import java.nio.file.attribute.PosixFilePermissions
import scala.jdk.CollectionConverters._

/** What a finished command left: its exit status, stdout and stderr. */
final case class Ran(status: Int, out: String, err: String) {
  override def toString: String = s"exit $status\n--- stdout\n$out--- stderr\n$err"
}

/** Runs commands for the script tests, with an environment that git and the user's shell cannot colour. */
object Shell {
  /**
   * Git reads no global or system configuration in the tests (no user-wide excludes file, no aliases),
   * so a test sees what a fresh clone on a bare machine would; GIT_DIR and friends from a calling git
   * hook would point the scripts at another repository.
   */
  val gitIsolation: Map[String, String] = Map("GIT_CONFIG_GLOBAL" -> "/dev/null", "GIT_CONFIG_NOSYSTEM" -> "1")
  private val gitPointers = Seq("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")

  /** Runs command in dir; env adds or replaces variables, unset removes them. Output goes through files,
   *  so a chatty command cannot block on a full pipe. */
  def run(command: Seq[String], dir: Path, env: Map[String, String] = Map.empty,
      unset: Seq[String] = Seq.empty): Ran = {
    val pb = new ProcessBuilder(command.asJava).directory(dir.toFile)
    (gitPointers ++ unset).foreach(pb.environment().remove)
    (gitIsolation ++ env).foreach { case (k, v) => pb.environment().put(k, v) }
    val out = Files.createTempFile("shell-out", ".txt")
    val err = Files.createTempFile("shell-err", ".txt")
    try {
      pb.redirectOutput(out.toFile).redirectError(err.toFile).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
      val status = pb.start().waitFor()
      Ran(status, Files.readString(out), Files.readString(err))
    } finally {
      Files.deleteIfExists(out)
      Files.deleteIfExists(err)
    }
  }

  /** Runs command in dir and returns its stdout, failing with everything it printed when it fails. */
  def check(command: Seq[String], dir: Path): String = {
    val ran = run(command, dir)
    if (ran.status != 0) throw new IllegalStateException(s"${command.mkString(" ")} in $dir failed: $ran")
    ran.out
  }

  /** Writes an executable bash script with this body. */
  def writeExecutable(file: Path, body: String): Path = {
    Files.createDirectories(file.getParent)
    Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n")
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"))
    file
  }
}
