package org.padfree.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceGetUuid;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUuuid;
import org.padfree.Validate;

/**
 * One GPU: its identity and properties, and its primary context, retained on first use and shared by
 * every thread of the JVM (one context per device per executor, as the driver intends). Threads call
 * {@link #makeCurrent()} before any CUDA call; instances are per JVM and never released, like the
 * primary context itself, so closing a stream or buffer never pulls the context from under another task.
 */
public final class CudaDevice {
  private static final Map<Integer, CudaDevice> BY_ORDINAL = new ConcurrentHashMap<>();

  private final int ordinal;
  private final CUdevice handle;
  private final String name;
  private final String uuid;
  private final int major;
  private final int minor;
  private final int multiprocessors;
  private final long totalMemory;
  private volatile CUcontext context;

  private CudaDevice(int ordinal) {
    this.ordinal = ordinal;
    this.handle = new CUdevice();
    CudaException.check(cuDeviceGet(handle, ordinal), "cuDeviceGet", "opening device " + ordinal);
    byte[] raw = new byte[256];
    CudaException.check(cuDeviceGetName(raw, raw.length, handle), "cuDeviceGetName");
    int end = 0;
    while (end < raw.length && raw[end] != 0) {
      end++;
    }
    this.name = new String(raw, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    CUuuid id = new CUuuid();
    CudaException.check(cuDeviceGetUuid(id, handle), "cuDeviceGetUuid");
    this.uuid = formatUuid(id.bytes);
    this.major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    this.minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    long[] bytes = {0};
    CudaException.check(cuDeviceTotalMem(bytes, handle), "cuDeviceTotalMem");
    this.totalMemory = bytes[0];
  }

  public static int count() {
    Cuda.init();
    int[] n = {0};
    CudaException.check(cuDeviceGetCount(n), "cuDeviceGetCount");
    return n[0];
  }

  public static List<CudaDevice> all() {
    List<CudaDevice> devices = new ArrayList<>();
    for (int i = 0; i < count(); i++) {
      devices.add(byOrdinal(i));
    }
    return devices;
  }

  /** Device {@code ordinal} as the driver numbers them (after CUDA_VISIBLE_DEVICES). */
  public static CudaDevice byOrdinal(int ordinal) {
    int n = count();
    Validate.require(ordinal >= 0 && ordinal < n, "gpu ordinal", ordinal,
        "this process sees " + n + " GPU(s): 0.." + (n - 1) + " (CUDA_VISIBLE_DEVICES="
            + System.getenv("CUDA_VISIBLE_DEVICES") + ")");
    return BY_ORDINAL.computeIfAbsent(ordinal, CudaDevice::new);
  }

  /** The device with this UUID, as nvidia-smi prints it ({@code GPU-xxxxxxxx-...}, prefix optional). */
  public static CudaDevice byUuid(String uuid) {
    String wanted = uuid.trim().toLowerCase(Locale.ROOT).replaceFirst("^gpu-", "");
    List<String> seen = new ArrayList<>();
    for (CudaDevice d : all()) {
      if (d.uuid.substring(4).equals(wanted)) {
        return d;
      }
      seen.add(d.uuid);
    }
    throw new org.padfree.InvalidInputException("gpu uuid", uuid, "no such GPU here; visible: " + seen);
  }

  /**
   * An address as Spark hands it to a task: a GPU index as nvidia-smi (and so the discovery script)
   * numbers them, or a UUID ("GPU-..."). nvidia-smi ignores CUDA_VISIBLE_DEVICES but the driver does
   * not, so an index is mapped through it (see {@link #ordinalOfAddress}).
   */
  public static CudaDevice byAddress(String address) {
    String a = Validate.notNull("gpu address", address).trim();
    if (!a.matches("\\d+")) {
      return byUuid(a);
    }
    return byOrdinal(ordinalOfAddress(a, System.getenv("CUDA_VISIBLE_DEVICES")));
  }

  /**
   * The driver ordinal of GPU index {@code address} when the process runs under {@code visibleDevices}
   * (the value of CUDA_VISIBLE_DEVICES, null when unset): unset or empty, the index itself; a list of
   * indices, the position of the address in it ("2,3" makes index 3 ordinal 1). A list of UUIDs cannot
   * be matched to an index without nvidia-smi, and an index outside the list names a GPU this process
   * cannot see; both are errors that say what to change.
   */
  public static int ordinalOfAddress(String address, String visibleDevices) {
    String a = Validate.notNull("gpu address", address).trim();
    Validate.require(a.matches("\\d+"), "gpu address", address, "must be a GPU index (digits) here");
    int index = Integer.parseInt(a);
    if (visibleDevices == null || visibleDevices.isBlank()) {
      return index;
    }
    String[] entries = visibleDevices.split(",");
    for (int i = 0; i < entries.length; i++) {
      String e = entries[i].trim();
      if (!e.matches("\\d+")) {
        throw new org.padfree.InvalidInputException("gpu address", address, "CUDA_VISIBLE_DEVICES=" + visibleDevices
            + " lists GPUs by UUID, so an index cannot be mapped; make the discovery script print UUIDs"
            + " (nvidia-smi --query-gpu=uuid) or list indices in CUDA_VISIBLE_DEVICES");
      }
      if (Integer.parseInt(e) == index) {
        return i;
      }
    }
    throw new org.padfree.InvalidInputException("gpu address", address, "is not in CUDA_VISIBLE_DEVICES="
        + visibleDevices + ", so this process cannot see that GPU");
  }

  /** Free and total bytes of this device's memory now (makes the device current on this thread). */
  public long[] memoryInfo() {
    makeCurrent();
    long[] free = {0};
    long[] total = {0};
    CudaException.check(jcuda.driver.JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo", describe());
    return new long[] {free[0], total[0]};
  }

  /** Makes this device's primary context current on the calling thread, retaining it on first use. */
  public CudaDevice makeCurrent() {
    CUcontext ctx = context;
    if (ctx == null) {
      synchronized (this) {
        if (context == null) {
          CUcontext retained = new CUcontext();
          CudaException.check(cuDevicePrimaryCtxRetain(retained, handle), "cuDevicePrimaryCtxRetain", describe());
          context = retained;
        }
        ctx = context;
      }
    }
    CudaException.check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent", describe());
    return this;
  }

  private int attribute(int attribute) {
    int[] v = {0};
    CudaException.check(cuDeviceGetAttribute(v, attribute, handle), "cuDeviceGetAttribute", "attribute " + attribute);
    return v[0];
  }

  public int sharedMemoryPerBlockOptin() {
    return attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
  }

  public int l2CacheBytes() {
    return attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
  }

  static String formatUuid(byte[] b) {
    String hex = HexFormat.of().formatHex(b);
    return "GPU-" + hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20);
  }

  public int ordinal() {
    return ordinal;
  }

  public String name() {
    return name;
  }

  /** As nvidia-smi prints it: GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
  public String uuid() {
    return uuid;
  }

  /** "sm_90" style. */
  public String arch() {
    return "sm_" + major + minor;
  }

  public boolean isHopper() {
    return major == 9 && minor == 0;
  }

  public int multiprocessors() {
    return multiprocessors;
  }

  public long totalMemory() {
    return totalMemory;
  }

  public String describe() {
    return name + " (" + arch() + ", " + multiprocessors + " SMs, device " + ordinal + ", " + uuid + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
