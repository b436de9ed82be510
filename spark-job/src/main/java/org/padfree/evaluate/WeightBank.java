package org.padfree.evaluate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.padfree.backend.GroupedGemmBackend;
import org.padfree.model.GemmShape;
import org.padfree.quant.QuantizedWeights;

/**
 * Synthetic expert weights, made once per executor JVM and shared by its tasks: the same
 * (model, GEMM, experts, bank size, seed) always yields the same FP8 matrices, on every executor.
 * With a bank of B > 0 matrices, expert e uses matrix e mod B; B = 0 gives every expert its own.
 */
final class WeightBank {
  private WeightBank() {}

  private record Key(String model, String gemm, int n, int k, int experts, int bank, long seed) {}

  private static final Map<Key, QuantizedWeights> CACHE = new ConcurrentHashMap<>();

  /**
   * The bank's weights, made by {@code maker} on first use (a GPU backend makes them on its device;
   * every backend makes the same bytes, so one cache serves them all).
   */
  static QuantizedWeights weights(String model, GemmShape gemm, int experts, int bank, long seed, GroupedGemmBackend maker) {
    Key key = new Key(model, gemm.name(), gemm.n(), gemm.k(), experts, bank, seed);
    return CACHE.computeIfAbsent(key, k -> make(k, maker));
  }

  /** Whether this bank's weights are already made in this JVM (then they cost no more heap). */
  static boolean isMade(String model, GemmShape gemm, int experts, int bank, long seed) {
    return CACHE.containsKey(new Key(model, gemm.name(), gemm.n(), gemm.k(), experts, bank, seed));
  }

  /** Heap held by the weights made so far: each distinct matrix once, however many experts share it. */
  static long heldBytes() {
    long total = 0;
    for (QuantizedWeights w : CACHE.values()) {
      java.util.Set<Object> counted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (int e = 0; e < w.experts(); e++) {
        if (counted.add(w.values()[e])) {
          total += w.values()[e].length + 4L * w.scales()[e].length;
        }
      }
    }
    return total;
  }

  private static QuantizedWeights make(Key key, GroupedGemmBackend maker) {
    int distinct = key.bank() == 0 ? key.experts() : Math.min(key.bank(), key.experts());
    byte[][] values = new byte[key.experts()][];
    float[][] scales = new float[key.experts()][];
    // Each matrix has its own seed, so they can be made in any order, in parallel or on a device.
    long[] seeds = new long[distinct];
    for (int m = 0; m < distinct; m++) {
      seeds[m] = key.seed() * 1_000_003L + (key.model() + "/" + key.gemm()).hashCode() * 31L + m;
    }
    QuantizedWeights[] made = maker.syntheticWeights(seeds, key.n(), key.k());
    for (int m = 0; m < distinct; m++) {
      for (int e = m; e < key.experts(); e += distinct) {
        values[e] = made[m].values()[0];
        scales[e] = made[m].scales()[0];
      }
    }
    return new QuantizedWeights(key.n(), key.k(), values, scales);
  }
}
