package org.padfree.cuda.tma

import org.padfree.InvalidInputException
import org.padfree.cuda.tma.TensorMapSpec.{DataType, Interleave, L2Promotion, OobFill, Swizzle}
import org.scalatest.funsuite.AnyFunSuite

/** TMA's rules, checked by TensorMapSpec's constructor before the driver sees a map (no GPU needed). */
class TensorMapSpecSuite extends AnyFunSuite {
  private val address = 0x7f00_0000_0000L

  /** A valid 2D float map of 50 rows x 100 columns (400-byte rows), 16 x 32 boxes; tests change one thing. */
  private def spec(dataType: DataType = DataType.FLOAT32, globalAddress: Long = address,
      dims: Array[Long] = Array(100L, 50L), strides: Array[Long] = Array(400L), box: Array[Int] = Array(32, 16),
      elementStrides: Array[Int] = Array(1, 1), interleave: Interleave = Interleave.NONE,
      swizzle: Swizzle = Swizzle.NONE, oobFill: OobFill = OobFill.ZERO): TensorMapSpec =
    new TensorMapSpec(dataType, globalAddress, dims, strides, box, elementStrides, interleave, swizzle, L2Promotion.B256,
      oobFill)

  private def rejects(field: String, value: String, what: String, reason: String = "")(build: => Any): Unit = {
    val e = intercept[InvalidInputException](build)
    assert(e.field() == field, s"$what: the exception names '${e.field()}', not '$field': ${e.getMessage}")
    assert(e.value() == value, s"$what: value '${e.value()}', expected '$value': ${e.getMessage}")
    assert(e.reason().contains(reason), s"$what: reason '${e.reason()}' lacks '$reason'")
  }

  test("a valid 2D float matrix map, built by matrix(): dimension 0 is the columns") {
    val m = TensorMapSpec.matrix(DataType.FLOAT32, address, 50, 100, 400, 16, 32, Swizzle.B128)
    assert(m.rank() == 2)
    assert(m.globalDims().toSeq == Seq(100L, 50L) && m.globalStrides().toSeq == Seq(400L))
    assert(m.boxDims().toSeq == Seq(32, 16) && m.elementStrides().toSeq == Seq(1, 1))
    assert(m.swizzle() == Swizzle.B128 && m.interleave() == Interleave.NONE && m.oobFill() == OobFill.ZERO)
    assert(m.boxBytes() == 32 * 16 * 4)
  }

  test("rank must be 1 to 5") {
    rejects("rank", "0", "rank 0")(spec(dims = Array(), strides = Array(), box = Array(), elementStrides = Array()))
    rejects("rank", "6", "rank 6")(spec(dims = Array.fill(6)(16L), strides = Array.fill(5)(64L), box = Array.fill(6)(4),
      elementStrides = Array.fill(6)(1)))
    val rank1 = spec(dims = Array(1024L), strides = Array(), box = Array(64), elementStrides = Array(1))
    assert(rank1.rank() == 1 && rank1.boxBytes() == 256)
  }

  test("the arrays must match the rank") {
    rejects("globalStrides.length", "2", "2 strides for rank 2")(spec(strides = Array(400L, 20000L)))
    rejects("boxDims.length", "1", "1 box dimension for rank 2")(spec(box = Array(32)))
    rejects("elementStrides.length", "3", "3 element strides for rank 2")(spec(elementStrides = Array(1, 1, 1)))
  }

  test("the address must be non-null and 16-byte aligned (32 with 32-byte interleave)") {
    rejects("globalAddress", "0x0", "null address", "non-null")(spec(globalAddress = 0))
    rejects("globalAddress", "0x1008", "8-byte aligned address", "16-byte aligned")(spec(globalAddress = 0x1008))
    assert(spec(globalAddress = 0x1010).globalAddress() == 0x1010)
    def interleaved(at: Long) = spec(globalAddress = at, dims = Array(8L, 4L, 4L), strides = Array(32L, 128L),
      box = Array(8, 4, 4), elementStrides = Array(1, 1, 1), interleave = Interleave.B32)
    rejects("globalAddress", "0x1010", "16-byte aligned with 32-byte interleave", "32-byte aligned")(interleaved(0x1010))
    assert(interleaved(0x1020).interleave() == Interleave.B32)
    rejects("interleave", "B16", "interleave at rank 2", "rank >= 3")(spec(interleave = Interleave.B16))
  }

  test("dimensions must be in [1, 2^32]") {
    rejects("globalDims[0]", "0", "0 columns")(spec(dims = Array(0L, 50L)))
    rejects("globalDims[1]", "4294967297", "2^32 + 1 rows")(spec(dims = Array(100L, (1L << 32) + 1)))
    assert(spec(dims = Array(100L, 1L << 32)).globalDims()(1) == (1L << 32), "2^32 rows is allowed")
  }

  test("strides must be positive multiples of 16 below 2^40, and hold a whole row") {
    rejects("globalStrides[0]", "408", "408-byte rows", "multiple of 16")(spec(strides = Array(408L)))
    rejects("globalStrides[0]", "0", "0-byte rows")(spec(strides = Array(0L)))
    rejects("globalStrides[0]", "1099511627776", "2^40-byte rows", "below 2^40")(spec(strides = Array(1L << 40)))
    rejects("globalStrides[0]", "384", "384-byte rows for 100 floats", "smaller than a row")(spec(strides = Array(384L)))
    rejects("globalStrides[1]", "40008", "3D map with a misaligned plane stride")(spec(dims = Array(100L, 50L, 2L),
      strides = Array(400L, 40008L), box = Array(32, 16, 1), elementStrides = Array(1, 1, 1)))
  }

  test("box dimensions must be in [1, 256]") {
    rejects("boxDims[1]", "0", "box of 0 rows")(spec(box = Array(32, 0)))
    rejects("boxDims[1]", "257", "box of 257 rows")(spec(box = Array(32, 257)))
    rejects("boxDims[0]", "0", "box of 0 columns")(spec(box = Array(0, 16)))
    assert(spec(box = Array(32, 256)).boxDims()(1) == 256)
  }

  test("the inner box extent must be a multiple of 16 bytes and fit the swizzle span") {
    rejects("boxDims[0]", "3", "3 floats = 12 bytes", "multiple of 16 bytes (here 12)")(spec(box = Array(3, 16)))
    rejects("boxDims[0]", "64", "64 floats = 256 bytes with 128-byte swizzle", "swizzle span B128")(
      spec(box = Array(64, 16), swizzle = Swizzle.B128))
    rejects("boxDims[0]", "32", "32 floats = 128 bytes with 64-byte swizzle", "swizzle span B64")(
      spec(box = Array(32, 16), swizzle = Swizzle.B64))
    assert(spec(box = Array(32, 16), swizzle = Swizzle.B128).swizzle() == Swizzle.B128, "128 bytes fits B128")
    assert(spec(box = Array(64, 16)).boxDims()(0) == 64, "without swizzle any multiple of 16 bytes is fine")
    assert(spec(dataType = DataType.UINT8, box = Array(16, 16)).boxBytes() == 256, "16 FP8 bytes is one 16-byte unit")
  }

  test("element strides must be in [1, 8]") {
    rejects("elementStrides[0]", "0", "element stride 0")(spec(elementStrides = Array(0, 1)))
    rejects("elementStrides[1]", "9", "element stride 9")(spec(elementStrides = Array(1, 9)))
    assert(spec(elementStrides = Array(1, 8)).elementStrides()(1) == 8)
  }

  test("NaN fill needs a floating-point type") {
    rejects("oobFill", "NAN_REQUEST_ZERO_FMA", "NaN fill on UINT8 (FP8)", "not UINT8")(
      spec(dataType = DataType.UINT8, box = Array(32, 16), oobFill = OobFill.NAN_REQUEST_ZERO_FMA))
    for (t <- Seq(DataType.FLOAT32, DataType.BFLOAT16, DataType.FLOAT16))
      assert(spec(dataType = t, box = Array(32, 16), oobFill = OobFill.NAN_REQUEST_ZERO_FMA).oobFill() ==
        OobFill.NAN_REQUEST_ZERO_FMA, s"NaN fill on $t")
  }

  test("boxBytes is element size times every box dimension, in 64-bit arithmetic") {
    assert(spec(box = Array(32, 16)).boxBytes() == 2048, "FLOAT32 32x16")
    assert(spec(dataType = DataType.BFLOAT16, box = Array(64, 128)).boxBytes() == 16384, "BF16 64x128")
    assert(spec(dataType = DataType.UINT8, dims = Array(128L, 64L, 4L), strides = Array(128L, 8192L),
      box = Array(64, 8, 2), elementStrides = Array(1, 1, 1)).boxBytes() == 1024, "UINT8 64x8x2")
    val big = spec(dataType = DataType.FLOAT64, dims = Array.fill(5)(256L),
      strides = Array(2048L, 2048L * 256, 2048L * 256 * 256, 2048L * 256 * 256 * 256), box = Array.fill(5)(256),
      elementStrides = Array.fill(5)(1))
    assert(big.boxBytes() == 8L * 256 * 256 * 256 * 256 * 256, "FLOAT64 256^5 overflows an int")
  }

  test("the spec copies the arrays it is given") {
    val dims = Array(100L, 50L)
    val box = Array(32, 16)
    val s = spec(dims = dims, box = box)
    dims(0) = 0
    box(0) = 3
    assert(s.globalDims().toSeq == Seq(100L, 50L) && s.boxDims().toSeq == Seq(32, 16))
  }
}
