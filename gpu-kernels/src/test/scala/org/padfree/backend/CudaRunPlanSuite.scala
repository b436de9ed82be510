package org.padfree.backend

import org.padfree.InvalidInputException
import org.padfree.quant.Fp8Quantizer
import org.padfree.reference.SyntheticData
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

/** The GPU backend's host-side half, which needs no GPU: layout validation before upload, busy-time union. */
class CudaRunPlanSuite extends AnyFunSuite {
  private val k = 256
  private val n = 128

  private def problem(counts: Array[Int], topK: Int = 1): GroupedGemmProblem = {
    val batch = RoutedBatch.fromCounts("b", "", "test", topK, counts, 5L)
    val tokens = Fp8Quantizer.quantizeActivations(SyntheticData.activations(5L, batch.numTokens, k), batch.numTokens, k)
    val weights = Fp8Quantizer.quantizeExperts(Array.tabulate(counts.length)(e => SyntheticData.weights(e, n, k)), n, k)
    GroupedGemmProblem.of(batch, tokens, weights)
  }

  test("a valid problem: index arrays derived and sized for every layout, empty and size-1 groups included") {
    val p = problem(Array(0, 1, 127, 128, 129, 0, 300))
    val plan = CudaRunPlan.of(p)
    assert(plan.rows == 685 && plan.experts == 7 && plan.paddedRows == p.padded.paddedRows)
    assert(plan.freeMBlocks == 0 + 1 + 1 + 1 + 2 + 0 + 3, "ceil(size / 128) per group")
    assert(plan.blockTable.length == 2 * plan.freeMBlocks)
    assert(plan.maxRows == 300 && plan.maskedRows == 7 * 300 && plan.maskedMBlocks == 7 * 3)
    assert(plan.padSource.count(_ >= 0) == 685 && plan.maskedSource.count(_ >= 0) == 685)
    assert(plan.scaleBytes(0) == 4L * 2 * 4, "at least 4 rows of scales for the tensor map")
    assert(plan.scaleBytes(685) == 4L * 2 * 688)
  }

  test("an all-empty batch and a one-row batch plan without error") {
    val empty = CudaRunPlan.of(problem(Array(0, 0, 0)))
    assert(empty.rows == 0 && empty.paddedRows == 0 && empty.freeMBlocks == 0)
    assert(empty.maskedRows == 3 * empty.maxRows && empty.maskedSource.forall(_ == -1), "masked rows hold no tokens")
    val one = CudaRunPlan.of(problem(Array(1)))
    assert(one.rows == 1 && one.paddedRows == 128 && one.freeMBlocks == 1 && one.maskedRows == 1)
  }

  test("a layout corrupted after construction is rejected on the host, naming the field and value") {
    val p1 = problem(Array(3, 0, 5))
    p1.paddingFree.offsets()(1) = 7 // offsets now decrease: [0, 7, 3, 8]
    val e1 = intercept[InvalidInputException](CudaRunPlan.of(p1))
    assert(e1.getMessage.contains("offsets[2] = 3"), e1.getMessage)

    val p2 = problem(Array(3, 0, 5))
    p2.padded.groupIndex()(1) = 9 // expert out of range
    val e2 = intercept[InvalidInputException](CudaRunPlan.of(p2))
    assert(e2.getMessage.contains("group_index[1] = 9"), e2.getMessage)

    val p3 = problem(Array(3, 0, 5))
    p3.masked.counts()(2) = 6 // more than max_rows
    val e3 = intercept[InvalidInputException](CudaRunPlan.of(p3))
    assert(e3.getMessage.contains("counts[2] = 6"), e3.getMessage)

    val p4 = problem(Array(3, 0, 5))
    p4.masked.counts()(2) = 4 // within max_rows, but not the padding-free group's size
    val e4 = intercept[InvalidInputException](CudaRunPlan.of(p4))
    assert(e4.getMessage.contains("counts[2] = 4") && e4.getMessage.contains("5 rows"), e4.getMessage)
  }

  test("busy time is the union of intervals: overlap counted once, gaps not at all") {
    val b = new BusyIntervals().add(0, 2).add(1, 3).add(5, 6).add(5.5, 5.7).add(7, 7)
    assert(b.unionMs == 4.0 && math.abs(b.sumMs - 5.2) < 1e-12 && b.size == 4)
    assert(new BusyIntervals().unionMs == 0.0)
    assert(new BusyIntervals().add(3, 4).add(0, 1).unionMs == 2.0, "order of adding does not matter")
    intercept[InvalidInputException](new BusyIntervals().add(Double.NaN, 1))
  }
}
