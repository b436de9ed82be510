package org.padfree.cuda.kernels;

import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.KernelSpec;
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.quant.ScaleBlocks;

/**
 * Launcher of {@code fp8_quantize.cuh}: 1x128 activation and 128x128 weight quantization on the GPU,
 * producing exactly the bytes and scales of org.padfree.quant.Fp8Quantizer, in the GPU layouts
 * (activation scales M-major and TMA-aligned; weights [E][N][K] with scales [E][N/128][K/128]).
 */
public final class Fp8Quantize {
  private static final int THREADS = 256;

  public KernelSpec activationSpec() {
    return new KernelSpec("padfree_quantize_activations", "padfree/fp8_quantize.cuh", "padfree::quantize_activations",
        List.of(), List.of("const float* x", "uint8_t* q", "float* scales", "int rows", "int k", "int scale_stride"),
        THREADS, 1).withCall("padfree::quantize_activations(x, q, scales, rows, k, scale_stride)");
  }

  /** The same quantization from BF16 input (an MoE layer's intermediate, widened exactly to FP32). */
  public KernelSpec activationBf16Spec() {
    return new KernelSpec("padfree_quantize_activations_bf16", "padfree/fp8_quantize.cuh", "padfree::quantize_activations",
        List.of(), List.of("const __nv_bfloat16* x", "uint8_t* q", "float* scales", "int rows", "int k", "int scale_stride"),
        THREADS, 1).withCall("padfree::quantize_activations(x, q, scales, rows, k, scale_stride)");
  }

  public KernelSpec weightSpec() {
    return new KernelSpec("padfree_quantize_weights_t" + THREADS, "padfree/fp8_quantize.cuh", "padfree::quantize_weights",
        List.of(Integer.toString(THREADS)), List.of("const float* w", "uint8_t* q", "float* scales", "int n", "int k"),
        THREADS, 1);
  }

  /** x [rows][k] FP32 -> q [rows][k] FP8 and scales [ceil(k/128)][roundUp(rows, 4)]. */
  public void activations(KernelJit jit, CudaDevice device, CudaStream stream, DeviceBuffer x, DeviceBuffer q,
      DeviceBuffer scales, int rows, int k) {
    quantize(jit, device, stream, activationSpec(), 4, x, q, scales, rows, k);
  }

  /**
   * x [rows][k] BF16 -> q [rows][k] FP8 and scales [ceil(k/128)][roundUp(rows, 4)], as its FP32 value
   * would; the launch marshalled once, to enqueue on a stream.
   */
  public LoadedKernel.PreparedLaunch activationsBf16(KernelJit jit, CudaDevice device, DeviceBuffer x, DeviceBuffer q,
      DeviceBuffer scales, int rows, int k) {
    return prepare(jit, device, activationBf16Spec(), 2, x, q, scales, rows, k);
  }

  private static void quantize(KernelJit jit, CudaDevice device, CudaStream stream, KernelSpec spec, int inputBytes,
      DeviceBuffer x, DeviceBuffer q, DeviceBuffer scales, int rows, int k) {
    prepare(jit, device, spec, inputBytes, x, q, scales, rows, k).enqueue(stream);
  }

  private static LoadedKernel.PreparedLaunch prepare(KernelJit jit, CudaDevice device, KernelSpec spec, int inputBytes,
      DeviceBuffer x, DeviceBuffer q, DeviceBuffer scales, int rows, int k) {
    Validate.nonNegative("rows", rows);
    Validate.require(k > 0 && k % 4 == 0, "k", k, "must be a positive multiple of 4");
    int kBlocks = ScaleBlocks.blocks(k);
    int stride = ScaleBlocks.roundUp(rows, ScaleBlocks.TMA_SCALE_ALIGN);
    Validate.require(x.bytes() >= (long) inputBytes * rows * k && q.bytes() >= (long) rows * k
        && scales.bytes() >= 4L * kBlocks * stride, "buffers", x.bytes() + "/" + q.bytes() + "/" + scales.bytes(),
        "too small for rows=" + rows + ", k=" + k);
    if (rows == 0) {
      return LoadedKernel.PreparedLaunch.NONE;
    }
    long warps = (long) rows * kBlocks;
    int blocks = Math.toIntExact((warps * 32 + THREADS - 1) / THREADS);
    return jit.load(device, spec).prepare(LoadedKernel.LaunchConfig.linear(blocks, THREADS, 0), x, q, scales, rows, k, stride);
  }

  /** w [experts][n][k] FP32 -> q [experts][n][k] FP8 and scales [experts][ceil(n/128)][ceil(k/128)]. */
  public void weights(KernelJit jit, CudaDevice device, CudaStream stream, DeviceBuffer w, DeviceBuffer q,
      DeviceBuffer scales, int experts, int n, int k) {
    Validate.positive("experts", experts);
    Validate.positive("n", n);
    Validate.positive("k", k);
    int blocks = Math.multiplyExact(experts, ScaleBlocks.blocks(n) * ScaleBlocks.blocks(k));
    Validate.require(w.bytes() >= 4L * experts * n * k && q.bytes() >= (long) experts * n * k
        && scales.bytes() >= 4L * blocks, "buffers", w.bytes() + "/" + q.bytes() + "/" + scales.bytes(),
        "too small for experts=" + experts + ", n=" + n + ", k=" + k);
    jit.load(device, weightSpec()).launch(LoadedKernel.LaunchConfig.linear(blocks, THREADS, 0), stream, w, q, scales, n, k);
  }
}
