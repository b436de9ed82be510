package org.padfree.cuda.jit

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths}
import java.security.MessageDigest
import java.util.HexFormat
import java.util.concurrent.{Callable, CyclicBarrier, Executors, TimeUnit}
import scala.jdk.CollectionConverters._
import scala.util.Using
import org.scalatest.funsuite.AnyFunSuite

/** The CUDA sources shipped in the jar: the list, the classpath copies, the digest and the include folder. */
class KernelSourcesSuite extends AnyFunSuite with TempFolders {
  private val sourceRoot = Paths.get("src", "main", "cuda") // tests run in gpu-kernels/
  private def listed: Seq[String] = KernelSources.FILES.asScala.toSeq

  private def filesOnDisk: Seq[String] = Using.resource(Files.walk(sourceRoot)) { paths =>
    paths.iterator.asScala.filter(Files.isRegularFile(_))
      .map(p => sourceRoot.relativize(p).iterator.asScala.mkString("/")).toSeq.sorted
  }

  private def filesUnder(dir: Path): Seq[String] = Using.resource(Files.walk(dir)) { paths =>
    paths.iterator.asScala.filter(Files.isRegularFile(_))
      .map(p => dir.relativize(p).iterator.asScala.mkString("/")).toSeq.sorted
  }

  test("KernelSources.FILES lists exactly the files under src/main/cuda") {
    assert(Files.isDirectory(sourceRoot), s"${sourceRoot.toAbsolutePath} is missing: tests must run in gpu-kernels/")
    assert(listed.distinct == listed, s"KernelSources.FILES lists some files twice: ${listed.diff(listed.distinct)}")
    val unlisted = filesOnDisk.diff(listed)
    val missing = listed.diff(filesOnDisk)
    assert(unlisted.isEmpty, s"files under $sourceRoot that KernelSources.FILES lacks (no cache key covers them): $unlisted")
    assert(missing.isEmpty, s"KernelSources.FILES names files that are not under $sourceRoot: $missing")
  }

  test("every listed file is on the classpath under cuda/ with its source's exact bytes") {
    for (file <- listed) {
      val resource = getClass.getResourceAsStream("/cuda/" + file)
      assert(resource != null, s"cuda/$file is not on the test classpath (is src/main/cuda a resource folder?)")
      val onClasspath = Using.resource(resource)(_.readAllBytes())
      assert(onClasspath.sameElements(Files.readAllBytes(sourceRoot.resolve(file))), s"cuda/$file on the classpath is stale")
      assert(KernelSources.contents().get(file) == new String(onClasspath, UTF_8), s"contents() of $file")
    }
    assert(KernelSources.contents().keySet().asScala.toSeq == listed, "contents() must hold every file in FILES order")
  }

  test("digest() is the same on every call: SHA-256 over each file's name and text") {
    val sha = MessageDigest.getInstance("SHA-256")
    for (file <- listed) {
      sha.update(file.getBytes(UTF_8)); sha.update(0.toByte)
      sha.update(Files.readAllBytes(sourceRoot.resolve(file))); sha.update(0.toByte)
    }
    val expected = HexFormat.of().formatHex(sha.digest())
    assert(KernelSources.digest() == expected, "digest() must depend only on the shipped sources, so every JVM agrees")
    assert(KernelSources.digest() == KernelSources.digest())
  }

  test("materialize writes every file with identical bytes, and a second call reuses the folder") {
    val root = newTempDir("include")
    val dir = KernelSources.materialize(root)
    assert(dir == root.resolve("include-" + KernelSources.digest().take(16)), s"unexpected include folder $dir")
    assert(filesUnder(dir) == listed.sorted, s"materialized files under $dir")
    for (file <- listed) {
      assert(Files.readAllBytes(dir.resolve(file)).sameElements(Files.readAllBytes(sourceRoot.resolve(file))),
        s"materialized $file differs from its source")
    }
    val written = Files.getLastModifiedTime(dir.resolve(listed.head))
    Thread.sleep(20)
    assert(KernelSources.materialize(root) == dir, "second call")
    assert(Files.getLastModifiedTime(dir.resolve(listed.head)) == written, "second call must not rewrite the files")
    assert(TempFolders.hiddenUnder(root).isEmpty, s"temporary folders left behind: ${TempFolders.hiddenUnder(root)}")
  }

  test("eight threads materializing into one fresh folder agree on it and leave no temporary folder") {
    val root = newTempDir("include-race")
    val pool = Executors.newFixedThreadPool(8)
    try {
      val start = new CyclicBarrier(8)
      val futures = (1 to 8).map(_ => pool.submit(new Callable[Path] {
        def call(): Path = {
          start.await(10, TimeUnit.SECONDS)
          KernelSources.materialize(root)
        }
      }))
      val dirs = futures.map(_.get(60, TimeUnit.SECONDS))
      assert(dirs.distinct.size == 1, s"threads got different folders: ${dirs.distinct}")
      assert(filesUnder(dirs.head) == listed.sorted)
      assert(TempFolders.hiddenUnder(root).isEmpty, s"temporary folders left behind: ${TempFolders.hiddenUnder(root)}")
      val entries = Using.resource(Files.list(root))(_.iterator.asScala.toSeq)
      assert(entries == Seq(dirs.head), s"only the include folder may be left in $root: $entries")
    } finally pool.shutdownNow()
  }
}
