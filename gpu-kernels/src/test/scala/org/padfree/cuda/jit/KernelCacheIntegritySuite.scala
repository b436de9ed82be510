package org.padfree.cuda.jit

import java.nio.file.{Files, Path}
import java.util.UUID
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.logging.{Handler, Level, LogRecord, Logger}
import scala.jdk.CollectionConverters._
import org.padfree.cuda.CudaSettings
import org.padfree.cuda.kernels.Sm90TmaTileCopy
import org.scalatest.funsuite.AnyFunSuite

/**
 * A damaged disk cache: each way a cubin can go bad on disk is detected by its SHA-256, reported once,
 * never handed out, and replaced by a fresh compile; and a missing nvcc names the setting and the path.
 * Uses the fake nvcc (no toolkit needed).
 */
class KernelCacheIntegritySuite extends AnyFunSuite with TempFolders {
  private val tile = new Sm90TmaTileCopy(64, 32).spec()

  private def fixture(name: String): (Path, FakeNvcc) = {
    val root = newTempDir(name)
    (root.resolve("cache"), FakeNvcc.create(root, s"fake nvcc for $name ${UUID.randomUUID()}"))
  }

  /** Runs `body` collecting the cache's log records at WARNING and above. */
  private def warningsDuring[T](body: => T): (T, Seq[String]) = {
    val records = new ConcurrentLinkedQueue[String]()
    val handler = new Handler {
      override def publish(r: LogRecord): Unit = if (r.getLevel.intValue >= Level.WARNING.intValue) records.add(r.getMessage)
      override def flush(): Unit = ()
      override def close(): Unit = ()
    }
    val logger = Logger.getLogger(classOf[CubinCache].getName)
    logger.addHandler(handler)
    try (body, records.asScala.toSeq) finally logger.removeHandler(handler)
  }

  private def isValid(cache: CubinCache, key: String): Boolean = {
    val cubin = Files.readAllBytes(cache.cubinPath(key))
    Files.readString(cache.hashPath(key)) == CubinCache.hashLine(key, cubin)
  }

  /** Ways to damage an entry; each gets the cubin path and the hash path. */
  private val damages: Seq[(String, (Path, Path) => Unit)] = Seq(
    "one byte flipped" -> { (cubin, _) =>
      val bytes = Files.readAllBytes(cubin); bytes(bytes.length / 3) = (bytes(bytes.length / 3) ^ 0x10).toByte
      Files.write(cubin, bytes) },
    "truncated to half" -> { (cubin, _) =>
      val bytes = Files.readAllBytes(cubin); Files.write(cubin, bytes.take(bytes.length / 2)) },
    "zero-length cubin" -> { (cubin, _) => Files.write(cubin, Array.emptyByteArray) },
    "hash file missing (an entry from before hashes)" -> { (_, hash) => Files.delete(hash) },
    "hash file garbage" -> { (_, hash) => Files.writeString(hash, "not a hash\n") },
    "hash file of another cubin" -> { (_, hash) =>
      Files.writeString(hash, CubinCache.hashLine("other", "other bytes".getBytes)) })

  test("a fresh entry has a sha256sum-format hash of its cubin beside it") {
    val (dir, fake) = fixture("hash-format")
    val entry = fake.jit(dir).compile(tile)
    val cache = new CubinCache(dir)
    val line = Files.readString(cache.hashPath(entry.key()))
    assert(line.matches(s"[0-9a-f]{64}  ${entry.key()}\\.cubin\n"), s"hash file: '$line'")
    assert(isValid(cache, entry.key()))
    assert(TempFolders.hiddenUnder(dir).isEmpty, s"temporary files: ${TempFolders.hiddenUnder(dir)}")
  }

  for ((damage, apply) <- damages) {
    test(s"$damage: detected, reported once, not loaded, deleted and recompiled into a good entry") {
      val (dir, fake) = fixture(damage.replaceAll("\\W+", "-"))
      val good = fake.jit(dir).compile(tile)
      val cache = new CubinCache(dir)
      val key = good.key()
      apply(cache.cubinPath(key), cache.hashPath(key))
      val damagedBytes = Files.readAllBytes(cache.cubinPath(key))

      val (again, warnings) = warningsDuring(fake.jit(dir).compile(tile))
      assert(again.compiled(), s"$damage: the damaged entry was used instead of compiling")
      assert(fake.compiles == 2, s"$damage: ${fake.compiles} compiles")
      // the fake writes its compile's number into the cubin, so the old bytes differ from the new
      assert(!java.util.Arrays.equals(again.cubin(), damagedBytes), s"$damage: the old bytes were handed out")
      assert(warnings.size == 1, s"$damage: expected one warning, got ${warnings.mkString(" | ")}")
      assert(warnings.head.contains(cache.cubinPath(key).toString) && warnings.head.contains("compiling again"),
        s"$damage: the warning names neither the file nor what happens: ${warnings.head}")
      assert(isValid(cache, key), s"$damage: the rewritten entry does not verify")
      assert(Files.readAllBytes(cache.cubinPath(key)).sameElements(again.cubin()), s"$damage: disk and entry differ")

      val (third, quiet) = warningsDuring(fake.jit(dir).compile(tile))
      assert(!third.compiled() && fake.compiles == 2, s"$damage: the rewritten entry was not a disk hit")
      assert(quiet.isEmpty, s"$damage: warned again on a good entry: $quiet")
      assert(TempFolders.hiddenUnder(dir).isEmpty, s"$damage: temporary files: ${TempFolders.hiddenUnder(dir)}")
    }
  }

  test("a damaged cubin that is a symbolic link: the link's target is left alone, the entry is replaced") {
    val (dir, fake) = fixture("symlink")
    val key = fake.jit(dir).compile(tile).key()
    val cache = new CubinCache(dir)
    val outside = newTempDir("symlink-target").resolve("not-the-cache's.cubin")
    Files.writeString(outside, "someone else's file")
    Files.delete(cache.cubinPath(key))
    Files.createSymbolicLink(cache.cubinPath(key), outside)
    val (entry, warnings) = warningsDuring(fake.jit(dir).compile(tile))
    assert(entry.compiled() && warnings.size == 1, s"compiled=${entry.compiled()} warnings=$warnings")
    assert(Files.readString(outside) == "someone else's file", "the link's target was changed")
    assert(!Files.isSymbolicLink(cache.cubinPath(key)) && isValid(cache, key), "the entry was not replaced by a good one")
  }

  test("a missing nvcc names padfree.cuda.nvcc and the path tried") {
    val (dir, _) = fixture("no-nvcc")
    val missing = dir.resolve("no-such-toolkit/bin/nvcc")
    val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(dir).withNvcc(missing.toString))
    val e = intercept[KernelCompileException](jit.compile(tile))
    assert(e.getMessage.startsWith(s"nvcc not found at $missing"), e.getMessage)
    assert(e.getMessage.contains("set padfree.cuda.nvcc") && e.getMessage.contains("PADFREE_CUDA_NVCC")
      && e.getMessage.contains("PATH"), e.getMessage)
    val cubins = if (Files.isDirectory(dir)) scala.util.Using.resource(Files.list(dir))(_.iterator.asScala
      .filter(_.toString.endsWith(".cubin")).toSeq) else Seq.empty
    assert(cubins.isEmpty, s"cubins appeared without a compiler: $cubins")
  }

  test("nvcc as a bare name not on PATH, and nvcc a file that cannot run: each says so") {
    val dir = newTempDir("bad-nvcc")
    val name = s"padfree-no-such-nvcc-${UUID.randomUUID()}"
    val onPath = intercept[KernelCompileException](new NvccCompiler(name).version())
    assert(onPath.getMessage.contains(s"'$name' is on no folder of PATH=") && onPath.getMessage.contains("padfree.cuda.nvcc"),
      onPath.getMessage)
    val notExecutable = Files.writeString(dir.resolve("nvcc"), "#!/bin/sh\n")
    val cannotRun = intercept[KernelCompileException](new NvccCompiler(notExecutable.toString).version())
    assert(cannotRun.getMessage.contains(s"nvcc at $notExecutable is not an executable file")
      && cannotRun.getMessage.contains("padfree.cuda.nvcc"), cannotRun.getMessage)
  }
}
