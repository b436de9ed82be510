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
      failure = "CUDA is not available: JCuda's driver library could not be loaded, usually because the NVIDIA"
          + " driver (libcuda.so.1) is missing (" + loaderReason(e.getMessage()) + ")";
      throw new CudaException(failure, e);
    } catch (CudaException e) {
      failure = "CUDA is not available: " + e.getMessage();
      throw e;
    } catch (RuntimeException e) {
      failure = "CUDA is not available: " + e;
      throw new CudaException(failure, e);
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

  /** The loader's own complaint from JCuda's long message (e.g. "libcuda.so.1: cannot open ..."). */
  private static String loaderReason(String message) {
    if (message == null) {
      return "no message";
    }
    String[] lines = message.split("\n");
    for (String line : lines) {
      if (line.contains("cannot open shared object") || line.contains("undefined symbol")) {
        return line.trim();
      }
    }
    return lines[0].trim();
  }
}
