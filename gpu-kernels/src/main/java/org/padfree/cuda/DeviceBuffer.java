package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuPointerGetAttribute;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;
import org.padfree.Validate;

/**
 * Device memory owned by a try-with-resources block: freed exactly once on close; any use after close
 * is an error naming the buffer instead of a use-after-free on the GPU.
 *
 * <p>The copy and fill methods here are synchronous with the whole device: they wait for all queued
 * work before and after. The driver's plain cuMemcpyHtoD and cuMemsetD8 run on the legacy stream,
 * which padfree's non-blocking streams do not wait for, and a pageable copy may return before its DMA
 * lands: without the waits a kernel could read half-copied inputs. Overlapped transfers use
 * {@link PinnedHostBuffer} on a {@link CudaStream} instead.
 */
public final class DeviceBuffer implements AutoCloseable {
  private final CUdeviceptr pointer;
  private final long bytes;
  private final long address;
  private final String label;
  /** False for a {@link #view} of memory another allocator owns: close then forgets it without freeing. */
  private final boolean owned;
  private boolean closed;

  private DeviceBuffer(long bytes, String label) {
    this.bytes = bytes;
    this.label = label;
    this.owned = true;
    this.pointer = new CUdeviceptr();
    CudaException.check(cuMemAlloc(pointer, Math.max(1, bytes)), "cuMemAlloc", "allocating " + bytes + " bytes for " + label);
    long[] value = {0};
    CudaException.check(cuPointerGetAttribute(Pointer.to(value), CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, pointer),
        "cuPointerGetAttribute", label);
    this.address = value[0];
  }

  private DeviceBuffer(long address, long bytes, String label) {
    this.bytes = bytes;
    this.label = label;
    this.owned = false;
    this.address = address;
    // JCuda passes a pointer as its native value plus its byte offset: a null pointer offset by the
    // address is that address, wherever JCuda takes a CUdeviceptr (copies, kernel arguments).
    this.pointer = new CUdeviceptr().withByteOffset(address);
  }

  /**
   * A view of {@code bytes} of device memory at {@code address} that another allocator owns (e.g. a
   * cuDF column in RMM's pool, in the same primary context): kernels take it like any buffer, and
   * {@link #close} only ends the view. The owner must keep the memory alive, and its writes must be
   * complete (its stream synchronised) before padfree's streams read it.
   */
  public static DeviceBuffer view(long address, long bytes, String label) {
    Validate.require(address != 0 || bytes == 0, "address", address, "a view of " + bytes + " bytes needs a device address (" + label + ")");
    Validate.require(bytes >= 0, "bytes", bytes, "must be >= 0 (" + label + ")");
    return new DeviceBuffer(address, bytes, label);
  }

  /** Whether this buffer owns its memory (false for a {@link #view}). */
  public boolean owned() {
    return owned;
  }

  /** Allocates on the current context's device (call {@link CudaDevice#makeCurrent()} first). */
  public static DeviceBuffer allocate(long bytes, String label) {
    Validate.require(bytes >= 0, "bytes", bytes, "must be >= 0 (" + label + ")");
    return new DeviceBuffer(bytes, label);
  }

  public CUdeviceptr pointer() {
    requireOpen();
    return pointer;
  }

  /** The raw device address (for tensor maps and pointer arithmetic). */
  public long address() {
    requireOpen();
    return address;
  }

  public long bytes() {
    return bytes;
  }

  public DeviceBuffer copyFrom(byte[] host) {
    requireFits(host.length);
    CudaException.check(cuMemcpyHtoD(pointer(), Pointer.to(host), host.length), "cuMemcpyHtoD", label);
    return synchronize("copy to " + label);
  }

  public DeviceBuffer copyFrom(float[] host) {
    requireFits(4L * host.length);
    CudaException.check(cuMemcpyHtoD(pointer(), Pointer.to(host), 4L * host.length), "cuMemcpyHtoD", label);
    return synchronize("copy to " + label);
  }

  public DeviceBuffer copyFrom(int[] host) {
    requireFits(4L * host.length);
    CudaException.check(cuMemcpyHtoD(pointer(), Pointer.to(host), 4L * host.length), "cuMemcpyHtoD", label);
    return synchronize("copy to " + label);
  }

  public byte[] toBytes() {
    synchronize("before reading " + label);
    byte[] out = new byte[Math.toIntExact(bytes)];
    CudaException.check(cuMemcpyDtoH(Pointer.to(out), pointer(), bytes), "cuMemcpyDtoH", label);
    return out;
  }

  public float[] toFloats() {
    synchronize("before reading " + label);
    float[] out = new float[Math.toIntExact(bytes / 4)];
    CudaException.check(cuMemcpyDtoH(Pointer.to(out), pointer(), 4L * out.length), "cuMemcpyDtoH", label);
    return out;
  }

  /** The buffer as little-endian 16-bit values (BF16 bit patterns, e.g. a GEMM's D). */
  public short[] toShorts() {
    byte[] bytes = toBytes();
    short[] out = new short[bytes.length / 2];
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
    return out;
  }

  /**
   * {@code count} little-endian 16-bit values from {@code offsetBytes} on (e.g. one row of a GEMM's D),
   * without copying the rest of the buffer.
   */
  public short[] readShorts(long offsetBytes, int count) {
    Validate.require(offsetBytes >= 0 && count >= 0 && offsetBytes + 2L * count <= bytes, "offset_bytes", offsetBytes,
        "reading " + count + " 16-bit values must stay within the " + bytes + " bytes of " + label);
    synchronize("before reading " + label);
    short[] out = new short[count];
    CudaException.check(cuMemcpyDtoH(Pointer.to(out), pointer().withByteOffset(offsetBytes), 2L * count), "cuMemcpyDtoH", label);
    return out;
  }

  /** The 32-bit value at {@code offsetBytes} (e.g. one entry of an index array), after queued work. */
  public int readInt(long offsetBytes) {
    Validate.require(offsetBytes >= 0 && offsetBytes + 4 <= bytes, "offset_bytes", offsetBytes,
        "reading one 32-bit value must stay within the " + bytes + " bytes of " + label);
    synchronize("before reading " + label);
    int[] out = new int[1];
    CudaException.check(cuMemcpyDtoH(Pointer.to(out), pointer().withByteOffset(offsetBytes), 4), "cuMemcpyDtoH", label);
    return out[0];
  }

  /** The first {@code count} 64-bit values (e.g. counters a kernel added to). */
  public long[] readLongs(int count) {
    Validate.require(count >= 0 && 8L * count <= bytes, "count", count, "exceeds the " + bytes + " bytes of " + label);
    synchronize("before reading " + label);
    long[] out = new long[count];
    CudaException.check(cuMemcpyDtoH(Pointer.to(out), pointer(), 8L * count), "cuMemcpyDtoH", label);
    return out;
  }

  /** Sets every byte (e.g. a poison pattern before a kernel writes the buffer). */
  public DeviceBuffer fill(byte value) {
    CudaException.check(cuMemsetD8(pointer(), value, bytes), "cuMemsetD8", label);
    return synchronize("fill of " + label);
  }

  /** Enqueues a fill on {@code stream} (e.g. to flush L2 between timed runs); does not wait. */
  public DeviceBuffer fillAsync(byte value, CudaStream stream) {
    CudaException.check(jcuda.driver.JCudaDriver.cuMemsetD8Async(pointer(), value, bytes, stream.handle()),
        "cuMemsetD8Async", label);
    return this;
  }

  /** Enqueues a copy of {@code count} bytes from {@code src} at {@code srcOffset} into this buffer at {@code dstOffset}. */
  public DeviceBuffer copyFromDeviceAsync(DeviceBuffer src, long srcOffset, long dstOffset, long count, CudaStream stream) {
    Validate.require(srcOffset >= 0 && srcOffset + count <= src.bytes(), "src_offset", srcOffset,
        "copy of " + count + " bytes exceeds " + src.label);
    Validate.require(dstOffset >= 0 && dstOffset + count <= bytes, "dst_offset", dstOffset,
        "copy of " + count + " bytes exceeds " + label);
    CudaException.check(jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync(pointer().withByteOffset(dstOffset),
        src.pointer().withByteOffset(srcOffset), count, stream.handle()), "cuMemcpyDtoDAsync", label);
    return this;
  }

  private DeviceBuffer synchronize(String what) {
    CudaException.check(jcuda.driver.JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize", what);
    return this;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (owned) {
        CudaException.check(cuMemFree(pointer), "cuMemFree", label);
      }
    }
  }

  private void requireFits(long n) {
    Validate.require(n <= bytes, "bytes", n, "more than the " + bytes + " bytes of " + label);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("device buffer " + label + " (" + bytes + " bytes) is already freed");
    }
  }

  @Override
  public String toString() {
    return "DeviceBuffer[" + label + ", " + bytes + " bytes" + (owned ? "" : ", view") + (closed ? ", freed" : "") + "]";
  }
}
