package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.util.Optional;

/**
 * The CUDA driver, initialised lazily and once per JVM (never in a static initialiser that the
 * driver JVM of a Spark job would run without a GPU). {@link #unavailableReason()} says why CUDA
 * cannot be used here, so callers can report it instead of crashing.
 */
public final class Cuda {
  private Cuda() {}

  private static volatile boolean initialised;
  private static volatile String failure;

  /** Loads JCuda's library and calls cuInit; throws a CudaException saying why when CUDA is unusable. */
  public static synchronized void init() {
    if (initialised) {
      return;
    }
    if (failure != null) {
      throw new CudaException(failure, null);
    }
    try {
      JCudaNatives.load(CudaSettings.fromEnvironment().nativeDir());
      CudaException.check(cuInit(0), "cuInit");
      int[] count = {0};
      CudaException.check(cuDeviceGetCount(count), "cuDeviceGetCount");
      if (count[0] == 0) {
        throw new CudaException("cuDeviceGetCount", jcuda.driver.CUresult.CUDA_ERROR_NO_DEVICE, "looking for GPUs");
      }
      initialised = true;
    } catch (UnsatisfiedLinkError e) {
      failure = "CUDA is not available: the NVIDIA driver library (libcuda.so.1) could not be loaded ("
          + firstLine(e.getMessage()) + ")";
      throw new CudaException(failure, e);
    } catch (CudaException e) {
      failure = "CUDA is not available: " + e.getMessage();
      throw e;
    }
  }

  /** Empty when CUDA works here, else why not. Never throws. */
  public static Optional<String> unavailableReason() {
    try {
      init();
      return Optional.empty();
    } catch (CudaException e) {
      return Optional.of(e.getMessage());
    }
  }

  public static boolean isAvailable() {
    return unavailableReason().isEmpty();
  }

  /** The driver's CUDA version as major.minor, e.g. 13.0. */
  public static String driverVersion() {
    init();
    int[] v = {0};
    CudaException.check(cuDriverGetVersion(v), "cuDriverGetVersion");
    return (v[0] / 1000) + "." + (v[0] % 1000) / 10;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
