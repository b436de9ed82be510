package org.padfree.columnar

import org.padfree.InvalidInputException
import org.padfree.backend.GroupedGemmProblem
import org.padfree.cuda.kernels.DeviceGemmOperands
import org.padfree.layout.LayoutBuilder
import org.padfree.quant.QuantizedWeights
import org.padfree.routing.{RoutedBatch, RoutingDistribution, RoutingGenerator}
import org.scalatest.funsuite.AnyFunSuite

/**
 * The device routing's algorithm, run on the host's column primitives: every array equals the host
 * layout builders' element for element, over random routings and the edge cases (empty experts, groups
 * of exactly 128, a batch without tokens, one expert). On the H200, CudfRoutingGpuSuite runs the same
 * algorithm on cuDF.
 */
class RoutingColumnsSuite extends AnyFunSuite {

  private def weights(experts: Int): QuantizedWeights =
    new QuantizedWeights(128, 128, Array.fill(experts)(new Array[Byte](128 * 128)), Array.fill(experts)(new Array[Float](1)))

  /** Checks the built columns against the host's layouts of `b`, naming the batch on failure. */
  private def assertMatchesHost(b: RoutedBatch): Unit = {
    val built = RoutingColumns.build(new HostColumnOps, b.expertIds, b.numExperts, b.topK, b.batchId)
    val p = GroupedGemmProblem.synthetic(b, 1L, weights(b.numExperts))
    val free = LayoutBuilder.paddingFree(b)
    val padded = LayoutBuilder.padded(b)
    val masked = LayoutBuilder.masked(b, LayoutBuilder.largestGroup(b))
    val what = s"batch ${b.batchId} (E=${b.numExperts}, top_k=${b.topK}, tokens=${b.numTokens})"
    assert(built.rowSource.sameElements(free.rowSource), s"row source of $what")
    assert(built.tokenOfRow.sameElements(p.tokenOfRow), s"token of row of $what")
    assert(built.offsets.sameElements(free.offsets) && built.hostOffsets.sameElements(free.offsets), s"offsets of $what")
    assert(built.counts.sameElements(masked.counts), s"counts of $what")
    assert(built.groupStarts.sameElements(padded.groupStarts) && built.hostGroupStarts.sameElements(padded.groupStarts),
      s"group starts of $what")
    assert(built.groupIndex.sameElements(padded.groupIndex), s"group index of $what")
    assert(built.padSource.sameElements(p.padSource), s"pad source of $what")
    assert(built.maxRows == masked.maxRows && built.maskedSource.sameElements(p.maskedSource), s"masked source of $what")
    val table = DeviceGemmOperands.blockTable(free.offsets)
    assert(built.blockTable.sameElements(table) && built.blocks == table.length / 2, s"block table of $what")
    assert(built.paddedRows == padded.paddedRows, s"padded rows of $what")
  }

  test("random routings over the standard distributions give the host's layouts bit for bit") {
    val seeds = 1L to 12L
    for (seed <- seeds) {
      val r = new java.util.Random(seed)
      val experts = Seq(1, 3, 8, 64, 256)(r.nextInt(5))
      val topK = 1 + r.nextInt(math.min(experts, 8))
      val tokens = 1 + r.nextInt(700)
      val standard = RoutingDistribution.standardSet()
      // the last standard distribution leaves 4 experts empty, which needs experts >= top_k + 4
      val choices = if (experts >= topK + 4) standard.size else standard.size - 1
      val dist = standard.get(r.nextInt(choices))
      val b = RoutingGenerator.generate(s"rand-$seed", "", dist, experts, topK, tokens, seed)
      assertMatchesHost(b)
    }
  }

  test("edge cases: empty experts, groups of exactly 128 and 256, 129, a batch without tokens, one expert") {
    assertMatchesHost(RoutedBatch.fromCounts("edges", "", "test", 1, Array(0, 128, 0, 129, 256, 1, 0), 3L))
    assertMatchesHost(RoutedBatch.fromCounts("odd-blocks", "", "test", 2, Array(300, 383, 0, 129, 128), 3L))
    assertMatchesHost(RoutedBatch.fromCounts("no-tokens", "", "test", 2, Array(0, 0, 0), 3L))
    assertMatchesHost(RoutedBatch.fromCounts("one-expert", "", "test", 1, Array(500), 3L))
  }

  test("ids out of range and a token routed twice are refused, naming the batch") {
    val ops = new HostColumnOps
    val high = intercept[InvalidInputException](RoutingColumns.build(ops, Array(0, 1, 4, 2), 4, 2, "bad-high"))
    assert(high.getMessage.contains("expert_ids") && high.getMessage.contains("[0, 4)") && high.getMessage.contains("bad-high"))
    val negative = intercept[InvalidInputException](RoutingColumns.build(ops, Array(0, -1), 4, 1, "bad-low"))
    assert(negative.getMessage.contains("-1"))
    val twice = intercept[InvalidInputException](RoutingColumns.build(ops, Array(0, 1, 2, 2), 4, 2, "bad-twice"))
    assert(twice.getMessage.contains("twice") && twice.getMessage.contains("bad-twice"))
    val ragged = intercept[InvalidInputException](RoutingColumns.build(ops, Array(0, 1, 2), 4, 2, "bad-length"))
    assert(ragged.getMessage.contains("top_k=2"))
  }
}
