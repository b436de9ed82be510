package org.padfree.cuda.kernels;

import java.util.List;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.KernelSpec;
import org.padfree.cuda.jit.LoadedKernel;
import org.padfree.quant.ScaleBlocks;

/**
 * Launcher of {@code moe_layer.cuh}: the MoE layer's steps around its two grouped GEMMs (dispatch,
 * SwiGLU, combine), each bit for bit the CPU reference's (org.padfree.moe.CpuMoeLayer). Each method
 * checks its buffers and returns the launch marshalled once (enqueue it on a stream, as often as
 * needed), so a timed layer measures the GPU's work, not the host's launch preparation.
 */
public final class MoeLayerKernels {
  private static final int THREADS = 256;

  public KernelSpec gatherSpec() {
    return new KernelSpec("padfree_moe_gather_token_rows", "padfree/moe_layer.cuh", "padfree::gather_token_rows", List.of(),
        List.of("const uint8_t* tokens", "const float* token_scales", "int token_stride", "const int* row_token",
            "uint8_t* a", "float* a_scales", "int a_stride", "int rows", "int k", "float zero_scale"), THREADS, 1)
        .withCall("padfree::gather_token_rows(tokens, token_scales, token_stride, row_token, a, a_scales, a_stride, rows, k, zero_scale)");
  }

  public KernelSpec swigluSpec() {
    return new KernelSpec("padfree_moe_swiglu_bf16", "padfree/moe_layer.cuh", "padfree::swiglu_bf16", List.of(),
        List.of("const __nv_bfloat16* g", "__nv_bfloat16* h", "long long values"), THREADS, 1)
        .withCall("padfree::swiglu_bf16(g, h, values)");
  }

  public KernelSpec combineSpec() {
    return new KernelSpec("padfree_moe_combine_slots", "padfree/moe_layer.cuh", "padfree::combine_slots", List.of(),
        List.of("const __nv_bfloat16* d", "const int* row_of_slot", "const float* routing", "__nv_bfloat16* out",
            "int tokens", "int top_k", "int hidden"), THREADS, 1)
        .withCall("padfree::combine_slots(d, row_of_slot, routing, out, tokens, top_k, hidden)");
  }

  /**
   * A[r] = tokens[rowToken[r]] (FP8 rows of k bytes, 1x128 scales in the TMA-aligned M-major layout of
   * {@code tokenRows} and {@code rows} rows); a row of token -1 gets zeros and the zero row's scale.
   */
  public LoadedKernel.PreparedLaunch gather(KernelJit jit, CudaDevice device, DeviceBuffer tokens, DeviceBuffer tokenScales,
      int tokenRows, DeviceBuffer rowToken, DeviceBuffer a, DeviceBuffer aScales, int rows, int k) {
    Validate.require(k > 0 && k % 16 == 0, "k", k, "must be a positive multiple of 16 (16-byte row copies)");
    int kBlocks = ScaleBlocks.blocks(k);
    int tokenStride = ScaleBlocks.roundUp(Math.max(tokenRows, 1), ScaleBlocks.TMA_SCALE_ALIGN);
    int stride = ScaleBlocks.roundUp(Math.max(rows, 1), ScaleBlocks.TMA_SCALE_ALIGN);
    Validate.require(tokens.bytes() >= (long) tokenRows * k && tokenScales.bytes() >= 4L * kBlocks * tokenStride
        && rowToken.bytes() >= 4L * rows && a.bytes() >= (long) rows * k && aScales.bytes() >= 4L * kBlocks * stride,
        "buffers", a.bytes() + "/" + aScales.bytes(), "too small for rows=" + rows + ", k=" + k);
    if (rows == 0) {
      return LoadedKernel.PreparedLaunch.NONE;
    }
    long scaleBlocks = ((long) kBlocks * rows + THREADS - 1) / THREADS;  // after the row blocks: the scales
    return jit.load(device, gatherSpec()).prepare(LoadedKernel.LaunchConfig.linear(Math.toIntExact(rows + scaleBlocks), THREADS, 0),
        tokens, tokenScales, tokenStride, rowToken, a, aScales, stride, rows, k, ScaleBlocks.scaleOf(0f));
  }

  /** h [rows][I] BF16 from G [rows][2I] BF16 (gate and up interleaved). */
  public LoadedKernel.PreparedLaunch swiglu(KernelJit jit, CudaDevice device, DeviceBuffer g, DeviceBuffer h, int rows,
      int intermediate) {
    long values = (long) rows * intermediate;
    Validate.require(g.bytes() >= 4 * values && h.bytes() >= 2 * values, "buffers", g.bytes() + "/" + h.bytes(),
        "too small for rows=" + rows + ", I=" + intermediate);
    if (values == 0) {
      return LoadedKernel.PreparedLaunch.NONE;
    }
    return jit.load(device, swigluSpec()).prepare(gridStride(device, values), g, h, values);
  }

  /** out [tokens][H] BF16 = routing-weighted sum of each token's top-k rows of D [rows][H]. */
  public LoadedKernel.PreparedLaunch combine(KernelJit jit, CudaDevice device, DeviceBuffer d, DeviceBuffer rowOfSlot,
      DeviceBuffer routing, DeviceBuffer out, int tokens, int topK, int hidden) {
    Validate.require(hidden > 0 && hidden % 8 == 0, "hidden", hidden, "must be a positive multiple of 8 (16-byte pieces)");
    long values = (long) tokens * hidden;
    Validate.require(rowOfSlot.bytes() >= 4L * tokens * topK && routing.bytes() >= 4L * tokens * topK
        && out.bytes() >= 2 * values, "buffers", out.bytes(), "too small for tokens=" + tokens + ", H=" + hidden);
    if (values == 0) {
      return LoadedKernel.PreparedLaunch.NONE;
    }
    return jit.load(device, combineSpec()).prepare(LoadedKernel.LaunchConfig.linear(tokens, THREADS, 0), d, rowOfSlot,
        routing, out, tokens, topK, hidden);
  }

  private static LoadedKernel.LaunchConfig gridStride(CudaDevice device, long values) {
    int blocks = (int) Math.min((values + THREADS - 1) / THREADS, device.multiprocessors() * 16L);
    return LoadedKernel.LaunchConfig.linear(blocks, THREADS, 0);
  }
}
