package org.padfree.output

import java.io.{IOException, UncheckedIOException}
import java.nio.file.{Files, Path}
import scala.jdk.CollectionConverters._
import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

/**
 * Run folders: a run id cannot leave OUT, only padfree's own folders are replaced, a run id is taken
 * by one run at a time, leftovers of killed runs are cleaned without touching anything else, and a
 * failed write (a full disk) publishes nothing and leaves earlier runs as they were.
 */
class RunFolderSuite extends AnyFunSuite {
  private def temp(prefix: String): Path = Files.createTempDirectory(prefix)

  /** The entries of {@code dir}; the listing is closed (an open one keeps a tmpfs from being unmounted). */
  private def names(dir: Path): Set[String] = {
    val listing = Files.list(dir)
    try listing.iterator().asScala.map(_.getFileName.toString).toSet finally listing.close()
  }

  private def rejected(body: => Any): InvalidInputException = intercept[InvalidInputException](body)

  /** Publishes a folder holding one file with this text. */
  private def publish(out: Path, id: String, text: String, overwrite: Boolean = false): Path = {
    val folder = RunFolder.claim("--out", out.toString, "--run-id", id, overwrite)
    try folder.publish(dir => Files.writeString(dir.resolve("report.md"), text))
    finally folder.close()
  }

  test("run ids that name OUT itself, its parent or a hidden folder are refused, and nothing is touched") {
    val top = temp("dots")
    val out = Files.createDirectories(top.resolve("reports"))
    Files.writeString(top.resolve("sibling.txt"), "not padfree's")
    Files.writeString(out.resolve("keep.txt"), "an earlier report")
    for (id <- Seq(".", "..", ".hidden", "a/b", "../x", "")) {
      val e = rejected(RunFolder.claim("--out", out.toString, "--run-id", id, true))
      assert(e.getMessage.contains("--run-id"), e.getMessage)
    }
    assert(names(top) == Set("reports", "sibling.txt") && names(out) == Set("keep.txt"))
  }

  test("--overwrite replaces a folder padfree made, and refuses one it did not make") {
    val out = temp("owned")
    val first = publish(out, "r1", "first")
    assert(Files.isRegularFile(first.resolve(RunFolder.MARKER)), "every run folder carries the marker")
    val e = rejected(publish(out, "r1", "second"))
    assert(e.getMessage.contains("already exists") && e.getMessage.contains("--overwrite"), e.getMessage)
    publish(out, "r1", "second", overwrite = true)
    assert(Files.readString(out.resolve("r1/report.md")) == "second")

    val foreign = Files.createDirectories(out.resolve("photos"))
    Files.writeString(foreign.resolve("cat.jpg"), "meow")
    val e2 = rejected(publish(out, "photos", "report", overwrite = true))
    assert(e2.getMessage.contains("was not made by a padfree run"), e2.getMessage)
    assert(Files.readString(foreign.resolve("cat.jpg")) == "meow" && names(foreign) == Set("cat.jpg"))
  }

  test("a run id is taken by one run at a time: the second claim fails at once, naming the option") {
    val out = temp("lock")
    val first = RunFolder.claim("--out", out.toString, "--run-id", "same", false)
    try {
      val e = rejected(RunFolder.claim("--out", out.toString, "--run-id", "same", true))
      assert(e.getMessage.contains("--run-id = same") && e.getMessage.contains("another run is writing"), e.getMessage)
      val other = RunFolder.claim("--out", out.toString, "--run-id", "different", false)
      other.close()
    } finally first.close()
    RunFolder.claim("--out", out.toString, "--run-id", "same", false).close() // free again once closed
  }

  test("an OUT that cannot be a folder or written is refused before any work, naming --out") {
    val top = temp("unwritable")
    val file = Files.writeString(top.resolve("a-file"), "x")
    assert(rejected(RunFolder.claim("--out", file.toString, "--run-id", "r", false)).getMessage
      .contains(s"--out = $file"))
    val under = file.resolve("sub")
    assert(rejected(RunFolder.claim("--out", under.toString, "--run-id", "r", false)).getMessage.contains("--out"))
    if (System.getProperty("user.name") != "root") { // root writes anywhere; the cases above hold for everyone
      val locked = Files.createDirectories(top.resolve("locked"))
      locked.toFile.setWritable(false, false)
      try assert(rejected(RunFolder.claim("--out", locked.toString, "--run-id", "r", false)).getMessage.contains("not writable"))
      finally locked.toFile.setWritable(true, false)
    }
  }

  test("URIs other than file: are refused naming the option; no folder named after the scheme appears") {
    val cwd = java.nio.file.Paths.get("").toAbsolutePath
    for (uri <- Seq("hdfs:///tmp/x", "s3a://bucket/reports", "abfs://c@a.dfs.core.windows.net/r")) {
      val e = rejected(LocalPaths.of("--out", uri))
      assert(e.getMessage.contains(s"--out = $uri") && e.getMessage.contains("URI"), e.getMessage)
      assert(rejected(RunFolder.claim("--history", uri, "--run-id", "r", false)).getMessage.contains("--history"))
    }
    assert(!Files.exists(cwd.resolve("hdfs:")) && !Files.exists(cwd.resolve("s3a:")))
    val out = temp("file-uri")
    assert(LocalPaths.of("--out", out.toUri.toString) == out)
    assert(rejected(LocalPaths.of("--out", "file://otherhost/x")).getMessage.contains("local"))
  }

  test("a killed run's leftovers are removed by the next claim; anything without the marker stays") {
    val out = temp("leftovers")
    def leftover(name: String, marked: Boolean): Path = {
      val dir = Files.createDirectories(out.resolve(name))
      Files.writeString(dir.resolve("results.parquet"), "half")
      if (marked) Files.writeString(dir.resolve(RunFolder.MARKER), "padfree run folder\n")
      dir
    }
    leftover(".old-run.tmp-1234", marked = true)
    leftover(".old-run.old-5678", marked = true)
    leftover(".mine.tmp-9999", marked = false) // looks like ours but is not marked: not ours to delete
    leftover(".next.tmp-1111", marked = true)
    val live = RunFolder.claim("--out", out.toString, "--run-id", "busy", false)
    try {
      leftover(".busy.tmp-2222", marked = true) // the staging folder of a live run
      RunFolder.claim("--out", out.toString, "--run-id", "next", false).close()
      val left = names(out).filterNot(_ == RunFolder.LOCKS)
      assert(left == Set(".mine.tmp-9999", ".busy.tmp-2222"), left)
    } finally live.close()
  }

  test("a full disk while writing: a clear message, nothing published, the earlier run untouched") {
    val out = temp("full")
    publish(out, "r", "the earlier run")
    val folder = RunFolder.claim("--out", out.toString, "--run-id", "r", true)
    val e = try intercept[UncheckedIOException](folder.publish { dir =>
      Files.writeString(dir.resolve("results.parquet"), "rows")
      throw new UncheckedIOException(new IOException("No space left on device"))
    }) finally folder.close()
    assert(e.getMessage.contains("the disk is full") && e.getMessage.contains("untouched"), e.getMessage)
    assert(Files.readString(out.resolve("r/report.md")) == "the earlier run")
    assert(names(out).filterNot(_ == RunFolder.LOCKS) == Set("r"), "no staging folder left")
  }

  test("a really full disk (a 256 KiB tmpfs): the same outcome; canceled where mounting is not permitted") {
    val mount = temp("tmpfs")
    val mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString)
      .redirectErrorStream(true).start()
    val why = new String(mounted.getInputStream.readAllBytes())
    if (mounted.waitFor() != 0) cancel(s"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): ${why.trim}")
    try {
      publish(mount, "r", "the earlier run")
      val folder = RunFolder.claim("--out", mount.toString, "--run-id", "r", true)
      val e = try intercept[UncheckedIOException](folder.publish { dir =>
        Files.write(dir.resolve("results.parquet"), new Array[Byte](1 << 20)) // 1 MiB into 256 KiB
      }) finally folder.close()
      assert(e.getMessage.contains("the disk is full"), e.getMessage)
      assert(Files.readString(mount.resolve("r/report.md")) == "the earlier run")
      assert(names(mount).filterNot(_ == RunFolder.LOCKS) == Set("r"))
    } finally {
      val umount = new ProcessBuilder("umount", mount.toString).redirectErrorStream(true).start()
      val said = new String(umount.getInputStream.readAllBytes())
      assert(umount.waitFor() == 0, s"the test's tmpfs at $mount must unmount (nothing of the suite may hold it open): $said")
    }
  }
}
