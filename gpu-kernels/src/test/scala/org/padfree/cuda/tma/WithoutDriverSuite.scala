package org.padfree.cuda.tma

import org.padfree.cuda.{Cuda, CudaDevice, CudaException}
import org.scalatest.funsuite.AnyFunSuite

/**
 * On a machine without the NVIDIA driver (CI, the Spark driver host) CUDA says why, as a CudaException,
 * instead of crashing the JVM with a linkage error. Cancels where libcuda.so.1 is present.
 */
class WithoutDriverSuite extends AnyFunSuite {
  /** Why CUDA is unavailable here; cancels unless the reason is the missing driver library. */
  private def missingDriver(): String = {
    val reason = Cuda.unavailableReason()
    if (reason.isEmpty) cancel("CUDA works on this machine; the GPU suites cover it")
    if (!reason.get.contains("libcuda.so.1"))
      cancel(s"the driver library is present (CUDA is unusable for another reason: ${reason.get})")
    reason.get
  }

  test("Cuda.unavailableReason names libcuda.so.1, and asking again gives the same answer") {
    val reason = missingDriver()
    assert(reason.startsWith("CUDA is not available"), reason)
    assert(Cuda.unavailableReason().get == reason, "second call")
    assert(!Cuda.isAvailable)
    info(reason)
  }

  test("every entry point fails with a CudaException carrying the reason") {
    val reason = missingDriver()
    for ((what, call) <- Seq[(String, () => Any)]("Cuda.init" -> (() => Cuda.init()),
        "Cuda.driverVersion" -> (() => Cuda.driverVersion()), "CudaDevice.count" -> (() => CudaDevice.count()),
        "CudaDevice.byAddress" -> (() => CudaDevice.byAddress("0")))) {
      val e = intercept[CudaException](call())
      assert(e.getMessage == reason, s"$what: ${e.getMessage}")
    }
  }

  test("TensorMapEncoder.encode fails with a CudaException naming libcuda.so.1") {
    missingDriver()
    val spec = TensorMapSpec.matrix(TensorMapSpec.DataType.FLOAT32, 0x7f00_0000_0000L, 64, 64, 256, 16, 32,
      TensorMapSpec.Swizzle.NONE)
    val e = intercept[CudaException](TensorMapEncoder.encode(spec))
    assert(e.getMessage.contains("libcuda.so.1"), e.getMessage)
    val again = intercept[CudaException](TensorMapEncoder.encode(spec))
    assert(again.getMessage.contains("libcuda.so.1"), s"second call: ${again.getMessage}")
  }
}
