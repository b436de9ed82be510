package org.padfree.cuda

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

/** How a Spark GPU address (an nvidia-smi index) becomes a driver ordinal under CUDA_VISIBLE_DEVICES. */
class GpuAddressSuite extends AnyFunSuite {
  test("without CUDA_VISIBLE_DEVICES the index is the ordinal") {
    assert(CudaDevice.ordinalOfAddress("0", null) == 0)
    assert(CudaDevice.ordinalOfAddress(" 3 ", "") == 3)
  }

  test("with a list of indices the ordinal is the position in the list") {
    assert(CudaDevice.ordinalOfAddress("2", "2,3") == 0)
    assert(CudaDevice.ordinalOfAddress("3", "2, 3") == 1)
    assert(CudaDevice.ordinalOfAddress("0", "5,0") == 1)
  }

  test("an index outside the list, a UUID list, or a non-index are errors that say what to change") {
    val outside = intercept[InvalidInputException](CudaDevice.ordinalOfAddress("1", "2,3"))
    assert(outside.getMessage.contains("gpu address = 1") && outside.getMessage.contains("CUDA_VISIBLE_DEVICES=2,3"))
    val uuids = intercept[InvalidInputException](CudaDevice.ordinalOfAddress("0", "GPU-1234abcd"))
    assert(uuids.getMessage.contains("by UUID"))
    intercept[InvalidInputException](CudaDevice.ordinalOfAddress("GPU-1", null))
  }
}
