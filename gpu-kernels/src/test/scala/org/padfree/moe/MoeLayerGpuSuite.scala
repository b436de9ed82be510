package org.padfree.moe

import org.padfree.cuda.{CudaStream, DeviceBuffer}
import org.padfree.cuda.gpu.GpuSuite
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.{DeviceGemmOperands, Fp8Quantize, MoeLayerKernels}
import org.padfree.numerics.Bf16
import org.padfree.quant.Fp8Quantizer
import org.padfree.reference.{Bf16Matrix, RelativeError}
import org.padfree.routing.RoutedBatch
import org.scalatest.funsuite.AnyFunSuite

/**
 * The MoE layer on the H200 (CudaMoeLayer), on fresh data each run (the seed is printed): its
 * elementwise steps equal the CPU's bit for bit, padded and padding-free layers are bit-identical,
 * sampled tokens are within the documented bound of the double layer, and a DeepSeek-V3-sized layer
 * is timed in both forms. Cancels, visibly, without a Hopper GPU.
 */
class MoeLayerGpuSuite extends AnyFunSuite with GpuSuite {
  private val seed = System.nanoTime() & 0xffffffL

  private def randomBf16(values: Int, s: Long): Array[Short] = {
    val r = new java.util.Random(s)
    Array.fill(values)(Bf16.round((r.nextGaussian() * 3).toFloat))
  }

  test("dispatch gather, SwiGLU, BF16 quantization and combine equal the CPU's bit for bit") {
    val device = hopper()
    info(s"seed $seed")
    val jit = KernelJit.shared()
    val steps = new MoeLayerKernels()
    val stream = new CudaStream()
    try {
      // SwiGLU and the intermediate's quantization: 300 rows x I = 384 (three scale blocks)
      val (rows, inter) = (300, 384)
      val g = new Bf16Matrix(rows, 2 * inter, randomBf16(rows * 2 * inter, seed))
      val hCpu = SwiGlu.apply(g)
      val qCpu = Fp8Quantizer.quantizeActivations(hCpu, rows, inter)
      val gBuf = DeviceBuffer.allocate(4L * rows * inter, "G")
      val hBuf = DeviceBuffer.allocate(2L * rows * inter, "h")
      val qBuf = DeviceBuffer.allocate(rows.toLong * inter, "q")
      val sBuf = DeviceBuffer.allocate(4L * 3 * 300, "scales")
      gBuf.copyFrom(shortsToBytes(g.bits))
      steps.swiglu(jit, device, gBuf, hBuf, rows, inter).enqueue(stream)
      new Fp8Quantize().activationsBf16(jit, device, hBuf, qBuf, sBuf, rows, inter).enqueue(stream)
      stream.synchronize("steps")
      val hGpu = hBuf.toShorts()
      assert(hGpu.indices.forall(i => Bf16.toFloat(hGpu(i)) == hCpu(i) || (hCpu(i).isNaN && Bf16.toFloat(hGpu(i)).isNaN)),
        "SwiGLU differs from the CPU's")
      assert(qBuf.toBytes().sameElements(qCpu.values), "quantized intermediate differs")
      assert(sBuf.toFloats().sameElements(qCpu.tmaAlignedScales()), "intermediate scales differ")

      // gather (with padding rows) and combine on a small routed batch
      val b = RoutedBatch.fromCounts(s"gpu-steps-$seed", "", "test", 2, Array(60, 0, 70, 10), seed)
      val hidden = 256
      val tokens = CpuMoeLayer.tokens(b, hidden)
      val padded = org.padfree.layout.LayoutBuilder.padded(b)
      val rowToken = DispatchRows.tokenOf(padded.rowSource, b.topK)
      val a = DeviceBuffer.allocate(padded.rowSource.length.toLong * hidden, "A")
      val aS = DeviceBuffer.allocate(4L * 2 * padded.rowSource.length, "A scales")
      steps.gather(jit, device, DeviceGemmOperands.activations(tokens, "t"), DeviceGemmOperands.activationScales(tokens, "ts"),
        tokens.rows, DeviceBuffer.allocate(4L * rowToken.length, "rt").copyFrom(rowToken), a, aS, rowToken.length, hidden).enqueue(stream)
      val d = new Bf16Matrix(padded.rowSource.length, hidden, randomBf16(padded.rowSource.length * hidden, seed + 1))
      val routing = RoutingWeights.synthetic(b)
      val out = DeviceBuffer.allocate(2L * b.numTokens * hidden, "out")
      val dBuf = DeviceBuffer.allocate(2L * d.bits.length, "D").copyFrom(shortsToBytes(d.bits))
      val slots = DispatchRows.rowOfSlot(padded.rowSource, b.numTokens * b.topK)
      steps.combine(jit, device, dBuf, DeviceBuffer.allocate(4L * slots.length, "slots").copyFrom(slots),
        DeviceBuffer.allocate(4L * routing.length, "w").copyFrom(routing), out, b.numTokens, b.topK, hidden).enqueue(stream)
      stream.synchronize("gather and combine")
      val gathered = tokens.gatherRows(rowToken)
      assert(a.toBytes().take(gathered.values.length).sameElements(gathered.values), "gathered rows differ")
      assert(aS.toFloats().sameElements(gathered.tmaAlignedScales()), "gathered scales differ (padding rows included)")
      assert(out.toShorts().sameElements(CpuMoeLayer.combine(b, d, padded.rowSource, routing, hidden).bits), "combine differs")
    } finally stream.close()
  }

  test("padded and padding-free layers on the GPU are bit-identical and within the bound of the double layer") {
    val device = hopper()
    val (hidden, inter) = (512, 384)
    for ((counts, topK, s) <- Seq((Array(0, 1, 127, 128, 129, 3), 1, seed), (Array(100, 0, 2, 190, 130, 10), 2, seed + 7))) {
      val b = RoutedBatch.fromCounts(s"gpu-layer-$s", "", "test", topK, counts, s)
      val w = MoeLayerWeights.synthetic(b.numExperts, hidden, inter, s)
      val tokens = CpuMoeLayer.tokens(b, hidden)
      val routing = RoutingWeights.synthetic(b)
      val layer = new CudaMoeLayer(device)
      val weights = layer.upload(w)
      try {
        val free = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, weights, tokens, routing, 1)
        val padded = layer.run(CpuMoeLayer.Form.PADDED, b, weights, tokens, routing, 1)
        assert(free.out.bits.sameElements(padded.out.bits), s"forms differ on ${counts.mkString(",")}")
        assert(free.rows == b.routedRows && padded.rows > free.rows && free.peakBytes < padded.peakBytes)
        val sample = Seq(0, b.numTokens / 3, b.numTokens / 2, b.numTokens - 1).distinct
        val actual = sample.flatMap(t => (0 until hidden).map(h => free.out.get(t, h).toDouble)).toArray
        val expected = sample.flatMap(t => LayerReference.token(b, w, tokens, routing, t).toSeq).toArray
        val err = RelativeError.of(actual, expected)
        info(f"seed $s: GPU layer vs double $err%.2e (bound ${LayerReference.RELATIVE_ERROR_BOUND})")
        assert(err > 0 && err < LayerReference.RELATIVE_ERROR_BOUND)
        // and close to the CPU's layer (the GEMMs' K-block sums may differ in order, nothing else)
        val cpu = new CpuMoeLayer(4)
        try {
          val c = cpu.run(CpuMoeLayer.Form.PADDING_FREE, b, w, tokens, routing)
          val e2 = RelativeError.of(actual, sample.flatMap(t => (0 until hidden).map(h => c.out.get(t, h).toDouble)).toArray)
          info(f"seed $s: GPU layer vs CPU layer $e2%.2e")
          assert(e2 < 1e-4)
        } finally cpu.close()
        // fused: both forms bit-identical, within the bound of the double layer, near the unfused layer
        val fusedFree = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, weights, tokens, routing, 1, true)
        val fusedPadded = layer.run(CpuMoeLayer.Form.PADDED, b, weights, tokens, routing, 1, true)
        assert(fusedFree.out.bits.sameElements(fusedPadded.out.bits), s"fused forms differ on ${counts.mkString(",")}")
        val fusedActual = sample.flatMap(t => (0 until hidden).map(h => fusedFree.out.get(t, h).toDouble)).toArray
        val fusedErr = RelativeError.of(fusedActual, expected)
        val (unfusedBits, fusedBits) = (free.out.bits(), fusedFree.out.bits())
        val allUnfused = unfusedBits.map(x => Bf16.toFloat(x).toDouble)
        val allFused = fusedBits.map(x => Bf16.toFloat(x).toDouble)
        val differing = unfusedBits.indices.count(i => unfusedBits(i) != fusedBits(i))
        info(f"seed $s: fused vs double $fusedErr%.2e; fused vs unfused ${RelativeError.of(allFused, allUnfused)}%.2e, " +
          f"$differing of ${allFused.length} outputs differ")
        assert(fusedErr > 0 && fusedErr < LayerReference.RELATIVE_ERROR_BOUND)
        // and close to the CPU's fused form (same definition; the GEMMs' K-block sums differ in order)
        val cpuFused = new CpuMoeLayer(4)
        try {
          val c = cpuFused.run(CpuMoeLayer.Form.PADDING_FREE, b, w, tokens, routing, true)
          val e3 = RelativeError.of(fusedActual, sample.flatMap(t => (0 until hidden).map(h => c.out.get(t, h).toDouble)).toArray)
          info(f"seed $s: GPU fused vs CPU fused $e3%.2e")
          assert(e3 < 1e-4)
        } finally cpuFused.close()
      } finally {
        weights.close()
        layer.close()
      }
    }
  }

  test("a DeepSeek-V3-sized layer (H 7168, I 2048; 8 experts, 4096 tokens, top-2) in both forms: checked, then timed") {
    val device = hopper()
    val (hidden, inter, experts, tokensN) = (7168, 2048, 8, 4096)
    val counts = {
      val r = new java.util.Random(seed)
      val raw = Array.fill(experts)(0.3 + r.nextDouble())
      val total = tokensN * 2
      val c = raw.map(x => (x / raw.sum * total).toInt)
      c(0) += total - c.sum
      c
    }
    val b = RoutedBatch.fromCounts(s"gpu-layer-dsv3-$seed", "", "deepseek-v3-sized", 2, counts, seed)
    val w = MoeLayerWeights.synthetic(experts, hidden, inter, seed)
    val tokens = CpuMoeLayer.tokens(b, hidden)
    val routing = RoutingWeights.synthetic(b)
    val layer = new CudaMoeLayer(device)
    val weights = layer.upload(w)
    try {
      val runs = 31
      // two rounds, the forms interleaved (A B A B), so clock drift hits both
      var free: CpuMoeLayer.Run = null
      var padded: CpuMoeLayer.Run = null
      for (round <- 1 to 2; fused <- Seq(false, true)) {
        free = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, weights, tokens, routing, runs, fused)
        val freeSteps = layer.lastStepMillis()
        padded = layer.run(CpuMoeLayer.Form.PADDED, b, weights, tokens, routing, runs, fused)
        val paddedSteps = layer.lastStepMillis()
        assert(free.out.bits.sameElements(padded.out.bits))
        info(f"round $round ${if (fused) "fused" else "unfused"}: layer ${free.millis}%.3f ms padding-free vs ${padded.millis}%.3f ms padded; steps (ms, padding-free / padded): " +
          CudaMoeLayer.STEPS.toArray.indices.map(i => f"${CudaMoeLayer.STEPS.get(i)} ${freeSteps(i)}%.3f / ${paddedSteps(i)}%.3f").mkString(", "))
      }
      // the last round's unfused figures for the summary line below
      free = layer.run(CpuMoeLayer.Form.PADDING_FREE, b, weights, tokens, routing, runs)
      padded = layer.run(CpuMoeLayer.Form.PADDED, b, weights, tokens, routing, runs)
      assert(free.out.bits.sameElements(padded.out.bits))
      val sample = Seq(0, 1234, tokensN - 1)
      val actual = sample.flatMap(t => (0 until hidden).map(h => free.out.get(t, h).toDouble)).toArray
      val expected = sample.flatMap(t => LayerReference.token(b, w, tokens, routing, t).toSeq).toArray
      val err = RelativeError.of(actual, expected)
      assert(err < LayerReference.RELATIVE_ERROR_BOUND)
      val flops = 2.0 * free.rows * (2.0 * inter * hidden + hidden.toDouble * inter)
      info(f"counts ${counts.mkString(",")}: rows ${free.rows} padding-free / ${padded.rows} padded; layer " +
        f"${free.millis}%.3f ms padding-free (${flops / free.millis / 1e9}%.0f TFLOPS useful) vs ${padded.millis}%.3f ms padded " +
        f"(${padded.millis / free.millis}%.3fx); peak activations ${free.peakBytes / 1e6}%.1f vs ${padded.peakBytes / 1e6}%.1f MB; " +
        f"error vs double $err%.2e; median of $runs")
    } finally {
      weights.close()
      layer.close()
    }
  }

  test("the layer's row maps: padding rows have no token, and a slot dispatched nowhere is an error naming it (no GPU needed)") {
    assert(DispatchRows.tokenOf(Array(0, 1, -1, 5), 2).sameElements(Array(0, 0, -1, 2)))
    assert(DispatchRows.rowOfSlot(Array(2, -1, 0, 1), 3).sameElements(Array(2, 3, 0)))
    val e = intercept[org.padfree.InvalidInputException](DispatchRows.rowOfSlot(Array(0, -1, 2), 3))
    assert(e.field == "slot 1")
  }

  private def shortsToBytes(s: Array[Short]): Array[Byte] = {
    val bb = java.nio.ByteBuffer.allocate(2 * s.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
    s.foreach(bb.putShort)
    bb.array()
  }
}
