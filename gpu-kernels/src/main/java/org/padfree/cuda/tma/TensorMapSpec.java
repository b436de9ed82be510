package org.padfree.cuda.tma;

import java.util.Arrays;
import org.padfree.Validate;

/**
 * Everything {@code cuTensorMapEncodeTiled} takes, as typed values, checked against TMA's rules before
 * encoding (so a bad map is an error naming the field, not a CUDA_ERROR_INVALID_VALUE from the driver).
 * Dimension 0 is the innermost (contiguous) one.
 *
 * @param globalAddress device address of element (0, 0, ...)
 * @param globalDims elements per dimension
 * @param globalStrides bytes between consecutive indices of dimensions 1..rank-1 (rank-1 entries)
 * @param boxDims the tile a single TMA copy moves, per dimension
 * @param elementStrides traversal stride per dimension (1 = dense)
 */
public record TensorMapSpec(
    DataType dataType, long globalAddress, long[] globalDims, long[] globalStrides, int[] boxDims,
    int[] elementStrides, Interleave interleave, Swizzle swizzle, L2Promotion l2Promotion, OobFill oobFill) {

  /** CUtensorMapDataType; FP8 travels as UINT8. */
  public enum DataType {
    UINT8(0, 1), UINT16(1, 2), UINT32(2, 4), INT32(3, 4), UINT64(4, 8), INT64(5, 8), FLOAT16(6, 2), FLOAT32(7, 4),
    FLOAT64(8, 8), BFLOAT16(9, 2), FLOAT32_FTZ(10, 4), TFLOAT32(11, 4), TFLOAT32_FTZ(12, 4);

    public final int code;
    public final int bytes;

    DataType(int code, int bytes) {
      this.code = code;
      this.bytes = bytes;
    }

    boolean isFloat() {
      return this.ordinal() >= FLOAT16.ordinal();
    }
  }

  /** CUtensorMapInterleave. */
  public enum Interleave {
    NONE(0), B16(1), B32(2);

    public final int code;

    Interleave(int code) {
      this.code = code;
    }
  }

  /** CUtensorMapSwizzle: shared-memory swizzle span, to avoid bank conflicts when reading tiles. */
  public enum Swizzle {
    NONE(0, 0), B32(1, 32), B64(2, 64), B128(3, 128);

    public final int code;
    public final int spanBytes;

    Swizzle(int code, int spanBytes) {
      this.code = code;
      this.spanBytes = spanBytes;
    }
  }

  /** CUtensorMapL2promotion. */
  public enum L2Promotion {
    NONE(0), B64(1), B128(2), B256(3);

    public final int code;

    L2Promotion(int code) {
      this.code = code;
    }
  }

  /** CUtensorMapFloatOOBfill: what a load reads outside the tensor (NONE fills zeros). */
  public enum OobFill {
    ZERO(0), NAN_REQUEST_ZERO_FMA(1);

    public final int code;

    OobFill(int code) {
      this.code = code;
    }
  }

  public TensorMapSpec {
    Validate.notNull("dataType", dataType);
    Validate.notNull("globalDims", globalDims);
    Validate.notNull("globalStrides", globalStrides);
    Validate.notNull("boxDims", boxDims);
    Validate.notNull("elementStrides", elementStrides);
    int rank = globalDims.length;
    Validate.require(rank >= 1 && rank <= 5, "rank", rank, "a tensor map has 1 to 5 dimensions");
    Validate.require(interleave == Interleave.NONE || rank >= 3, "interleave", interleave, "needs rank >= 3");
    Validate.length("globalStrides", globalStrides.length, rank - 1, "rank " + rank + " (dimension 0 is contiguous)");
    Validate.length("boxDims", boxDims.length, rank, "rank " + rank);
    Validate.length("elementStrides", elementStrides.length, rank, "rank " + rank);
    int alignment = interleave == Interleave.B32 ? 32 : 16;
    Validate.require(globalAddress % alignment == 0 && globalAddress != 0, "globalAddress",
        "0x" + Long.toHexString(globalAddress), "must be non-null and " + alignment + "-byte aligned");
    for (int i = 0; i < rank; i++) {
      Validate.require(globalDims[i] > 0 && globalDims[i] <= (1L << 32), "globalDims[" + i + "]", globalDims[i],
          "must be in [1, 2^32]");
      Validate.require(boxDims[i] > 0 && boxDims[i] <= 256, "boxDims[" + i + "]", boxDims[i], "must be in [1, 256]");
      Validate.require(elementStrides[i] >= 1 && elementStrides[i] <= 8, "elementStrides[" + i + "]",
          elementStrides[i], "must be in [1, 8]");
    }
    for (int i = 0; i < rank - 1; i++) {
      Validate.require(globalStrides[i] % 16 == 0 && globalStrides[i] > 0 && globalStrides[i] < (1L << 40),
          "globalStrides[" + i + "]", globalStrides[i], "must be a positive multiple of 16 below 2^40 bytes");
    }
    if (rank > 1) {
      Validate.require(globalStrides[0] >= globalDims[0] * dataType.bytes, "globalStrides[0]", globalStrides[0],
          "smaller than a row of " + globalDims[0] + " elements x " + dataType.bytes + " bytes");
    }
    long innerBoxBytes = (long) boxDims[0] * dataType.bytes;
    if (interleave == Interleave.NONE) {
      Validate.require(innerBoxBytes % 16 == 0, "boxDims[0]", boxDims[0],
          "the inner box extent must be a multiple of 16 bytes (here " + innerBoxBytes + ")");
      Validate.require(swizzle == Swizzle.NONE || innerBoxBytes <= swizzle.spanBytes, "boxDims[0]", boxDims[0],
          "the inner box extent (" + innerBoxBytes + " bytes) must not exceed the swizzle span " + swizzle);
    }
    Validate.require(oobFill == OobFill.ZERO || dataType.isFloat(), "oobFill", oobFill,
        "NaN fill needs a floating-point type, not " + dataType);
    globalDims = globalDims.clone();
    globalStrides = globalStrides.clone();
    boxDims = boxDims.clone();
    elementStrides = elementStrides.clone();
  }

  /**
   * A row-major 2D matrix of {@code rows x cols} elements with row pitch {@code rowBytes}, read in
   * {@code boxRows x boxCols} tiles: the common case.
   */
  public static TensorMapSpec matrix(DataType type, long address, long rows, long cols, long rowBytes,
      int boxRows, int boxCols, Swizzle swizzle) {
    return new TensorMapSpec(type, address, new long[] {cols, rows}, new long[] {rowBytes},
        new int[] {boxCols, boxRows}, new int[] {1, 1}, Interleave.NONE, swizzle, L2Promotion.B256, OobFill.ZERO);
  }

  // Accessors hand out copies: a validated spec must stay valid.
  @Override
  public long[] globalDims() {
    return globalDims.clone();
  }

  @Override
  public long[] globalStrides() {
    return globalStrides.clone();
  }

  @Override
  public int[] boxDims() {
    return boxDims.clone();
  }

  @Override
  public int[] elementStrides() {
    return elementStrides.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorMapSpec t && dataType == t.dataType && globalAddress == t.globalAddress
        && Arrays.equals(globalDims, t.globalDims) && Arrays.equals(globalStrides, t.globalStrides)
        && Arrays.equals(boxDims, t.boxDims) && Arrays.equals(elementStrides, t.elementStrides)
        && interleave == t.interleave && swizzle == t.swizzle && l2Promotion == t.l2Promotion && oobFill == t.oobFill;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(globalAddress) * 31 + Arrays.hashCode(globalDims);
  }

  public int rank() {
    return globalDims.length;
  }

  /** Bytes one box moves (what the mbarrier's transaction count expects). */
  public long boxBytes() {
    long n = dataType.bytes;
    for (int b : boxDims) {
      n *= b;
    }
    return n;
  }

  @Override
  public String toString() {
    return "TensorMapSpec[" + dataType + ", dims=" + Arrays.toString(globalDims) + ", strides="
        + Arrays.toString(globalStrides) + ", box=" + Arrays.toString(boxDims) + ", swizzle=" + swizzle + "]";
  }
}
