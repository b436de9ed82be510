package org.padfree.backend

import org.padfree.quant.{Fp8Quantizer, QuantizedWeights}
import org.padfree.reference.SyntheticData
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite
import scala.jdk.CollectionConverters._

/** The CUDA backend's device-memory estimate, checked by hand against the buffers of one call (no GPU). */
class DeviceMemoryEstimateSuite extends AnyFunSuite {
  private val MiB2 = DeviceMemoryEstimate.GRANULARITY

  private def plan(counts: Array[Int], n: Int, k: Int, topK: Int = 1): (CudaRunPlan, GroupedGemmProblem) = {
    val batch = RoutedBatch.fromCounts("est", "", "test", topK, counts, 3L)
    val weights = Fp8Quantizer.quantizeExperts(Array.tabulate(counts.length)(e => SyntheticData.weights(e, n, k)), n, k)
    val p = GroupedGemmProblem.synthetic(batch, 3L, weights)
    (CudaRunPlan.of(p), p)
  }

  private def bytesOf(e: DeviceMemoryEstimate, name: String): Long =
    e.buffers.asScala.find(_.name == name).getOrElse(fail(s"no buffer '$name' in ${e.buffers}")).bytes

  test("every buffer sized as the backend allocates it: A, scales, padded and masked copies, a D per path") {
    // groups 0, 1, 127, 128, 129, 300: 685 rows; padded to 0+128+128+128+256+384 = 1024; masked 6 x 300
    val (pl, p) = plan(Array(0, 1, 127, 128, 129, 300), 256, 384)
    val e = DeviceMemoryEstimate.of(pl, p.batch.numTokens, true, -1, 0)
    assert(pl.rows == 685 && pl.paddedRows == 1024 && pl.maskedRows == 1800, s"$pl")
    val kb = 3 // 384 / 128
    val expected = Map(
      "token floats" -> 4L * 685 * 384, "tokens" -> 685L * 384, "token scales" -> 4L * kb * 688,
      // A operands the GEMM reads with 128-row boxes carry 127 rows of slack (Sm90Fp8GroupedGemm.activationBytes)
      "A" -> (685L + 127) * 384, "A scales" -> 4L * kb * 688,
      "A padded" -> 1024L * 384, "A padded scales" -> 4L * kb * 1024,
      "A masked" -> (1800L + 127) * 384, "A masked scales" -> 4L * kb * 1800,
      "D" -> 2L * 685 * 256, "D padded" -> 2L * 1024 * 256, "D masked" -> 2L * 1800 * 256,
      "token of row" -> 4L * 685, "offsets" -> 4L * 7, "group index" -> 4L * 1024, "pad source" -> 4L * 1024,
      "counts" -> 4L * 6, "masked source" -> 4L * 1800, "block table" -> 4L * pl.blockTable.length)
    for ((name, bytes) <- expected) assert(bytesOf(e, name) == bytes, s"buffer '$name'")
    assert(e.buffers.size == expected.size, s"unexpected buffers: ${e.buffers.asScala.map(_.name).filterNot(expected.contains(_))}")
    assert(e.bytes == expected.size * MiB2, "each small buffer counts as one 2 MiB page")
    assert(e.needed == e.bytes + DeviceMemoryEstimate.RESERVE)
  }

  test("uploaded tokens need no float buffer; device checks add the row maps; new weights count until resident") {
    val (pl, p) = plan(Array(40, 0, 17), 128, 256)
    val uploaded = DeviceMemoryEstimate.of(pl, p.batch.numTokens, false, -1, 0)
    assert(!uploaded.buffers.asScala.exists(_.name == "token floats"))
    val checked = DeviceMemoryEstimate.of(pl, p.batch.numTokens, false, 5, 0)
    assert(checked.buffers.asScala.map(_.name).toSet -- uploaded.buffers.asScala.map(_.name) ==
      Set("padded row map", "masked row map", "padded mismatch count", "masked mismatch count"))
    val weightBytes = ResidentWeights.deviceBytes(p.weights)
    assert(weightBytes == 3L * 128 * 256 + 4L * 3 * 1 * 2)
    val withWeights = DeviceMemoryEstimate.of(pl, p.batch.numTokens, false, -1, weightBytes)
    assert(withWeights.bytes - uploaded.bytes == DeviceMemoryEstimate.roundUp(weightBytes))
  }

  test("top-2 routing: dispatched rows are twice the tokens, and the estimate follows the rows") {
    val (pl, p) = plan(Array(64, 64, 64, 64), 128, 128, topK = 2)
    val e = DeviceMemoryEstimate.of(pl, p.batch.numTokens, true, -1, 0)
    assert(p.batch.numTokens == 128 && pl.rows == 256)
    assert(bytesOf(e, "tokens") == 128L * 128 && bytesOf(e, "A") == (256L + 127) * 128)
  }

  test("a DeepSeek-V3 sized batch: the large buffers dominate and the total is their sum, rounded up") {
    // 256 experts, 64k routed rows, gate_up N=4096 K=7168: D alone is 2 * 65536 * 4096 = 512 MiB per path
    val counts = Array.fill(256)(256)
    val batch = RoutedBatch.fromCounts("big", "", "test", 8, counts, 1L)
    val codes = new Array[Byte](4096 * 7168) // one matrix shared by every expert, as a weight bank does
    val scales = new Array[Float](32 * 56)
    val weights = new QuantizedWeights(4096, 7168, Array.fill(256)(codes), Array.fill(256)(scales))
    val pl = CudaRunPlan.of(GroupedGemmProblem.synthetic(batch, 1L, weights))
    val e = DeviceMemoryEstimate.of(pl, batch.numTokens, true, -1, 0)
    assert(bytesOf(e, "D") == 512L << 20 && bytesOf(e, "D padded") == 2L * 65536 * 4096)
    val rounded = e.buffers.asScala.map(b => DeviceMemoryEstimate.roundUp(math.max(1, b.bytes))).sum
    assert(e.bytes == rounded && e.bytes >= e.buffers.asScala.map(_.bytes).sum)
    // top-8: 8192 tokens, so the token floats (224 MiB) are smaller than each D
    assert(batch.numTokens == 8192 && bytesOf(e, "token floats") == 4L * 8192 * 7168)
    assert(e.largest(3) == "D 0.50 GiB, D padded 0.50 GiB, D masked 0.50 GiB", e.largest(3))
  }

  test("fits compares the need with the available bytes; the message names the batch, its size, the limit and the fix") {
    val (pl, p) = plan(Array(300, 5, 0), 512, 256)
    val e = DeviceMemoryEstimate.of(pl, p.batch.numTokens, true, -1, 0)
    assert(e.fits(e.needed) && !e.fits(e.needed - 1))
    val msg = e.tooLargeMessage("batch-7", "NVIDIA H200 (sm_90)", 123456789L, "free now 123456789")
    for (part <- Seq("batch batch-7 does not fit in device memory", s"${pl.rows} routed rows", "N=512 K=256",
        s"need ${e.needed} bytes", "at most 123456789 bytes", "NVIDIA H200", "free now 123456789", "smaller batches"))
      assert(msg.contains(part), s"message lacks '$part': $msg")
  }
}
