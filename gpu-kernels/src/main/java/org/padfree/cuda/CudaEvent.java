package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/** A timing event, destroyed on close. Time GPU work as stop.millisSince(start). */
public final class CudaEvent implements AutoCloseable {
  private final CUevent handle = new CUevent();
  private boolean closed;

  public CudaEvent() {
    CudaException.check(cuEventCreate(handle, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
  }

  public CudaEvent record(CudaStream stream) {
    CudaException.check(cuEventRecord(handle(), stream.handle()), "cuEventRecord");
    return this;
  }

  /** Milliseconds of GPU time between {@code start} and this event (waits for this event). */
  public float millisSince(CudaEvent start) {
    CudaException.check(cuEventSynchronize(handle()), "cuEventSynchronize");
    float[] ms = {0};
    CudaException.check(cuEventElapsedTime(ms, start.handle(), handle()), "cuEventElapsedTime");
    return ms[0];
  }

  /** Waits until the work before this event has finished (at once if it was never recorded). */
  public void synchronize() {
    CudaException.check(cuEventSynchronize(handle()), "cuEventSynchronize");
  }

  CUevent handle() {
    if (closed) {
      throw new IllegalStateException("event is already destroyed");
    }
    return handle;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      CudaException.check(cuEventDestroy(handle), "cuEventDestroy");
    }
  }
}
