package org.padfree.backend;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.padfree.cuda.CudaEvent;
import org.padfree.cuda.CudaException;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.PinnedHostBuffer;

/**
 * The reusable memory of one GPU backend: named device buffers that grow geometrically (by at least
 * half again) so a run of growing batches reallocates a few times, not once per batch; and two pinned
 * staging buffers through which every host transfer passes in chunks, so the host fills (or drains)
 * one chunk while the copy engine moves the other. Not thread-safe (used under the backend's lock).
 */
final class DeviceWorkspace implements AutoCloseable {
  /** Bytes per staging chunk: big enough to run PCIe at full speed, small enough to pin cheaply. */
  static final int CHUNK = 32 << 20;

  private final Map<String, DeviceBuffer> buffers = new HashMap<>();
  private final PinnedHostBuffer[] staging = new PinnedHostBuffer[2];
  private final CudaEvent[] stagingFree = new CudaEvent[2];

  DeviceWorkspace() {
    for (int i = 0; i < 2; i++) {
      staging[i] = new PinnedHostBuffer(CHUNK);
      stagingFree[i] = new CudaEvent();
    }
  }

  /** Buffer {@code name} with at least {@code bytes} (at least one byte; contents undefined). */
  DeviceBuffer buffer(String name, long bytes) {
    DeviceBuffer b = buffers.get(name);
    if (b != null && b.bytes() >= Math.max(1, bytes)) {
      return b;
    }
    long exact = Math.max(1, bytes);
    long size = Math.max(exact, b == null ? 0 : b.bytes() + b.bytes() / 2);
    if (b != null) {
      buffers.remove(name);
      b.close();
    }
    DeviceBuffer fresh;
    try {
      fresh = DeviceBuffer.allocate(size, "workspace " + name);
    } catch (CudaException e) {
      if (size == exact || e.result() != jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
        throw e;
      }
      fresh = DeviceBuffer.allocate(exact, "workspace " + name); // the growth margin did not fit; the need may
    }
    buffers.put(name, fresh);
    return fresh;
  }

  /** Device bytes held now. */
  long deviceBytes() {
    return buffers.values().stream().mapToLong(DeviceBuffer::bytes).sum();
  }

  /** Frees every device buffer (e.g. to make room for weights); the next run reallocates. */
  void releaseDeviceBuffers() {
    buffers.values().forEach(DeviceBuffer::close);
    buffers.clear();
  }

  /** Fills staging chunk {@code slot} with bytes [from, from + count) of the source. */
  @FunctionalInterface
  interface ChunkWriter {
    void write(ByteBuffer chunk, long from, int count);
  }

  /** Receives staging bytes [from, from + count) of the device buffer. */
  @FunctionalInterface
  interface ChunkReader {
    void read(ByteBuffer chunk, long from, int count);
  }

  /** Enqueues {@code bytes} to {@code dst} at {@code dstOffset}, each chunk a "upload" span on the timeline. */
  void upload(long bytes, ChunkWriter source, DeviceBuffer dst, long dstOffset, CudaStream stream, GpuTimeline timeline) {
    int chunkIndex = 0;
    for (long from = 0; from < bytes; from += CHUNK, chunkIndex++) {
      int slot = chunkIndex % 2;
      int count = (int) Math.min(CHUNK, bytes - from);
      stagingFree[slot].synchronize(); // the copy that last read this slot has finished
      source.write(staging[slot].buffer(), from, count);
      GpuTimeline.Span span = timeline.start("upload", false, stream);
      staging[slot].copyTo(dst, dstOffset + from, count, stream);
      timeline.stop(span, stream);
      stagingFree[slot].record(stream);
    }
  }

  /** Copies {@code bytes} of {@code src} to the host, chunk by chunk, each a "download" span. */
  void download(DeviceBuffer src, long bytes, ChunkReader sink, CudaStream stream, GpuTimeline timeline) {
    long chunks = (bytes + CHUNK - 1) / CHUNK;
    for (long c = 0; c < Math.min(2, chunks); c++) {
      enqueueDownload(src, c, bytes, stream, timeline);
    }
    for (long c = 0; c < chunks; c++) {
      int slot = (int) (c % 2);
      stagingFree[slot].synchronize(); // chunk c has landed in its slot
      long from = c * CHUNK;
      sink.read(staging[slot].buffer(), from, (int) Math.min(CHUNK, bytes - from));
      if (c + 2 < chunks) {
        enqueueDownload(src, c + 2, bytes, stream, timeline);
      }
    }
  }

  private void enqueueDownload(DeviceBuffer src, long chunk, long bytes, CudaStream stream, GpuTimeline timeline) {
    int slot = (int) (chunk % 2);
    long from = chunk * CHUNK;
    GpuTimeline.Span span = timeline.start("download", false, stream);
    staging[slot].copyFrom(src, from, Math.min(CHUNK, bytes - from), stream);
    timeline.stop(span, stream);
    stagingFree[slot].record(stream);
  }

  // Writers and readers of Java arrays (the staging view is in native, little-endian order).

  static ChunkWriter bytes(byte[] host) {
    return (chunk, from, count) -> chunk.put(0, host, (int) from, count);
  }

  static ChunkWriter floats(float[] host) {
    return (chunk, from, count) -> chunk.asFloatBuffer().put(0, host, (int) (from / 4), count / 4);
  }

  static ChunkWriter ints(int[] host) {
    return (chunk, from, count) -> chunk.asIntBuffer().put(0, host, (int) (from / 4), count / 4);
  }

  static ChunkReader shorts(short[] host) {
    return (chunk, from, count) -> chunk.asShortBuffer().get(0, host, (int) (from / 2), count / 2);
  }

  @Override
  public void close() {
    releaseDeviceBuffers();
    for (int i = 0; i < 2; i++) {
      if (stagingFree[i] != null) {
        stagingFree[i].close();
      }
      if (staging[i] != null) {
        staging[i].close();
      }
    }
  }
}
