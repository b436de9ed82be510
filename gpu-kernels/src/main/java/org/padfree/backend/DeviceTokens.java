package org.padfree.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.padfree.Validate;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.ScaleBlocks;

/**
 * A batch's quantized token activations already in GPU memory (a dataset's activations columns read
 * there by cuDF), as views of memory another allocator owns: the FP8 values row-major [rows][k], the
 * 1x128 scales in the kernels' M-major TMA-aligned layout ({@link ScaleBlocks#toTmaAlignedMMajor}) and
 * the same scales row-major as the dataset stores them, from which the host reads the few tokens the
 * reference check samples ({@link #rowsToHost}). The owner keeps the memory alive until the backend's
 * run has returned and has finished writing it before handing it over.
 */
public record DeviceTokens(int rows, int k, DeviceBuffer values, DeviceBuffer mMajorScales,
    DeviceBuffer rowMajorScales) {

  public DeviceTokens {
    Validate.nonNegative("rows", rows);
    Validate.require(k > 0 && k % 2 == 0, "k", k, "must be a positive even width (rows are read as 16-bit words)");
    int kBlocks = ScaleBlocks.blocks(k);
    requireBytes("values", values, (long) rows * k);
    requireBytes("m_major_scales", mMajorScales, 4L * ScaleBlocks.roundUp(rows, ScaleBlocks.TMA_SCALE_ALIGN) * kBlocks);
    requireBytes("row_major_scales", rowMajorScales, 4L * rows * kBlocks);
  }

  private static void requireBytes(String field, DeviceBuffer b, long bytes) {
    Validate.notNull(field, b);
    Validate.require(b.bytes() >= bytes, field, b.bytes() + " bytes", "must hold " + bytes + " bytes");
  }

  /**
   * Tokens {@code tokens} copied to the host, [length][k] with their scales: two small reads per token
   * (its row of values, its row of scales), for the handful the reference check samples.
   */
  public QuantizedActivations rowsToHost(int[] tokens) {
    Validate.notNull("tokens", tokens);
    int kBlocks = ScaleBlocks.blocks(k);
    byte[] v = new byte[Validate.product("tokens x k", tokens.length, k)];
    float[] s = new float[tokens.length * kBlocks];
    for (int i = 0; i < tokens.length; i++) {
      int t = tokens[i];
      Validate.require(t >= 0 && t < rows, "tokens[" + i + "]", t, "must be a token in [0, " + rows + ")");
      ByteBuffer.wrap(v, i * k, k).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer()
          .put(values.readShorts((long) t * k, k / 2));
      short[] words = rowMajorScales.readShorts(4L * t * kBlocks, 2 * kBlocks);
      ByteBuffer bytes = ByteBuffer.allocate(4 * kBlocks).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asShortBuffer().put(words);
      bytes.asFloatBuffer().get(s, i * kBlocks, kBlocks);
    }
    return new QuantizedActivations(tokens.length, k, v, s);
  }
}
