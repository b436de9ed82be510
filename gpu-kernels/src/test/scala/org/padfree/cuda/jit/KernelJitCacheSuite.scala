package org.padfree.cuda.jit

import java.nio.file.{Files, Path, Paths}
import java.util.UUID
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicBoolean
import scala.jdk.CollectionConverters._
import scala.util.Using
import org.padfree.cuda.CudaSettings
import org.padfree.cuda.kernels.Sm90TmaTileCopy
import org.scalatest.funsuite.AnyFunSuite

/** Cache keys, the memory and disk caches, failures and atomic writes, with a fake nvcc (no toolkit needed). */
class KernelJitCacheSuite extends AnyFunSuite with TempFolders {
  private val tile = new Sm90TmaTileCopy(64, 32).spec()

  /** A fresh cache folder and a fake nvcc with a version no other test uses. */
  private def fixture(name: String): (Path, FakeNvcc) = {
    val root = newTempDir(name)
    (root.resolve("cache"), FakeNvcc.create(root, s"fake nvcc for $name ${UUID.randomUUID()}"))
  }

  private def withTemplateArgs(spec: KernelSpec, args: String*): KernelSpec =
    new KernelSpec(spec.entry(), spec.header(), spec.function(), args.asJava, spec.parameters(), spec.threads(),
      spec.minBlocksPerSm())

  private def listNames(dir: Path): Seq[String] =
    if (!Files.isDirectory(dir)) Seq.empty
    else Using.resource(Files.list(dir))(_.iterator.asScala.map(_.getFileName.toString).toSeq.sorted)

  test("every compile uses sm_90a, C++20 and -O3, and nvcc gets the materialized sources on its include path") {
    assert(NvccCompiler.ARCH == "sm_90a")
    for (flag <- Seq("-gencode=arch=compute_90a,code=sm_90a", "-std=c++20", "-O3", "-cubin"))
      assert(NvccCompiler.FLAGS.contains(flag), s"NvccCompiler.FLAGS lacks $flag: ${NvccCompiler.FLAGS}")
    val (cache, fake) = fixture("flags")
    fake.jit(cache).compile(tile)
    val line = fake.compileLines.head
    assert(line.contains(NvccCompiler.FLAGS.asScala.mkString(" ")), s"nvcc ran without the fixed flags: $line")
    val include = cache.resolve("include-" + KernelSources.digest().take(16))
    assert(line.contains(s"-I$include "), s"nvcc's include path is not $include: $line")
    assert(Files.isRegularFile(include.resolve(tile.header())), s"$include lacks ${tile.header()}")
  }

  test("the key is stable for one spec, also across KernelJit instances") {
    val (cache, fake) = fixture("stable")
    val jit = fake.jit(cache)
    val key = jit.cacheKey(tile)
    assert(key.matches(tile.entry() + "-[0-9a-f]{32}"), s"key $key is not entry-<32 hex digits>")
    assert(jit.cacheKey(new Sm90TmaTileCopy(64, 32).spec()) == key, "an equal spec")
    assert(fake.jit(cache).cacheKey(tile) == key, "another KernelJit with the same nvcc")
  }

  test("the key changes with a template constant, the parameters, the launch bounds and the nvcc version") {
    val (cache, fake) = fixture("key-inputs")
    val jit = fake.jit(cache)
    val key = jit.cacheKey(tile)
    val variants = Map(
      "blockCols 32 -> 64" -> withTemplateArgs(tile, "64", "64", "float"),
      "element float -> double" -> withTemplateArgs(tile, "64", "32", "double"),
      "threads 128 -> 256" -> new KernelSpec(tile.entry(), tile.header(), tile.function(), tile.templateArgs(),
        tile.parameters(), 256, 1),
      "parameter addend renamed" -> new KernelSpec(tile.entry(), tile.header(), tile.function(), tile.templateArgs(),
        tile.parameters().asScala.map(_.replace("addend", "offset")).asJava, tile.threads(), 1))
    for ((change, spec) <- variants) assert(jit.cacheKey(spec) != key, s"$change kept the key $key")
    assert(jit.compile(tile).compiled() && fake.compiles == 1)
    fake.version("fake nvcc, release 99.9")
    assert(jit.cacheKey(tile) == key, "one KernelJit asks nvcc for its version once")
    val upgraded = fake.jit(cache)
    assert(upgraded.cacheKey(tile) != key, "a new nvcc version must change the key")
    assert(upgraded.compile(tile).compiled() && fake.compiles == 2, "the upgraded compiler must recompile")
  }

  test("a second compile is a memory hit; a new KernelJit on the same folder is a disk hit") {
    val (cache, fake) = fixture("hits")
    val jit = fake.jit(cache)
    val first = jit.compile(tile)
    assert(first.compiled() && first.compileMillis() >= 0 && fake.compiles == 1, s"first compile: $first")
    assert(first.cubin().length == FakeNvcc.CubinBytes && first.log().contains("fake ptxas info"), first.log())
    assert(jit.compile(tile) eq first, "the same KernelJit must return its in-memory entry")
    assert(fake.compiles == 1)
    val fromDisk = fake.jit(cache).compile(tile)
    assert(!fromDisk.compiled() && fake.compiles == 1, "a new KernelJit must read the cubin from disk, not recompile")
    assert(fromDisk.key() == first.key() && fromDisk.cubin().sameElements(first.cubin()), "disk hit bytes")
    assert(fromDisk.log() == first.log(), "the disk hit must carry the compile's log")
    assert(listNames(cache).contains(first.key() + ".cubin"), listNames(cache))
  }

  test("a failed compile names nvcc's error and the unit, caches nothing, and a fixed compiler then succeeds") {
    val (cache, fake) = fixture("failure")
    val jit = fake.jit(cache)
    val key = jit.cacheKey(tile)
    val error = s"kernel.cu(7): error: fake failure ${UUID.randomUUID()}"
    fake.failWith(error)
    val e = intercept[KernelCompileException](jit.compile(tile))
    assert(e.getMessage.contains(error), s"message lacks nvcc's stderr: ${e.getMessage}")
    assert(e.log().contains(error), s"log(): ${e.log()}")
    assert(e.getMessage.contains(tile.translationUnit()), s"message lacks the generated unit: ${e.getMessage}")
    assert(e.getMessage.contains("exit status 3"), e.getMessage)
    assert(!Files.exists(new CubinCache(cache).cubinPath(key)), "a failed compile left a cubin")
    assert(!listNames(cache).exists(_.endsWith(".cubin")), s"cubins after a failure: ${listNames(cache)}")
    fake.clearFailure()
    val fixed = jit.compile(tile)
    assert(fixed.compiled() && fake.compiles == 2, "the failure must not be cached: the fixed compiler compiles")
    assert(Files.exists(new CubinCache(cache).cubinPath(key)))
    assert(TempFolders.hiddenUnder(cache).isEmpty, s"temporary files: ${TempFolders.hiddenUnder(cache)}")
  }

  test("nvcc's work folder is deleted after a compile and after a failure") {
    val (cache, fake) = fixture("workdir")
    val jit = fake.jit(cache)
    val prefix = "padfree-nvcc-" + jit.cacheKey(tile).take(24)
    def workFolders = listNames(Paths.get(System.getProperty("java.io.tmpdir"))).filter(_.startsWith(prefix))
    fake.failWith("fake failure")
    intercept[KernelCompileException](jit.compile(tile))
    assert(workFolders.isEmpty, s"after a failure: $workFolders")
    fake.clearFailure()
    jit.compile(tile)
    assert(workFolders.isEmpty, s"after a compile: $workFolders")
  }

  test("keepIntermediates keeps the generated unit under cacheDir/intermediates/<key>") {
    val (cache, fake) = fixture("intermediates")
    val s = fake.settings(cache)
    val jit = new KernelJit(new CudaSettings(s.cacheDir(), s.nvcc(), s.ptxasVerbose(), true, s.nativeDir()))
    val entry = jit.compile(tile)
    val unit = cache.resolve("intermediates").resolve(entry.key()).resolve("kernel.cu")
    assert(Files.readString(unit) == tile.translationUnit(), s"$unit")
  }

  test("cubins are written atomically: a slow nvcc never shows a partial cubin, and no temp files stay") {
    val (cache, fake) = fixture("atomic")
    fake.slowSeconds(0.5)
    val jit = fake.jit(cache)
    val specs = Seq(tile, withTemplateArgs(tile, "64", "64", "float"))
    val paths = specs.map(s => new CubinCache(cache).cubinPath(jit.cacheKey(s)))
    val partial = new ConcurrentLinkedQueue[String]()
    val done = new AtomicBoolean(false)
    @volatile var seen = 0
    val poller = new Thread(() => {
      while (!done.get()) {
        for (p <- paths) {
          val size = try Files.size(p) catch { case _: java.nio.file.NoSuchFileException => -1L }
          if (size >= 0) seen += 1
          if (size >= 0 && size != FakeNvcc.CubinBytes) partial.add(s"$p had $size of ${FakeNvcc.CubinBytes} bytes")
        }
        Thread.onSpinWait()
      }
    }, "cubin-poller")
    poller.start()
    try specs.foreach(jit.compile) finally {
      Thread.sleep(50)
      done.set(true)
      poller.join(10000)
    }
    assert(partial.isEmpty, partial.asScala.take(5).mkString("; "))
    assert(seen > 0, "the poller never saw a cubin, so it checked nothing")
    assert(fake.compiles == 2)
    val hidden = TempFolders.hiddenUnder(cache)
    assert(hidden.isEmpty, s"temporary files left in the cache: $hidden")
    val names = listNames(cache)
    for (p <- paths) assert(names.contains(p.getFileName.toString), s"$names lacks ${p.getFileName}")
  }
}
