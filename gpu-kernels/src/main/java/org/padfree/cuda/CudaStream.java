package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/** A non-blocking stream on the current context, destroyed on close. */
public final class CudaStream implements AutoCloseable {
  private final CUstream handle = new CUstream();
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

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      CudaException.check(cuStreamDestroy(handle), "cuStreamDestroy");
    }
  }
}
