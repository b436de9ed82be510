package org.padfree.cuda.tma;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.padfree.cuda.CudaException;
import org.padfree.cuda.LibCuda;

/**
 * {@code cuTensorMapEncodeTiled} through the JDK's Foreign Function & Memory API: JCuda has no binding
 * for it, and the driver library exports it from libcuda.so.1. The symbol is looked up lazily, so
 * merely loading this class on a machine without a GPU costs nothing.
 */
public final class TensorMapEncoder {
  private TensorMapEncoder() {}

  private static MethodHandle encodeTiled;

  private static synchronized MethodHandle handle() {
    if (encodeTiled == null) {
      // CUresult cuTensorMapEncodeTiled(CUtensorMap*, CUtensorMapDataType, cuuint32_t rank, void* globalAddress,
      //   const cuuint64_t* globalDim, const cuuint64_t* globalStrides, const cuuint32_t* boxDim,
      //   const cuuint32_t* elementStrides, interleave, swizzle, l2Promotion, oobFill)
      encodeTiled = LibCuda.function("cuTensorMapEncodeTiled", FunctionDescriptor.of(JAVA_INT,
          ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
          "a driver for CUDA 12.0 or newer");
    }
    return encodeTiled;
  }

  /** Encodes {@code spec} (already validated by its constructor). */
  public static TensorMap encode(TensorMapSpec spec) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment map = arena.allocate(TensorMap.BYTES, 64);
      MemorySegment dims = arena.allocateFrom(JAVA_LONG, spec.globalDims());
      MemorySegment strides = arena.allocateFrom(JAVA_LONG, spec.rank() > 1 ? spec.globalStrides() : new long[] {0});
      MemorySegment box = arena.allocateFrom(JAVA_INT, spec.boxDims());
      MemorySegment elementStrides = arena.allocateFrom(JAVA_INT, spec.elementStrides());
      int result = (int) handle().invokeExact(map, spec.dataType().code, spec.rank(),
          MemorySegment.ofAddress(spec.globalAddress()), dims, strides, box, elementStrides,
          spec.interleave().code, spec.swizzle().code, spec.l2Promotion().code, spec.oobFill().code);
      CudaException.check(result, "cuTensorMapEncodeTiled", "encoding " + spec);
      return new TensorMap(spec, map.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    } catch (CudaException e) {
      throw e;
    } catch (Throwable t) {
      throw new CudaException("cuTensorMapEncodeTiled could not be called for " + spec, t);
    }
  }
}
