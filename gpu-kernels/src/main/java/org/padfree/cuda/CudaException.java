package org.padfree.cuda;

import jcuda.driver.CUresult;

/** A CUDA driver call failed: the message names the call, the CUresult and what it was doing. */
public final class CudaException extends RuntimeException {
  private final int result;

  public CudaException(String call, int result, String context) {
    super(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")"
        + (context == null || context.isEmpty() ? "" : " while " + context));
    this.result = result;
  }

  public CudaException(String message, Throwable cause) {
    super(message, cause);
    this.result = -1;
  }

  /** The CUresult code, or -1 when the failure was not a driver call. */
  public int result() {
    return result;
  }

  /** Throws unless {@code result} is CUDA_SUCCESS. */
  public static void check(int result, String call, String context) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaException(call, result, context);
    }
  }

  public static void check(int result, String call) {
    check(result, call, "");
  }
}
