package org.padfree.cuda.jit

import java.nio.file.{Files, Paths}
import java.security.MessageDigest
import java.util.HexFormat
import org.padfree.cuda.kernels.Sm90TmaTileCopy

/**
 * Run in a child JVM by [[KernelJitConcurrencySuite]]: compiles Sm90TmaTileCopy(64, 32) through a
 * KernelJit on a shared cache folder, after the test says go, so several JVMs hit the cache at once.
 * Arguments: cacheDir nvcc goFile. Prints "ready", then "cubin SHA256 compiled=BOOLEAN".
 */
object CompileOnceProbe {
  def main(args: Array[String]): Unit = {
    val Array(cacheDir, nvcc, goFile) = args
    val jit = new KernelJit(org.padfree.cuda.CudaSettings.fromEnvironment().withCacheDir(Paths.get(cacheDir)).withNvcc(nvcc))
    val spec = new Sm90TmaTileCopy(64, 32).spec()
    jit.cacheKey(spec) // runs `nvcc --version` before the start line, so the compiles are what overlaps
    println("ready")
    val deadline = System.nanoTime() + 60L * 1000 * 1000 * 1000
    while (!Files.exists(Paths.get(goFile))) {
      if (System.nanoTime() > deadline) sys.error(s"no $goFile within 60 s")
      Thread.sleep(5)
    }
    val entry = jit.compile(spec)
    val sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(entry.cubin()))
    println(s"cubin $sha compiled=${entry.compiled()}")
  }
}
