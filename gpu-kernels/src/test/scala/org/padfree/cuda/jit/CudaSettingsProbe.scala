package org.padfree.cuda.jit

import org.padfree.cuda.CudaSettings

/** Run in a child JVM by [[CudaSettingsSuite]] (environment variables cannot be set in this one). */
object CudaSettingsProbe {
  def main(args: Array[String]): Unit = {
    val s = CudaSettings.fromEnvironment()
    println(s"cacheDir=${s.cacheDir()}")
    println(s"nvcc=${s.nvcc()}")
    println(s"ptxasVerbose=${s.ptxasVerbose()}")
    println(s"keepIntermediates=${s.keepIntermediates()}")
    println(s"nativeDir=${s.nativeDir()}")
  }
}
