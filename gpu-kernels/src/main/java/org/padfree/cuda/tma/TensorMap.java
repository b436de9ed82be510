package org.padfree.cuda.tma;

/**
 * An encoded CUtensorMap: 128 opaque bytes, passed to a kernel by value as a
 * {@code const __grid_constant__ CUtensorMap} parameter.
 */
public record TensorMap(TensorMapSpec spec, byte[] bytes) {
  public static final int BYTES = 128;

  public TensorMap {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("a CUtensorMap is " + BYTES + " bytes, not " + bytes.length);
    }
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }
}
