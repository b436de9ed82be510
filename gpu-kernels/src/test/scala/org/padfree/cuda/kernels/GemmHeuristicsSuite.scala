package org.padfree.cuda.kernels

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

/** The GEMM's configuration choices are pure functions of the shape: tested without a GPU. */
class GemmHeuristicsSuite extends AnyFunSuite {

  test("shared memory per configuration mirrors the kernel's layout, and stages fill 227 KB") {
    // 6 stages of (16 KB A + 16 KB B + 640 B scales) + 12 barriers + 1 KB alignment slack
    assert(GemmHeuristics.sharedBytes(128, 6) == 6 * (16384 + 16384 + 640) + 96 + 1024)
    assert(GemmHeuristics.stagesFor(128) == 6)
    assert(GemmHeuristics.sharedBytes(128, 7) > GemmHeuristics.SHARED_LIMIT)
    assert(GemmHeuristics.stagesFor(64) == 8, "the cap")
    assert(GemmHeuristics.sharedBytes(64, 8) <= GemmHeuristics.SHARED_LIMIT)
  }

  test("BLOCK_N 128 for large problems, 64 when 128-wide tiles would leave most SMs idle") {
    assert(GemmHeuristics.choose(4096, 7168, 288, 132) == new GemmHeuristics.Config(128, 6, false))
    assert(GemmHeuristics.choose(256, 512, 6, 132).blockN == 64)   // 12 tiles on 132 SMs
    assert(GemmHeuristics.choose(1024, 4096, 9, 132).blockN == 128) // 72 tiles >= 66
    assert(GemmHeuristics.choose(64, 128, 1, 132).blockN == 128, "N = 64 cannot be split further")
  }

  test("A multicast is never chosen (measured slower); an odd number of N-blocks cannot use it at all") {
    assert(!GemmHeuristics.choose(4096, 7168, 288, 132).multicastA)
    val e = intercept[InvalidInputException](new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 384, 128,
      new GemmHeuristics.Config(128, 6, true)))
    assert(e.getMessage.contains("multicast"))
    val e64 = intercept[InvalidInputException](new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 256, 128,
      new GemmHeuristics.Config(64, 8, true)))
    assert(e64.getMessage.contains("BLOCK_N 128 only"))
  }

  test("bad shapes are rejected with the field named") {
    def msg(f: => Any) = intercept[InvalidInputException](f).getMessage
    assert(msg(GemmHeuristics.choose(0, 128, 1, 132)).contains("n = 0"))
    assert(msg(GemmHeuristics.choose(128, -1, 1, 132)).contains("k = -1"))
    assert(msg(GemmHeuristics.choose(128, 128, -1, 132)).contains("m_blocks = -1"))
    assert(msg(new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 100, 128, new GemmHeuristics.Config(128, 6))).contains("n = 100"))
    assert(msg(new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 128, 136 + 4, new GemmHeuristics.Config(128, 6))).contains("k = 140"))
    assert(msg(new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 128, 128, new GemmHeuristics.Config(96, 6))).contains("block_n = 96"))
  }

  test("padding-free block starts are prefix sums of ceil(size / 128)") {
    // group sizes 0, 1, 128, 256, 0 take 0, 1, 1, 2, 0 blocks of 128 rows
    assert(DeviceGemmOperands.blockStarts(Array(0, 0, 1, 129, 385, 385)).toSeq == Seq(0, 0, 1, 2, 4, 4))
  }

  test("padding-free block table: first row, expert << 8 | valid rows, per block of 128 rows") {
    // experts 1 (1 row at 0), 2 (128 rows at 1), 3 (256 rows at 129)
    assert(DeviceGemmOperands.blockTable(Array(0, 0, 1, 129, 385, 385)).toSeq ==
      Seq(0, 1 << 8 | 1, 1, 2 << 8 | 128, 129, 3 << 8 | 128, 257, 3 << 8 | 128))
  }
}
