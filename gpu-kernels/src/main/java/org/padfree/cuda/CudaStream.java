package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * A non-blocking stream on the current context, destroyed on close. It also owns the stream's work
 * counters ({@link #workCounters()}).
 */
public final class CudaStream implements AutoCloseable {
  /** Bytes of {@link #workCounters()}: four 32-bit words. */
  public static final int WORK_COUNTER_BYTES = 16;
  private final CUstream handle = new CUstream();
  private DeviceBuffer workCounters;
  private boolean closed;

  public CudaStream() {
    CudaException.check(cuStreamCreate(handle, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  }

  public CUstream handle() {
    if (closed) {
      throw new IllegalStateException("stream is already destroyed");
    }
    return handle;
  }

  /** Makes later work on this stream wait until {@code event} (recorded on another stream) has happened. */
  public void waitFor(CudaEvent event) {
    CudaException.check(jcuda.driver.JCudaDriver.cuStreamWaitEvent(handle(), event.handle(), 0), "cuStreamWaitEvent");
  }

  /** Waits for all work on the stream; an asynchronous kernel fault surfaces here, naming the work. */
  public void synchronize(String what) {
    CudaException.check(cuStreamSynchronize(handle()), "cuStreamSynchronize", what);
  }

  /**
   * Zeroed device words for kernels that hand out their work at run time (a persistent GEMM's tile
   * counter): such a kernel starts from zero and leaves them zero when it ends. One set per stream is
   * enough because a stream runs its kernels one after another, and it is also what keeps two
   * launches that may overlap (on different streams) from sharing a counter. Allocated on first use,
   * on the current context, and freed when the stream closes.
   */
  public synchronized DeviceBuffer workCounters() {
    handle();
    if (workCounters == null) {
      workCounters = DeviceBuffer.allocate(WORK_COUNTER_BYTES, "work counters of a stream").fill((byte) 0);
    }
    return workCounters;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (workCounters != null) {
        // a kernel still queued here may be using them
        CudaException.check(cuStreamSynchronize(handle), "cuStreamSynchronize", "before freeing a stream's work counters");
        workCounters.close();
      }
      CudaException.check(cuStreamDestroy(handle), "cuStreamDestroy");
    }
  }
}
