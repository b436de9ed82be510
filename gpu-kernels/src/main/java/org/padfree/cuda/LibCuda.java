package org.padfree.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Driver API functions JCuda 12.6 has no binding for, called through the JDK's Foreign Function &
 * Memory API from libcuda.so.1. Callers look a function up lazily, so loading their classes on a
 * machine without a GPU costs nothing.
 */
public final class LibCuda {
  private LibCuda() {}

  private static SymbolLookup library;

  private static synchronized SymbolLookup library(String function) {
    if (library == null) {
      try {
        library = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
      } catch (IllegalArgumentException e) {
        throw new CudaException("cannot open libcuda.so.1 for " + function + " (no NVIDIA driver?)", e);
      }
    }
    return library;
  }

  /**
   * A downcall handle of {@code function} with C signature {@code descriptor}; {@code needs} says which
   * driver has it, for the error when this one does not (e.g. "a driver for CUDA 12.0 or newer").
   */
  public static MethodHandle function(String function, FunctionDescriptor descriptor, String needs) {
    MemorySegment symbol = library(function).find(function).orElseThrow(() ->
        new CudaException("libcuda.so.1 has no " + function + ": " + needs + " is needed", null));
    return Linker.nativeLinker().downcallHandle(symbol, descriptor);
  }
}
