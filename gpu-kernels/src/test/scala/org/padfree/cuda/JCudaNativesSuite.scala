package org.padfree.cuda

import java.nio.file.Files
import java.util.concurrent.{Callable, Executors}
import org.scalatest.funsuite.AnyFunSuite

/** JCuda's native library is extracted once per content hash, atomically, whatever the concurrency. */
class JCudaNativesSuite extends AnyFunSuite {

  test("concurrent extractions give one complete file and leave no temporary files") {
    val root = Files.createTempDirectory("jcuda-natives")
    val pool = Executors.newFixedThreadPool(4)
    try {
      val dirs = (0 until 8).map(_ => pool.submit(new Callable[java.nio.file.Path] {
        def call() = JCudaNatives.extract(root)
      })).map(_.get())
      assert(dirs.distinct.size == 1)
      val lib = dirs.head.resolve(JCudaNatives.LIBRARY)
      val expected = getClass.getResourceAsStream("/lib/" + JCudaNatives.LIBRARY).readAllBytes()
      assert(Files.readAllBytes(lib).sameElements(expected))
      assert(dirs.head.getFileName.toString == "jcuda-" + JCudaNatives.sha256(expected).substring(0, 16))
      assert(Files.list(dirs.head).count() == 1, "only the library, no temporary files")
    } finally pool.shutdown()
  }

  test("a truncated file from an older crash is replaced") {
    val root = Files.createTempDirectory("jcuda-natives")
    val dir = JCudaNatives.extract(root)
    val lib = dir.resolve(JCudaNatives.LIBRARY)
    Files.write(lib, Array[Byte](1, 2, 3))
    JCudaNatives.extract(root)
    assert(Files.size(lib) > 1000000)
  }
}
