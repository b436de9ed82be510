package org.padfree.cuda.kernels

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

/** The GEMM's configuration choices are pure functions of the shape: tested without a GPU. */
class GemmHeuristicsSuite extends AnyFunSuite {

  test("shared memory per configuration mirrors the kernel's layout, and stages fill 227 KB") {
    // BLOCK_N 128: TMA-store staging 2 warpgroups x 2 chunks x 80 rows x 128 B, then 5 stages of
    // (16 KB A + 16 KB B + 640 B scales), 10 barriers, 1 KB alignment slack
    assert(GemmHeuristics.stagingBytes(128) == 2 * 2 * 80 * 128)
    assert(GemmHeuristics.sharedBytes(128, 5) == 40960 + 5 * (16384 + 16384 + 640) + 80 + 1024)
    assert(GemmHeuristics.stagesFor(128) == 5)
    assert(GemmHeuristics.sharedBytes(128, 6) > GemmHeuristics.SHARED_LIMIT)
    assert(GemmHeuristics.stagesFor(64) == 8, "the cap")
    assert(GemmHeuristics.sharedBytes(64, 8) == 20480 + 8 * (16384 + 8192 + 640) + 128 + 1024)
    // 192: 60 KB of staging leaves room for 4 stages of 40.6 KB
    assert(GemmHeuristics.sharedBytes(192, 4) == 61440 + 4 * (16384 + 24576 + 640) + 64 + 1024)
    assert(GemmHeuristics.stagesFor(192) == 4)
    // 112 is not a multiple of 64: direct stores, no staging, 7 stages of 30.6 KB
    assert(GemmHeuristics.stagingBytes(112) == 0)
    assert(GemmHeuristics.stagesFor(112) == 7)
    for (bn <- widths) assert(GemmHeuristics.sharedBytes(bn, GemmHeuristics.stagesFor(bn)) <= GemmHeuristics.SHARED_LIMIT)
  }

  private def widths = GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue).toSeq

  test("every shipped tile width touches at most two weight-scale blocks, wherever its tile starts") {
    for (bn <- widths) assert(GemmHeuristics.maxScaleBlocksPerTile(bn) <= 2, s"BLOCK_N=$bn")
    assert(GemmHeuristics.maxScaleBlocksPerTile(128) == 1 && GemmHeuristics.maxScaleBlocksPerTile(64) == 1)
    assert(GemmHeuristics.maxScaleBlocksPerTile(192) == 2)
    assert(GemmHeuristics.maxScaleBlocksPerTile(176) == 3, "why 176 is not shipped: 1232..1407 spans blocks 9, 10, 11")
  }

  test("the tile width minimises waves x (width + overhead); small problems take narrow tiles") {
    // DeepSeek-V3 gate_up, 288 row blocks on 132 SMs. Cost = ceil(tiles / 132) x (width + 32):
    //   64: 18432 tiles, 140 waves x 96 = 13440    96: 12384, 94 x 128 = 12032   112: 10656, 81 x 144 = 11664
    //   128: 9216, 70 x 160 = 11200               160: 7488, 57 x 192 = 10944   192: 6336, 48 x 224 = 10752
    assert(GemmHeuristics.choose(4096, 7168, 288, 132) == GemmHeuristics.withBlockN(192))
    // 12 row blocks, N = 256: every width fits in one wave, so the narrowest wins (64: 48 tiles x 96)
    assert(GemmHeuristics.choose(256, 512, 12, 132).blockN == 64)
    // N = 7168, 9 row blocks: 64 -> 1008 tiles, 8 waves x 96 = 768; 112 -> 576, 5 x 144 = 720;
    // 128 -> 504, 4 x 160 = 640; 160 -> 405, 4 x 192 = 768; 192 -> 342, 3 x 224 = 672; 96 -> 675, 6 x 128 = 768
    assert(GemmHeuristics.choose(7168, 2048, 9, 132).blockN == 128)
    // an unaligned width where it fills the SMs: N = 3584, 3 row blocks: 96 -> 114 tiles in one wave,
    // cost 128, the least (112 -> 96 tiles, 144; 128 -> 84 tiles, 160; 64 -> 168 tiles, 2 x 96 = 192)
    assert(GemmHeuristics.choose(3584, 2048, 3, 132).blockN == 96)
    assert(GemmHeuristics.choose(64, 128, 1, 132).blockN == 64)
    // widths without the TMA epilogue pay for their direct stores: N = 4096, 81 row blocks (the frontier's
    // 32 log-normal groups) -> 160: 2106 tiles, 16 waves x (192 + 8) = 3200; 192: 1782, 14 x 224 = 3136
    assert(GemmHeuristics.choose(4096, 7168, 81, 132).blockN == 192)
    // ... but 160 still wins where it fills the SMs much better: 9 row blocks, 2 x 200 = 400 vs 2 x 224
    assert(GemmHeuristics.choose(4096, 7168, 9, 132).blockN == 160)
  }

  test("multicast is not chosen by default (measured no faster); an odd number of N-blocks cannot use A multicast at all") {
    assert(GemmHeuristics.choose(4096, 7168, 288, 132).multicast == GemmHeuristics.Multicast.NONE)
    assert(GemmHeuristics.choose(3072, 4096, 64, 132).withMulticast(GemmHeuristics.Multicast.B).multicast == GemmHeuristics.Multicast.B)
    assert(intercept[InvalidInputException](GemmHeuristics.Multicast.parse("--multicast", "c")).getMessage.contains("--multicast = c"))
    val e = intercept[InvalidInputException](new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 384, 128,
      new GemmHeuristics.Config(128, 6, GemmHeuristics.Multicast.A)))
    assert(e.getMessage.contains("multicast"))
    val e64 = intercept[InvalidInputException](new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 256, 128,
      new GemmHeuristics.Config(64, 8, GemmHeuristics.Multicast.A)))
    assert(e64.getMessage.contains("BLOCK_N 128 only"))
  }

  test("bad shapes are rejected with the field named") {
    def msg(f: => Any) = intercept[InvalidInputException](f).getMessage
    assert(msg(GemmHeuristics.choose(0, 128, 1, 132)).contains("n = 0"))
    assert(msg(GemmHeuristics.choose(128, -1, 1, 132)).contains("k = -1"))
    assert(msg(GemmHeuristics.choose(128, 128, -1, 132)).contains("m_blocks = -1"))
    assert(msg(new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 100, 128, new GemmHeuristics.Config(128, 6))).contains("n = 100"))
    assert(msg(new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 128, 136 + 4, new GemmHeuristics.Config(128, 6))).contains("k = 140"))
    assert(msg(new Sm90Fp8GroupedGemm(Sm90Fp8GroupedGemm.Layout.DENSE, 128, 128, new GemmHeuristics.Config(80, 6))).contains("block_n = 80"))
    assert(msg(GemmHeuristics.withBlockN(256)).contains("block_n = 256"))
  }

  test("padding-free block starts are prefix sums of ceil(size / 128)") {
    // group sizes 0, 1, 128, 256, 0 take 0, 1, 1, 2, 0 blocks of 128 rows
    assert(DeviceGemmOperands.blockStarts(Array(0, 0, 1, 129, 385, 385)).toSeq == Seq(0, 0, 1, 2, 4, 4))
  }

  test("the block table refuses offsets that do not describe a layout, naming the entry") {
    def msg(offsets: Array[Int]) = intercept[InvalidInputException](DeviceGemmOperands.blockTable(offsets)).getMessage
    assert(msg(Array(1, 5)).contains("offsets[0] = 1"))
    assert(msg(Array(0, 9, 4)).contains("offsets[2] = 4"))
    assert(msg(Array.empty[Int]).contains("offsets.length = 0"))
  }

  test("padding-free block table: first row, expert << 8 | valid rows, per block of 128 rows, in row order") {
    // experts 1 (1 row at 0), 2 (128 rows at 1), 3 (256 rows at 129), in row order
    assert(DeviceGemmOperands.blockTable(Array(0, 0, 1, 129, 385, 385)).toSeq ==
      Seq(0, 1 << 8 | 1, 1, 2 << 8 | 128, 129, 3 << 8 | 128, 257, 3 << 8 | 128))
    // expert 0: 300 rows (3 blocks, the residual of 44 rows right after its two full ones: they share
    // B in L2), then expert 1: 256 rows (2 blocks)
    assert(DeviceGemmOperands.blockTable(Array(0, 300, 556)).toSeq ==
      Seq(0, 128, 128, 128, 256, 44, 300, 1 << 8 | 128, 428, 1 << 8 | 128))
    // every block once, whatever the counts
    val counts = Array(0, 5, 129, 256, 1, 383, 384, 0, 700)
    val offsets = counts.scanLeft(0)(_ + _)
    val table = DeviceGemmOperands.blockTable(offsets).grouped(2).map(e => (e(0), e(1))).toSeq
    val expected = counts.indices.flatMap(e => (offsets(e) until offsets(e + 1) by 128).map(r => (r, e << 8 | math.min(128, offsets(e + 1) - r))))
    assert(table == expected, "row order: each expert's blocks together, experts in order")
  }
}
