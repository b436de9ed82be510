package org.padfree.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The steps GemmBench can time, by the names cases files and reports use. */
public enum BenchPath {
  /** The padding-free grouped GEMM straight on the dispatched rows. */
  PADDING_FREE,
  /** The padded (DeepGEMM-style) grouped GEMM on rows already padded to multiples of 128. */
  PADDED,
  /** The pad operation that builds the padded A and its scales from the dispatched rows. */
  PAD,
  /** The masked (decode) layout: [groups][largest group][K] with per-group counts. */
  MASKED,
  /** One dense GEMM of every row against group 0's weights: the same FLOPs without groups. */
  DENSE;

  /** What every case times unless it says otherwise. */
  public static final List<BenchPath> DEFAULT = List.of(PADDING_FREE, PADDED, PAD);

  /** The name in cases files and column prefixes, e.g. {@code padding_free}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this step is a GEMM (its time yields TFLOPS). */
  public boolean isGemm() {
    return this != PAD;
  }

  /** The path of {@code key}, or null when there is none. */
  public static BenchPath ofKey(String key) {
    for (BenchPath p : values()) {
      if (p.key().equals(key)) {
        return p;
      }
    }
    return null;
  }

  /** Every key, for error messages. */
  public static String keys() {
    return Arrays.stream(values()).map(BenchPath::key).toList().toString();
  }
}
