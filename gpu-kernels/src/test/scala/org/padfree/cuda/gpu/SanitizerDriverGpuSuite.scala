package org.padfree.cuda.gpu

import org.padfree.cuda.CudaSettings
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.GemmHeuristics
import org.padfree.cuda.sanitize.SanitizerDriver
import org.scalatest.funsuite.AnyFunSuite

/**
 * The compute-sanitizer driver's cases without a sanitizer (scripts/gpu-sanitize.sh runs them under
 * one): every case of every family must pass its own checks, so a clean sanitizer run means kernels
 * that were both hazard-free and right. Cancels without a Hopper GPU.
 */
class SanitizerDriverGpuSuite extends AnyFunSuite with GpuSuite {
  // the settings' cache (scripts/gpu-smoke.sh and gpu-sanitize.sh share /tmp/padfree-kernels)
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment())
  private val widths = GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue).toSeq

  for (family <- SanitizerDriver.Families)
    test(s"sanitizer driver family '$family': every case passes its checks") {
      val device = hopper()
      SanitizerDriver.precompile(jit, Seq(family), widths)
      val (passed, failures) = SanitizerDriver.runFamilies(device, jit, Seq(family), widths)
      assert(failures.isEmpty, s"$family: ${failures.mkString("; ")}")
      assert(passed > 0, s"$family ran no case")
      info(s"$family: $passed cases passed")
    }
}
