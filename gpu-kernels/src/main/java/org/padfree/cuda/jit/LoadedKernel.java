package org.padfree.cuda.jit;

import static jcuda.driver.JCudaDriver.cuFuncGetAttribute;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import org.padfree.Validate;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaException;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.tma.TensorMap;

/**
 * A kernel loaded on one device, ready to launch. Its static shared memory, registers and local memory
 * are read from the compiled function ({@code cuFuncGetAttribute}), never re-derived on the Java side.
 */
public final class LoadedKernel {
  private final KernelSpec spec;
  private final String key;
  private final CudaDevice device;
  private final CUmodule module;
  private final CUfunction function;
  private int dynamicSharedLimit;
  private final java.util.Map<String, Integer> constants = new java.util.concurrent.ConcurrentHashMap<>();

  LoadedKernel(KernelSpec spec, String key, CudaDevice device, CUmodule module, CUfunction function) {
    this.spec = spec;
    this.key = key;
    this.device = device;
    this.module = module;
    this.function = function;
  }

  /** Grid and block shape plus dynamic shared memory of one launch. */
  public record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int dynamicSharedBytes) {
    public static LaunchConfig linear(int blocks, int threads, int dynamicSharedBytes) {
      return new LaunchConfig(blocks, 1, 1, threads, 1, 1, dynamicSharedBytes);
    }
  }

  public KernelSpec spec() {
    return spec;
  }

  public String cacheKey() {
    return key;
  }

  public CUmodule module() {
    return module;
  }

  public int attribute(int attribute) {
    int[] v = {0};
    CudaException.check(cuFuncGetAttribute(v, attribute, function), "cuFuncGetAttribute", spec.entry());
    return v[0];
  }

  /**
   * An int the kernel's unit exported with {@link KernelSpec#constants()}. Read from the device once
   * (a synchronous copy) and remembered, so launches never pay for it.
   */
  public int constant(String name) {
    Validate.require(spec.constants().containsKey(name), "constant", name, spec.entry() + " exports " + spec.constants().keySet());
    return constants.computeIfAbsent(name, this::readConstant);
  }

  private int readConstant(String name) {
    jcuda.driver.CUdeviceptr address = new jcuda.driver.CUdeviceptr();
    long[] size = {0};
    device.makeCurrent();
    CudaException.check(jcuda.driver.JCudaDriver.cuModuleGetGlobal(address, size, module, name), "cuModuleGetGlobal", name);
    int[] value = {0};
    CudaException.check(jcuda.driver.JCudaDriver.cuMemcpyDtoH(Pointer.to(value), address, 4), "cuMemcpyDtoH", name);
    return value[0];
  }

  public int registers() {
    return attribute(CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS);
  }

  public int staticSharedBytes() {
    return attribute(CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
  }

  public int localBytes() {
    return attribute(CUfunction_attribute.CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES);
  }

  public int maxThreadsPerBlock() {
    return attribute(CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
  }

  /** Raises the dynamic shared-memory limit (needed above 48 KB) once per size. */
  public synchronized void allowDynamicShared(int bytes) {
    if (bytes > dynamicSharedLimit) {
      CudaException.check(cuFuncSetAttribute(function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
          bytes), "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)", spec.entry() + " with " + bytes + " bytes");
      dynamicSharedLimit = bytes;
    }
  }

  /**
   * How many of this kernel's clusters fit on the device at once ({@code spec().clusterSize()} blocks
   * each, of {@code threads} threads and {@code dynamicSharedBytes}); for kernels without clusters,
   * how many blocks. A persistent grid launches no more than this.
   */
  public int maxActiveClusters(int threads, int dynamicSharedBytes) {
    allowDynamicShared(dynamicSharedBytes);
    return ClusterOccupancy.maxActiveClusters(function, spec.clusterSize(), threads, dynamicSharedBytes, spec.entry());
  }

  /**
   * A kernel argument whose value depends on the stream the launch is enqueued on, filled in by
   * {@link PreparedLaunch#enqueue}.
   */
  public enum StreamArgument {
    /** The stream's {@link CudaStream#workCounters()}, as a pointer. */
    WORK_COUNTERS
  }

  /** Launches on {@code stream}: {@link #prepare} then {@link PreparedLaunch#enqueue}. */
  public void launch(LaunchConfig c, CudaStream stream, Object... args) {
    prepare(c, args).enqueue(stream);
  }

  /**
   * Checks the configuration and marshals the arguments once, so the launch itself is a single driver
   * call (what a benchmark times between its events, and what a backend repeats). Arguments map to
   * kernel parameters in order: TensorMap (128 bytes by value), TensorMap[] (a pool of maps, passed as
   * one struct of consecutive maps), DeviceBuffer (its pointer), Integer, Long, Float, and at most one
   * {@link StreamArgument} (filled in per enqueue). A bad configuration is an error naming the kernel
   * and the value, not a sticky CUDA error.
   */
  public PreparedLaunch prepare(LaunchConfig c, Object... args) {
    int threads = c.blockX() * c.blockY() * c.blockZ();
    Validate.require(c.blockX() > 0 && c.blockY() > 0 && c.blockZ() > 0 && threads <= maxThreadsPerBlock(),
        "block", c.blockX() + "x" + c.blockY() + "x" + c.blockZ(),
        spec.entry() + " allows at most " + maxThreadsPerBlock() + " threads per block");
    Validate.require(c.gridX() > 0 && c.gridY() > 0 && c.gridZ() > 0 && c.gridY() <= 65535 && c.gridZ() <= 65535,
        "grid", c.gridX() + "x" + c.gridY() + "x" + c.gridZ(), "every dimension must be positive (y, z <= 65535)");
    Validate.require(c.dynamicSharedBytes() >= 0, "dynamicSharedBytes", c.dynamicSharedBytes(), "must be >= 0");
    Validate.require(args.length == spec.parameters().size(), "args", args.length,
        spec.entry() + " takes " + spec.parameters().size() + " parameters: " + spec.parameters());
    NativePointerObject[] params = new NativePointerObject[args.length];
    int streamArgument = -1;
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof StreamArgument) {
        Validate.require(streamArgument < 0, "args", i, spec.entry() + " takes at most one stream argument");
        streamArgument = i;
        continue;
      }
      params[i] = switch (args[i]) {
        case TensorMap map -> Pointer.to(map.bytes());
        case TensorMap[] pool -> Pointer.to(poolBytes(pool));
        case DeviceBuffer buffer -> Pointer.to(buffer.pointer());
        case Integer v -> Pointer.to(new int[] {v});
        case Long v -> Pointer.to(new long[] {v});
        case Float v -> Pointer.to(new float[] {v});
        default -> throw new IllegalArgumentException("unsupported kernel argument " + i + " of " + spec.entry()
            + ": " + args[i].getClass().getName());
      };
    }
    if (c.dynamicSharedBytes() > 48 * 1024) {
      allowDynamicShared(c.dynamicSharedBytes());
    }
    return new PreparedLaunch(this, c, params, streamArgument);
  }

  private static byte[] poolBytes(TensorMap[] pool) {
    byte[] bytes = new byte[pool.length * TensorMap.BYTES];
    for (int i = 0; i < pool.length; i++) {
      System.arraycopy(pool[i].bytes(), 0, bytes, i * TensorMap.BYTES, TensorMap.BYTES);
    }
    return bytes;
  }

  /**
   * One launch with its arguments marshalled; enqueue it as often as needed (same arguments, and the
   * stream's own value for a {@link StreamArgument} at index {@code streamArgument}, or none if < 0).
   */
  public record PreparedLaunch(LoadedKernel kernel, LaunchConfig config, NativePointerObject[] arguments, int streamArgument) {
    /** A launch that does nothing (a problem with no tiles). */
    public static final PreparedLaunch NONE = new PreparedLaunch(null, null, null, -1);

    public void enqueue(CudaStream stream) {
      if (kernel == null) {
        return;
      }
      LaunchConfig c = config;
      kernel.device.makeCurrent();
      NativePointerObject[] values = arguments;
      if (streamArgument >= 0) {
        values = arguments.clone(); // a launch may be enqueued on several streams
        values[streamArgument] = Pointer.to(stream.workCounters().pointer());
      }
      Pointer params = Pointer.to(values);
      CudaException.check(cuLaunchKernel(kernel.function, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(),
          c.blockZ(), c.dynamicSharedBytes(), stream.handle(), params, null), "cuLaunchKernel", kernel.spec.entry() + " " + c);
    }
  }
}
