package org.padfree.cuda.gpu

import java.nio.file.Files
import org.padfree.cuda._
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.{Fp8Quantize, SyntheticInputs}
import org.padfree.quant.{Fp8Quantizer, ScaleBlocks}
import org.padfree.reference.SyntheticData
import org.scalatest.funsuite.AnyFunSuite

/** Activations and weights made on the GPU are the host generator's, bit for bit, and so are their FP8 forms. */
class SyntheticInputsGpuSuite extends AnyFunSuite with GpuSuite {
  private lazy val jit = new KernelJit(CudaSettings.fromEnvironment().withCacheDir(Files.createTempDirectory("padfree-synthetic")))

  private def differing(a: Array[Float], b: Array[Float]): Int =
    a.indices.count(i => java.lang.Float.floatToRawIntBits(a(i)) != java.lang.Float.floatToRawIntBits(b(i)))

  test("activations made on the GPU equal SyntheticData.activations bit for bit, and quantize to the same FP8") {
    val device = hopper()
    val generate = new SyntheticInputs()
    // Seeds of both signs and a large one; K tails; a DeepSeek-V3 gate_up batch of 16384 tokens (117M values).
    for ((seed, tokens, k) <- Seq((42L, 1000, 400), (-3L, 3, 7168), (Long.MaxValue - 5, 517, 2048), (7L, 16384, 7168))) {
      val host = SyntheticData.activations(seed, tokens, k)
      val stream = new CudaStream()
      val x = DeviceBuffer.allocate(4L * tokens * k, "x").fill(0x55.toByte)
      val stride = ScaleBlocks.roundUp(tokens, 4)
      val q = DeviceBuffer.allocate(tokens.toLong * k, "q")
      val s = DeviceBuffer.allocate(4L * ScaleBlocks.blocks(k) * stride, "scales")
      try {
        generate.activations(jit, device, stream, seed, tokens, k, x)
        new Fp8Quantize().activations(jit, device, stream, x, q, s, tokens, k)
        stream.synchronize("synthetic activations")
        val bad = differing(x.toFloats, host)
        assert(bad == 0, s"seed=$seed tokens=$tokens k=$k: $bad values differ from the host's")
        val cpu = Fp8Quantizer.quantizeActivations(host, tokens, k)
        assert(java.util.Arrays.equals(q.toBytes, cpu.values()), s"seed=$seed: FP8 codes")
        assert(differing(s.toFloats, cpu.tmaAlignedScales()) == 0, s"seed=$seed: scales")
      } finally { x.close(); q.close(); s.close(); stream.close() }
    }
  }

  test("weights made on the GPU equal SyntheticData.weights bit for bit") {
    val device = hopper()
    for ((seed, n, k) <- Seq((7L, 200, 400), (-1L, 4096, 7168))) {
      val stream = new CudaStream()
      val w = DeviceBuffer.allocate(4L * n * k, "w").fill(0x55.toByte)
      try {
        new SyntheticInputs().weights(jit, device, stream, seed, n, k, w)
        stream.synchronize("synthetic weights")
        val bad = differing(w.toFloats, SyntheticData.weights(seed, n, k))
        assert(bad == 0, s"seed=$seed n=$n k=$k: $bad values differ")
      } finally { w.close(); stream.close() }
    }
  }

  test("a buffer too small is rejected before launch, naming it") {
    val device = hopper()
    val stream = new CudaStream()
    val x = DeviceBuffer.allocate(4L * 10, "x")
    try {
      val e = intercept[IllegalArgumentException](new SyntheticInputs().activations(jit, device, stream, 1L, 3, 4, x))
      assert(e.getMessage.contains("x.bytes"))
    } finally { x.close(); stream.close() }
  }
}
