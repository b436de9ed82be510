package org.padfree.reference

import org.padfree.InvalidInputException
import org.padfree.quant.Fp8Quantizer
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/** Every entry point rejects a bad layout with an error naming the field and value, before computing. */
class GemmValidationSuite extends AnyFunSuite with BeforeAndAfterAll {
  private val gemm = new CpuGroupedGemm(1)
  override def afterAll(): Unit = gemm.close()

  private val k = 128
  private def a(rows: Int) = Fp8Quantizer.quantizeActivations(SyntheticData.activations(1L, rows, k), rows, k)
  private val b3 = Fp8Quantizer.quantizeExperts(Array.fill(3)(SyntheticData.weights(2L, 8, k)), 8, k)

  private def rejects(expected: String)(f: => Any): Unit = {
    val e = intercept[InvalidInputException](f)
    assert(e.getMessage.contains(expected), s"message '${e.getMessage}' lacks '$expected'")
  }

  test("K mismatch between A and B") {
    val b = Fp8Quantizer.quantizeWeights(SyntheticData.weights(1L, 8, 256), 8, 256)
    rejects("k = 128")(gemm.dense(a(2), b))
  }

  test("dense with more than one expert") {
    rejects("experts = 3")(gemm.dense(a(2), b3))
  }

  test("padding-free offsets: length, start, monotone, total") {
    rejects("offsets.length = 3")(gemm.paddingFreeContiguous(a(4), b3, Array(0, 2, 4)))
    rejects("offsets[0] = 1")(gemm.paddingFreeContiguous(a(4), b3, Array(1, 2, 3, 4)))
    rejects("offsets[2] = 1")(gemm.paddingFreeContiguous(a(4), b3, Array(0, 3, 1, 4)))
    rejects("offsets[3] = 5")(gemm.paddingFreeContiguous(a(4), b3, Array(0, 1, 2, 5)))
    rejects("offsets = null")(gemm.paddingFreeContiguous(a(4), b3, null))
  }

  test("padded group index: length, row count alignment, range, mixed blocks, padding before rows, fragmented experts") {
    def idx(f: Int => Int, rows: Int) = Array.tabulate(rows)(f)
    rejects("group_index.length = 127")(gemm.paddedContiguous(a(128), b3, new Array[Int](127)))
    rejects("rows = 130")(gemm.paddedContiguous(a(130), b3, new Array[Int](130)))
    rejects("group_index[5] = 3")(gemm.paddedContiguous(a(128), b3, idx(r => if (r == 5) 3 else 0, 128)))
    rejects("group_index[7] = -2")(gemm.paddedContiguous(a(128), b3, idx(r => if (r == 7) -2 else 0, 128)))
    rejects("group_index[64] = 1")(gemm.paddedContiguous(a(128), b3, idx(r => if (r < 64) 0 else 1, 128)))
    rejects("group_index[10] = 0")(gemm.paddedContiguous(a(128), b3, idx(r => if (r < 5 || r >= 10) 0 else -1, 128)))
    // expert 0 in block 0 (ending in padding) and again in block 2
    rejects("group_index[256] = 0")(gemm.paddedContiguous(a(384), b3,
      idx(r => if (r < 100) 0 else if (r < 128) -1 else if (r < 256) 1 else 0, 384)))
  }

  test("masked counts: length, range, and A's row count") {
    rejects("counts.length = 2")(gemm.masked(a(12), b3, 4, Array(1, 2)))
    rejects("counts[1] = 5")(gemm.masked(a(12), b3, 4, Array(1, 5, 0)))
    rejects("counts[2] = -1")(gemm.masked(a(12), b3, 4, Array(1, 2, -1)))
    rejects("rows = 12")(gemm.masked(a(12), b3, 3, Array(1, 2, 3)))
    rejects("max_rows = -1")(gemm.masked(a(12), b3, -1, Array(0, 0, 0)))
  }

  test("backend construction") {
    rejects("threads = 0")(new CpuGroupedGemm(0))
  }
}
