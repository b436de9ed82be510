package org.padfree.layout

import org.padfree.InvalidInputException
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

class LayoutBuilderSuite extends AnyFunSuite {
  // 4 tokens, top-2, 3 experts. Slots (token*2 + j): 0:e0 1:e2 | 2:e1 3:e2 | 4:e2 5:e0 | 6:e0 7:e1
  private val batch = new RoutedBatch("hand", "", "test", 3, 2, 4, Array(0, 2, 1, 2, 2, 0, 0, 1), 1L)

  test("padding-free layout of a hand-computed batch") {
    val l = LayoutBuilder.paddingFree(batch)
    assert(l.offsets.toSeq == Seq(0, 3, 5, 8))
    assert(l.rowSource.toSeq == Seq(0, 5, 6, 2, 7, 1, 3, 4))
    assert(l.rows == 8 && l.groupSize(1) == 2)
  }

  test("padded layout of the same batch: groups at 0, 128, 256; padding marked -1") {
    val l = LayoutBuilder.padded(batch)
    assert(l.groupStarts.toSeq == Seq(0, 128, 256, 384))
    assert(l.paddedRows == 384 && l.paddingRows == 376)
    assert(l.groupIndex.slice(0, 4).toSeq == Seq(0, 0, 0, -1))
    assert(l.groupIndex.slice(127, 131).toSeq == Seq(-1, 1, 1, -1))
    assert(l.groupIndex.slice(256, 260).toSeq == Seq(2, 2, 2, -1))
    assert(l.rowSource.slice(0, 4).toSeq == Seq(0, 5, 6, -1))
    assert(l.rowSource.slice(128, 131).toSeq == Seq(2, 7, -1))
    assert(l.rowSource.slice(256, 260).toSeq == Seq(1, 3, 4, -1))
    assert(l.groupIndex.count(_ >= 0) == 8)
  }

  test("a group of exactly 128 needs no padding; 129 needs 127 rows; an empty expert takes no rows") {
    val b = RoutedBatch.fromCounts("b", "", "test", 1, Array(128, 0, 129), 1L)
    val l = LayoutBuilder.padded(b)
    assert(l.groupStarts.toSeq == Seq(0, 128, 128, 384))
    assert(l.paddingRows == 127)
  }

  test("masked layout: counts per expert, slots in the first rows of each slab") {
    val l = LayoutBuilder.masked(batch, 3)
    assert(l.counts.toSeq == Seq(3, 2, 3))
    assert(l.rowSource.toSeq == Seq(0, 5, 6, 2, 7, -1, 1, 3, 4))
    val e = intercept[InvalidInputException](LayoutBuilder.masked(batch, 2))
    assert(e.getMessage.contains("max_rows = 2") && e.getMessage.contains("expert 0"))
  }

  test("memory accounting, hand-computed for N=4096, K=7168 (DeepSeek-V3 gate/up)") {
    val m = MemoryAccounting.of(LayoutBuilder.paddingFree(batch), LayoutBuilder.padded(batch), 4096, 7168)
    assert(m.activations == 8 * 7168 && m.activationScales == 4 * 56 * 8 && m.offsets == 16 && m.output == 2 * 8 * 4096)
    assert(m.paddedActivations == 384 * 7168 && m.paddedActivationScales == 4 * 56 * 384)
    assert(m.groupIndex == 4 * 384 && m.paddedOutput == 2 * 384 * 4096)
    assert(m.paddingFreePeak == 124688L)
    assert(m.paddedPeak == 6044928L)
    // DESIGN.md's decomposition: 376 padding rows x (K + 4K/128 + 2N) + index (1536 - 16) + copy of the 8 valid rows
    assert(m.savedBytes == 376L * (7168 + 224 + 8192) + (1536 - 16) + 8L * (7168 + 224))
    assert(m.savedBytes == 5920240L)
    assert(math.abs(m.savedFraction - 5920240.0 / 6044928.0) < 1e-15)
    assert(m.savedByTensor.values.stream.mapToLong(_.longValue).sum ==
      m.savedBytes - 0 /* the unpadded A and its scales are in both peaks */)
  }

  test("memory accounting: scale rows are TMA-aligned to 4 floats; no padding means only the copy and index differ") {
    val m = MemoryAccounting.of(5, 128, 1, 256, 200)
    assert(m.activationScales == 4 * 2 * 8)
    val aligned = MemoryAccounting.of(128, 128, 1, 256, 256)
    assert(aligned.paddingRows == 0)
    assert(aligned.savedBytes == 128L * 256 + 4 * 2 * 128 + (4 * 128 - 8))
  }

  test("memory accounting rejects impossible inputs") {
    val e = intercept[InvalidInputException](MemoryAccounting.of(10, 5, 1, 16, 16))
    assert(e.getMessage.contains("padded_rows = 5"))
    val e2 = intercept[InvalidInputException](
      MemoryAccounting.of(LayoutBuilder.paddingFree(batch), LayoutBuilder.padded(RoutedBatch.fromCounts("x", "", "t", 1, Array(1, 1), 1L)), 16, 16))
    assert(e2.getMessage.contains("num_experts = 2"))
  }

  test("layout records validate their own invariants") {
    val e = intercept[InvalidInputException](new PaddedLayout(1, Array(0, 128), Array.fill(128)(0), Array.fill(128)(-1)))
    assert(e.getMessage.contains("row_source[0] = -1"))
    val e2 = intercept[InvalidInputException](new PaddingFreeLayout(2, Array(0, 2, 1), Array(0)))
    assert(e2.getMessage.contains("offsets[2] = 1"))
  }
}
