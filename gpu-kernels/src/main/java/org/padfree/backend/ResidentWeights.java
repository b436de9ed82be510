package org.padfree.backend;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.quant.QuantizedWeights;

/**
 * Expert weights kept on one GPU between batches: B as one [E][N][K] FP8 block and its scales
 * [E][ceil(N/128)][ceil(K/128)], uploaded the first time a weight set is seen and reused by every
 * later batch of the same (model, GEMM, seed, bank). The job's weight bank hands out one
 * {@link QuantizedWeights} instance per such key and executor, so the instance is the key here.
 *
 * <p>Experts that share a matrix (a bank smaller than E) share host arrays; each distinct matrix
 * crosses PCIe once, and every other expert's slot is a device-to-device copy of it. The kernel thus
 * reads E distinct copies at distinct addresses: L2 cannot tell that they are equal, so B's traffic is
 * that of E distinct experts (DeepSeek-V3 gate_up: 256 x 4096 x 7168 B = 7.5 GB, far beyond the 50 MB L2).
 *
 * <p>Least recently used sets are evicted when the device has too little free memory for a new one.
 * Not thread-safe (used under the backend's lock).
 */
final class ResidentWeights implements AutoCloseable {
  /** One weight set on the device. */
  record Resident(DeviceBuffer b, DeviceBuffer scales, int experts, int distinct) {
    long bytes() {
      return b.bytes() + scales.bytes();
    }
  }

  /** Free device memory to keep beyond a new set, for the workspace and the kernels. */
  static final long HEADROOM = 4L << 30;

  private final Map<QuantizedWeights, Resident> resident = new IdentityHashMap<>();
  private final LinkedHashMap<QuantizedWeights, Boolean> recency = new LinkedHashMap<>(16, 0.75f, true);

  /** Bytes B and its scales take on the device. */
  static long deviceBytes(QuantizedWeights w) {
    return (long) w.experts() * w.n() * w.k() + 4L * w.experts() * w.nBlocks() * w.kBlocks();
  }

  /** Weight sets on the device. */
  int size() {
    return resident.size();
  }

  long bytes() {
    return resident.values().stream().mapToLong(Resident::bytes).sum();
  }

  boolean contains(QuantizedWeights w) {
    return resident.containsKey(w);
  }

  /** Bytes held by every set but {@code keep}: what evicting them would free. */
  long bytesExcept(QuantizedWeights keep) {
    return resident.entrySet().stream().filter(e -> e.getKey() != keep).mapToLong(e -> e.getValue().bytes()).sum();
  }

  /**
   * The device copy of {@code w}, uploading it (and evicting others while {@code freeBytes} says the
   * device lacks room) on first use. Upload spans go on {@code timeline}.
   */
  Resident get(QuantizedWeights w, DeviceWorkspace workspace, CudaStream stream, GpuTimeline timeline,
      java.util.function.LongSupplier freeBytes) {
    Resident r = resident.get(w);
    if (r != null) {
      recency.get(w);
      return r;
    }
    long needed = deviceBytes(w);
    while (!resident.isEmpty() && freeBytes.getAsLong() < needed + HEADROOM) {
      evictOldest(stream);
    }
    r = upload(w, workspace, stream, timeline);
    resident.put(w, r);
    recency.put(w, Boolean.TRUE);
    return r;
  }

  private Resident upload(QuantizedWeights w, DeviceWorkspace workspace, CudaStream stream, GpuTimeline timeline) {
    long perExpert = (long) w.n() * w.k();
    DeviceBuffer b = DeviceBuffer.allocate(perExpert * w.experts(), "B [" + w.experts() + "][" + w.n() + "][" + w.k() + "]");
    DeviceBuffer scales = null;
    try {
      Map<byte[], Integer> firstSlot = new IdentityHashMap<>();
      for (int e = 0; e < w.experts(); e++) {
        Integer first = firstSlot.putIfAbsent(w.values()[e], e);
        if (first == null) {
          workspace.upload(perExpert, DeviceWorkspace.bytes(w.values()[e]), b, e * perExpert, stream, timeline);
        } else {
          GpuTimeline.Span span = timeline.start("replicate", false, stream);
          b.copyFromDeviceAsync(b, first * perExpert, e * perExpert, perExpert, stream);
          timeline.stop(span, stream);
        }
      }
      int perExpertScales = w.nBlocks() * w.kBlocks();
      float[] all = new float[perExpertScales * w.experts()];
      for (int e = 0; e < w.experts(); e++) {
        System.arraycopy(w.scales()[e], 0, all, e * perExpertScales, perExpertScales);
      }
      scales = DeviceBuffer.allocate(4L * all.length, "B scales");
      workspace.upload(4L * all.length, DeviceWorkspace.floats(all), scales, 0, stream, timeline);
      stream.synchronize("uploading expert weights [" + w.experts() + "][" + w.n() + "][" + w.k() + "]");
      return new Resident(b, scales, w.experts(), firstSlot.size());
    } catch (RuntimeException e) {
      b.close();
      if (scales != null) {
        scales.close();
      }
      throw e;
    }
  }

  /** Frees the least recently used set (after the stream's work that may read it). */
  void evictOldest(CudaStream stream) {
    QuantizedWeights oldest = recency.keySet().iterator().next();
    stream.synchronize("before evicting expert weights");
    recency.remove(oldest);
    Resident r = resident.remove(oldest);
    r.b().close();
    r.scales().close();
  }

  /** Frees every set except {@code keep} (may be null). */
  void evictAllBut(QuantizedWeights keep, CudaStream stream) {
    List<QuantizedWeights> victims = new ArrayList<>(resident.keySet());
    for (QuantizedWeights w : victims) {
      if (w != keep) {
        stream.synchronize("before evicting expert weights");
        recency.remove(w);
        Resident r = resident.remove(w);
        r.b().close();
        r.scales().close();
      }
    }
  }

  @Override
  public void close() {
    for (Resident r : resident.values()) {
      r.b().close();
      r.scales().close();
    }
    resident.clear();
    recency.clear();
  }
}
