package org.padfree.cuda.gpu

import org.padfree.cuda.{Cuda, CudaDevice}
import org.scalatest.{BeforeAndAfterAll, Suite}

/**
 * Base of every GPU suite: each test cancels, visibly and with the reason, where there is no CUDA
 * driver or no Hopper GPU (CI, laptops); on a GPU host the tests run for real.
 */
trait GpuSuite extends BeforeAndAfterAll { self: Suite =>

  /** Device 0, current on this thread, or cancels the test. */
  protected def hopper(): CudaDevice = {
    Cuda.unavailableReason().ifPresent(reason => cancel(s"no GPU: $reason"))
    val device = CudaDevice.byOrdinal(0)
    if (!device.isHopper) cancel(s"needs a Hopper GPU (sm_90), found ${device.describe}")
    device.makeCurrent()
  }
}
