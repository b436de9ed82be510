package org.padfree.cuda.jit

import java.io.{BufferedReader, InputStreamReader}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}
import java.util.UUID
import java.util.concurrent.{Callable, CyclicBarrier, Executors, TimeUnit}
import org.padfree.cuda.kernels.Sm90TmaTileCopy
import org.scalatest.funsuite.AnyFunSuite

/** A key is compiled once however many threads or JVMs ask for it at the same time. */
class KernelJitConcurrencySuite extends AnyFunSuite with TempFolders {
  private val tile = new Sm90TmaTileCopy(64, 32).spec()

  private def fixture(name: String): (Path, FakeNvcc) = {
    val root = newTempDir(name)
    val fake = FakeNvcc.create(root, s"fake nvcc for $name ${UUID.randomUUID()}")
    fake.sleepSeconds(1)
    (root.resolve("cache"), fake)
  }

  /** Runs `compile` on `threads` threads released together; returns each thread's entry. */
  private def together(threads: Int)(compile: Int => CubinCache.Entry): Seq[CubinCache.Entry] = {
    val pool = Executors.newFixedThreadPool(threads)
    try {
      val start = new CyclicBarrier(threads)
      val futures = (0 until threads).map(i => pool.submit(new Callable[CubinCache.Entry] {
        def call(): CubinCache.Entry = {
          start.await(10, TimeUnit.SECONDS)
          compile(i)
        }
      }))
      futures.map(_.get(60, TimeUnit.SECONDS))
    } finally pool.shutdownNow()
  }

  private def assertOneCompile(case_ : String, fake: FakeNvcc, entries: Seq[CubinCache.Entry]): Unit = {
    assert(fake.compiles == 1, s"$case_: nvcc ran ${fake.compiles} times: ${fake.compileLines.mkString("; ")}")
    assert(entries.count(_.compiled()) == 1, s"$case_: compiled flags ${entries.map(_.compiled())}")
    assert(entries.forall(_.cubin().sameElements(entries.head.cubin())), s"$case_: threads got different cubins")
  }

  test("two threads of one KernelJit compiling one key at once: one nvcc run, identical bytes") {
    val (cache, fake) = fixture("threads")
    val jit = fake.jit(cache)
    val entries = together(2)(_ => jit.compile(tile))
    assert(fake.compiles == 1, s"nvcc ran ${fake.compiles} times")
    assert(entries(0) eq entries(1), "both threads must get the one in-memory entry")
  }

  test("two KernelJit instances of one JVM on one cache folder (one via a symlink): one nvcc run, identical bytes") {
    val (cache, fake) = fixture("instances")
    val link = Files.createSymbolicLink(cache.resolveSibling("cache-link"), Files.createDirectories(cache))
    val jits = Seq(fake.jit(cache), fake.jit(link))
    assertOneCompile("two instances", fake, together(2)(i => jits(i).compile(tile)))
  }

  test("two JVMs compiling one key at once: one nvcc run, the same cubin in both") {
    val (cache, fake) = fixture("processes")
    val root = cache.getParent
    val go = root.resolve("go")
    val processes = (1 to 2).map { i =>
      val stderr = root.resolve(s"probe-$i.stderr")
      val p = ChildJvm.start(CompileOnceProbe.getClass.getName.stripSuffix("$"),
        Seq(cache.toString, fake.script.toString, go.toString), stderr)
      (p, new BufferedReader(new InputStreamReader(p.getInputStream, UTF_8)), stderr)
    }
    try {
      def failed(i: Int, what: String): Nothing = {
        val (p, _, stderr) = processes(i)
        fail(s"probe ${i + 1} $what (exit ${if (p.isAlive) "still running" else p.exitValue()}):\n"
          + Files.readString(stderr))
      }
      for (((_, out, _), i) <- processes.zipWithIndex) if (out.readLine() != "ready") failed(i, "did not start")
      Files.createFile(go)
      val results = processes.zipWithIndex.map { case ((p, out, _), i) =>
        val line = Option(out.readLine()).getOrElse(failed(i, "printed no result"))
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) failed(i, "did not finish cleanly")
        line
      }
      val Result = "cubin ([0-9a-f]{64}) compiled=(true|false)".r
      val parsed = results.map {
        case Result(sha, compiled) => (sha, compiled.toBoolean)
        case other => fail(s"unexpected probe output: $other")
      }
      assert(fake.compiles == 1, s"nvcc ran ${fake.compiles} times: ${fake.compileLines.mkString("; ")}")
      assert(parsed.map(_._1).distinct.size == 1, s"the JVMs got different cubins: $results")
      assert(parsed.count(_._2) == 1, s"exactly one JVM must have compiled: $results")
      assert(TempFolders.hiddenUnder(cache).isEmpty, s"temporary files: ${TempFolders.hiddenUnder(cache)}")
    } finally processes.foreach { case (p, _, _) => p.destroyForcibly() }
  }
}
