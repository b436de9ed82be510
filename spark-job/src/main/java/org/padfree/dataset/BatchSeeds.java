package org.padfree.dataset;

import java.nio.charset.StandardCharsets;

/**
 * Per-batch seeds derived from a run's seed and a batch id, so generated datasets and sweep batches
 * are reproducible batch by batch whatever the partitioning.
 */
public final class BatchSeeds {
  private BatchSeeds() {}

  /** 64-bit FNV-1a of the UTF-8 bytes: unlike String.hashCode it is 64 bits and fixed by its spec. */
  public static long stableHash(String text) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
