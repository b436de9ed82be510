package org.padfree.backend

import org.padfree.InvalidInputException
import org.padfree.columnar.{HostColumnOps, RoutingColumns}
import org.padfree.cuda.DeviceBuffer
import org.padfree.quant.QuantizedWeights
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

/**
 * A problem routed on the device, planned on the host without a GPU: buffer views stand in for cuDF's
 * columns (a view never touches the device). The plan takes the E + 1 offsets only and makes no host
 * layout; inconsistent routings are refused naming the field.
 */
class DeviceRoutingSuite extends AnyFunSuite {
  private def weights(experts: Int): QuantizedWeights =
    new QuantizedWeights(128, 128, Array.fill(experts)(new Array[Byte](128 * 128)), Array.fill(experts)(new Array[Float](1)))

  /** Views of made-up addresses, each exactly as large as the host's arrays (never dereferenced here). */
  private def routing(b: RoutedBatch, blocksOverride: Option[Int] = None): DeviceRouting = {
    val built = RoutingColumns.build(new HostColumnOps, b.expertIds, b.numExperts, b.topK, b.batchId)
    def v(ints: Array[Int], name: String) = DeviceBuffer.view(if (ints.isEmpty) 0L else 0x7f0000000000L, 4L * ints.length, name)
    new DeviceRouting(b.numExperts, b.routedRows, built.hostOffsets, built.hostGroupStarts, built.maxRows,
      v(built.rowSource, "row source"), v(built.tokenOfRow, "token of row"), v(built.offsets, "offsets"),
      v(built.counts, "counts"), v(built.groupIndex, "group index"), v(built.padSource, "pad source"),
      v(built.maskedSource, "masked source"), v(built.blockTable, "block table"), blocksOverride.getOrElse(built.blocks),
      "test", () => ())
  }

  test("the plan of a device-routed problem holds offsets and sizes only, the same sizes as the host plan") {
    val b = RoutedBatch.fromCounts("dev", "", "test", 1, Array(0, 1, 127, 128, 129, 0, 300), 5L)
    val hostPlan = CudaRunPlan.of(GroupedGemmProblem.synthetic(b, 1L, weights(7)))
    val p = GroupedGemmProblem.synthetic(b, 1L, weights(7)).withDeviceRouting(routing(b))
    val plan = CudaRunPlan.of(p)
    assert(plan.device != null && plan.blockTable == null && plan.padSource == null && plan.groupIndex == null
      && plan.maskedSource == null, "no per-row array on the host")
    assert(plan.rows == hostPlan.rows && plan.paddedRows == hostPlan.paddedRows && plan.maxRows == hostPlan.maxRows
      && plan.freeMBlocks == hostPlan.freeMBlocks && plan.offsets.sameElements(hostPlan.offsets)
      && plan.counts.sameElements(hostPlan.counts))
    assert(p.offsets.sameElements(hostPlan.offsets) && p.paddedRows == hostPlan.paddedRows && p.maxRows == hostPlan.maxRows)
    val est = DeviceMemoryEstimate.of(plan, b.numTokens, true, 4, 0)
    val hostEst = DeviceMemoryEstimate.of(hostPlan, b.numTokens, true, 4, 0)
    assert(est.bytes < hostEst.bytes, "layout arrays already in cuDF's pool are not counted again")
  }

  test("a routing of another batch, or a block count the offsets do not make, is refused naming the field") {
    val b = RoutedBatch.fromCounts("dev", "", "test", 1, Array(3, 200, 0), 5L)
    val other = RoutedBatch.fromCounts("other", "", "test", 1, Array(3, 201, 0), 5L)
    val wrongBatch = intercept[InvalidInputException](
      GroupedGemmProblem.synthetic(b, 1L, weights(3)).withDeviceRouting(routing(other)))
    assert(wrongBatch.getMessage.contains("device_routing") && wrongBatch.getMessage.contains("dev"))
    val p = GroupedGemmProblem.synthetic(b, 1L, weights(3)).withDeviceRouting(routing(b, Some(2)))
    val blocks = intercept[InvalidInputException](CudaRunPlan.of(p))
    assert(blocks.getMessage.contains("block_table") && blocks.getMessage.contains("3 M-blocks"))
  }

  test("a view is never freed by padfree and names itself") {
    val v = DeviceBuffer.view(0x7f0000001000L, 64, "cudf column")
    assert(!v.owned && v.address == 0x7f0000001000L && v.toString.contains("view"))
    v.close() // no cuMemFree: this JVM has no GPU and must not call the driver
    assert(v.isClosed)
    val bad = intercept[InvalidInputException](DeviceBuffer.view(0, 8, "x"))
    assert(bad.getMessage.contains("address"))
  }
}
