package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import org.padfree.Validate;

/**
 * Page-locked host memory (so copies can run asynchronously and overlap kernels), freed on close.
 * {@link #buffer()} views it from Java; a view must not be used after close.
 */
public final class PinnedHostBuffer implements AutoCloseable {
  private final Pointer pointer = new Pointer();
  private final long bytes;
  private final ByteBuffer view;
  private boolean closed;

  public PinnedHostBuffer(long bytes) {
    Validate.require(bytes > 0 && bytes <= Integer.MAX_VALUE, "bytes", bytes, "must be in [1, 2^31-1]");
    this.bytes = bytes;
    CudaException.check(cuMemHostAlloc(pointer, bytes, 0), "cuMemHostAlloc", "allocating " + bytes + " pinned bytes");
    this.view = pointer.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
  }

  public ByteBuffer buffer() {
    requireOpen();
    return view;
  }

  public long bytes() {
    return bytes;
  }

  /** Enqueues host -> device on {@code stream}. */
  public void copyTo(DeviceBuffer device, long count, CudaStream stream) {
    requireOpen();
    Validate.require(count <= bytes && count <= device.bytes(), "count", count, "exceeds a buffer");
    CudaException.check(cuMemcpyHtoDAsync(device.pointer(), pointer, count, stream.handle()), "cuMemcpyHtoDAsync");
  }

  /** Enqueues device -> host on {@code stream}. */
  public void copyFrom(DeviceBuffer device, long count, CudaStream stream) {
    requireOpen();
    Validate.require(count <= bytes && count <= device.bytes(), "count", count, "exceeds a buffer");
    CudaException.check(cuMemcpyDtoHAsync(pointer, device.pointer(), count, stream.handle()), "cuMemcpyDtoHAsync");
  }

  /** Enqueues {@code count} bytes from the start of this buffer to {@code device} at {@code deviceOffset}. */
  public void copyTo(DeviceBuffer device, long deviceOffset, long count, CudaStream stream) {
    requireOpen();
    Validate.require(count <= bytes && deviceOffset >= 0 && deviceOffset + count <= device.bytes(), "count", count,
        "copy of " + count + " bytes at device offset " + deviceOffset + " exceeds a buffer");
    CudaException.check(cuMemcpyHtoDAsync(device.pointer().withByteOffset(deviceOffset), pointer, count, stream.handle()),
        "cuMemcpyHtoDAsync");
  }

  /** Enqueues {@code count} bytes from {@code device} at {@code deviceOffset} to the start of this buffer. */
  public void copyFrom(DeviceBuffer device, long deviceOffset, long count, CudaStream stream) {
    requireOpen();
    Validate.require(count <= bytes && deviceOffset >= 0 && deviceOffset + count <= device.bytes(), "count", count,
        "copy of " + count + " bytes at device offset " + deviceOffset + " exceeds a buffer");
    CudaException.check(cuMemcpyDtoHAsync(pointer, device.pointer().withByteOffset(deviceOffset), count, stream.handle()),
        "cuMemcpyDtoHAsync");
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      CudaException.check(cuMemFreeHost(pointer), "cuMemFreeHost");
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("pinned host buffer of " + bytes + " bytes is already freed");
    }
  }
}
