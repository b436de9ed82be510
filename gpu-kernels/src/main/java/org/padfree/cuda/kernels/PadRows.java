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
 * Launcher of {@code pad_rows.cuh}: builds the padded A and its M-major scales from the dispatched
 * (padding-free) batch, given for each padded row its source row or -1 (LayoutBuilder.padSource).
 */
public final class PadRows {
  private static final int THREADS = 256;
  private static final int ROWS_PER_BLOCK = 32;

  public KernelSpec spec() {
    return new KernelSpec("padfree_pad_rows_t" + THREADS + "_r" + ROWS_PER_BLOCK, "padfree/pad_rows.cuh",
        "padfree::pad_rows", List.of(Integer.toString(THREADS), Integer.toString(ROWS_PER_BLOCK)),
        List.of("const uint8_t* src", "uint8_t* dst", "const float* src_scales", "float* dst_scales",
            "const int* source", "int dst_rows", "int k", "int k_blocks", "int src_scale_stride", "int dst_scale_stride",
            "float zero_scale"), THREADS, 1);
  }

  /** Enqueues the pad of {@code srcRows} dispatched rows into {@code dstRows} padded rows. */
  public void run(KernelJit jit, CudaDevice device, CudaStream stream, DeviceBuffer src, DeviceBuffer srcScales,
      int srcRows, DeviceBuffer dst, DeviceBuffer dstScales, DeviceBuffer source, int dstRows, int k) {
    prepare(jit, device, src, srcScales, srcRows, dst, dstScales, source, dstRows, k).enqueue(stream);
  }

  /** Checks and marshals the pad once; enqueueing the result is one driver call. */
  public LoadedKernel.PreparedLaunch prepare(KernelJit jit, CudaDevice device, DeviceBuffer src, DeviceBuffer srcScales,
      int srcRows, DeviceBuffer dst, DeviceBuffer dstScales, DeviceBuffer source, int dstRows, int k) {
    Validate.require(k > 0 && k % 16 == 0, "k", k, "must be a positive multiple of 16 (16-byte row copies)");
    Validate.require(src.bytes() >= (long) srcRows * k, "src.bytes", src.bytes(), "needs rows x K");
    Validate.require(dst.bytes() >= (long) dstRows * k, "dst.bytes", dst.bytes(), "needs padded rows x K");
    Validate.require(source.bytes() >= 4L * dstRows, "source.bytes", source.bytes(), "needs one int per padded row");
    if (dstRows == 0) {
      return LoadedKernel.PreparedLaunch.NONE;
    }
    int kBlocks = ScaleBlocks.blocks(k);
    LoadedKernel kernel = jit.load(device, spec());
    int chunks = (dstRows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
    return kernel.prepare(LoadedKernel.LaunchConfig.linear(Math.min(chunks, device.multiprocessors() * 8), THREADS, 0),
        src, dst, srcScales, dstScales, source, dstRows, k, kBlocks,
        ScaleBlocks.roundUp(Math.max(1, srcRows), ScaleBlocks.TMA_SCALE_ALIGN),
        ScaleBlocks.roundUp(dstRows, ScaleBlocks.TMA_SCALE_ALIGN), ScaleBlocks.scaleOf(0f));
  }
}
