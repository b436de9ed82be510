package org.padfree.cuda.jit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import jcuda.NativePointerObject;
import jcuda.driver.CUfunction;
import org.padfree.cuda.CudaException;
import org.padfree.cuda.LibCuda;

/**
 * {@code cuOccupancyMaxActiveClusters} through the JDK's Foreign Function & Memory API (JCuda 12.6 has
 * no binding for it): how many clusters of a kernel compiled with {@code __cluster_dims__} can be
 * resident at once. A persistent grid of clusters must not launch more than that: clusters must fit in
 * one GPC, so fewer may be resident than SMs / cluster size, and the surplus would run as a second
 * wave after the first clusters finish, doubling the kernel's time.
 */
final class ClusterOccupancy {
  private ClusterOccupancy() {}

  /** sizeof(CUlaunchConfig) on 64-bit hosts: 7 unsigned ints, padding, stream, attrs, numAttrs, padding. */
  private static final int LAUNCH_CONFIG_BYTES = 56;
  private static MethodHandle maxActiveClusters;

  private static synchronized MethodHandle handle() {
    if (maxActiveClusters == null) {
      // CUresult cuOccupancyMaxActiveClusters(int* numClusters, CUfunction func, const CUlaunchConfig* config)
      maxActiveClusters = LibCuda.function("cuOccupancyMaxActiveClusters",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), "a driver for CUDA 11.8 or newer");
    }
    return maxActiveClusters;
  }

  /**
   * Clusters of {@code function} (compiled for clusters of {@code clusterSize}) that fit on the device
   * at once with blocks of {@code threads} threads and {@code dynamicSharedBytes} of shared memory.
   */
  static int maxActiveClusters(CUfunction function, int clusterSize, int threads, int dynamicSharedBytes, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment config = arena.allocate(LAUNCH_CONFIG_BYTES, 8);
      config.set(JAVA_INT, 0, clusterSize); // gridDimX: one cluster's worth (the grid must be a multiple of it)
      config.set(JAVA_INT, 4, 1);
      config.set(JAVA_INT, 8, 1);
      config.set(JAVA_INT, 12, threads);
      config.set(JAVA_INT, 16, 1);
      config.set(JAVA_INT, 20, 1);
      config.set(JAVA_INT, 24, dynamicSharedBytes);
      config.set(JAVA_LONG, 32, 0L); // stream: none; no launch attributes (the cluster size is compiled in)
      config.set(JAVA_LONG, 40, 0L);
      config.set(JAVA_INT, 48, 0);
      MemorySegment count = arena.allocate(JAVA_INT);
      int result = (int) handle().invokeExact(count, MemorySegment.ofAddress(pointerOf(function)), config);
      CudaException.check(result, "cuOccupancyMaxActiveClusters", what);
      return count.get(JAVA_INT, 0);
    } catch (CudaException e) {
      throw e;
    } catch (Throwable t) {
      throw new CudaException("cuOccupancyMaxActiveClusters could not be called for " + what, t);
    }
  }

  /** The driver handle behind a JCuda CUfunction (JCuda keeps it in a protected accessor). */
  private static long pointerOf(CUfunction function) throws ReflectiveOperationException {
    java.lang.reflect.Method m = NativePointerObject.class.getDeclaredMethod("getNativePointer");
    m.setAccessible(true);
    return (long) m.invoke(function);
  }
}
