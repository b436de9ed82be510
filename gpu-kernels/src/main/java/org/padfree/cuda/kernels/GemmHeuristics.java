package org.padfree.cuda.kernels;

import org.padfree.Validate;

/**
 * Pure choices of the FP8 GEMM's compile-time configuration from the problem shape; no GPU needed,
 * so they are unit-tested on the CPU. BLOCK_M is fixed at 128 (two 64-row consumer warpgroups).
 */
public final class GemmHeuristics {
  private GemmHeuristics() {}

  public static final int BLOCK_M = 128;
  public static final int BLOCK_K = 128;
  /** Shared memory a block may use on H100/H200 (227 KB). */
  public static final int SHARED_LIMIT = 232448;
  /**
   * Tile widths the kernel is built for (a wgmma shape each). Every one keeps a tile within two
   * 128-column weight-scale blocks wherever it starts (see {@link #maxScaleBlocksPerTile}).
   */
  public static final java.util.List<Integer> BLOCK_NS = java.util.List.of(64, 96, 112, 128, 160, 192);
  /** Staging rows per consumer warpgroup of the TMA epilogue (StagingLayout::kSlots). */
  static final int STAGING_SLOTS = 80;

  /**
   * How the two blocks of a cluster share operand loads (sm90_grouped_layouts.cuh's Multicast): none
   * (no clusters); A (neighbouring N-blocks of one row block share the A tile); B (two row blocks of the
   * same expert share the B tile, per tile where they belong to one expert).
   */
  public enum Multicast {
    NONE("kNone", ""), A("kA", "_mca"), B("kB", "_mcb");

    private final String cpp;
    private final String suffix;

    Multicast(String cpp, String suffix) {
      this.cpp = cpp;
      this.suffix = suffix;
    }

    /** The C++ enumerator, as a template argument. */
    public String cpp() {
      return "padfree::sm90::Multicast::" + cpp;
    }

    /** The kernel name's suffix. */
    public String suffix() {
      return suffix;
    }

    /** Blocks per cluster. */
    public int clusterSize() {
      return this == NONE ? 1 : 2;
    }

    /** Parses none, a or b (as a command line gives them), naming {@code field} on error. */
    public static Multicast parse(String field, String text) {
      return switch (text == null ? "" : text.toLowerCase(java.util.Locale.ROOT)) {
        case "none" -> NONE;
        case "a" -> A;
        case "b" -> B;
        default -> throw new org.padfree.InvalidInputException(field, text, "must be none, a or b");
      };
    }
  }

  /** The configuration: tile width, pipeline depth, and how clusters of two share loads. */
  public record Config(int blockN, int stages, Multicast multicast) {
    public Config {
      Validate.notNull("multicast", multicast);
    }

    public Config(int blockN, int stages) {
      this(blockN, stages, Multicast.NONE);
    }

    /** This configuration with another multicast mode. */
    public Config withMulticast(Multicast m) {
      return new Config(blockN, stages, m);
    }
  }

  /**
   * Per-tile cost that does not scale with BLOCK_N (epilogue, pipeline refill, tile start), in units of
   * one column of MMA work. Fitted to H200 measurements (NOTES.md).
   */
  static final int TILE_OVERHEAD_COLUMNS = 32;

  /**
   * Extra per-tile cost of the widths that store D straight from registers (96, 112, 160: not a
   * multiple of the TMA epilogue's 64-column chunks), in the same units. Measured on the H200 (NOTES.md,
   * 2026-11-30 fourth session): forcing direct stores at width 192 cost 13-21% even with the stage it
   * freed, and on the sweep the 160-wide pick lost 8% to 192 on 32 groups x 8192 rows N=4096 K=7168 and
   * on 16 groups x 8192 rows; 8 columns flips exactly those two and keeps 160 where it measured best
   * (4 groups x 1024 rows).
   */
  static final int DIRECT_STORE_COLUMNS = 8;

  /**
   * The tile width whose persistent schedule should finish first: a block runs ceil(tiles / SMs) tiles
   * (waves), each costing its width plus a fixed overhead ({@link #TILE_OVERHEAD_COLUMNS}, and
   * {@link #DIRECT_STORE_COLUMNS} more for widths without the TMA epilogue). Narrow or
   * unaligned widths (64, 96, 112) win when they fill the SMs better; ties go to the wider tile, which
   * reads less from L2 per FLOP. Stages: as many as fit in shared memory, at most 8.
   *
   * @param mBlocks row blocks of the problem (sum over groups of ceil(rows / 128))
   */
  public static Config choose(int n, int k, int mBlocks, int multiprocessors) {
    Validate.positive("n", n);
    Validate.positive("k", k);
    Validate.nonNegative("m_blocks", mBlocks);
    Validate.positive("multiprocessors", multiprocessors);
    int best = 128;
    long bestCost = Long.MAX_VALUE;
    for (int blockN : BLOCK_NS) {
      long tiles = (long) Math.max(1, mBlocks) * ceilDiv(n, blockN);
      long cost = ceilDiv(tiles, multiprocessors)
          * (blockN + TILE_OVERHEAD_COLUMNS + (blockN % 64 == 0 ? 0 : DIRECT_STORE_COLUMNS));
      if (cost < bestCost || (cost == bestCost && blockN > best)) {
        best = blockN;
        bestCost = cost;
      }
    }
    // No multicast, for every layout: without clusters the kernel fetches its tiles at run time in
    // groups of row blocks (sm90_grouped_layouts.cuh, DynamicTileFetcher), which keeps the blocks that
    // read one B tile in step. Measured on the H200 (NOTES.md, eighth session): that beat B multicast on
    // every case the former padding-free B-multicast rule picked (256-expert DeepSeek-V3 gate_up, 93096
    // rows: 844 -> 953-956 TFLOPS; 32 groups log-normal N=4096: 927 -> 969-974); A multicast needs
    // BLOCK_N 128 and ran 0-13% slower. Callers and gemm-bench --multicast may still ask for either,
    // which then runs the static schedule.
    return new Config(best, stagesFor(best), Multicast.NONE);
  }

  /** The configuration of a given tile width with the deepest pipeline that fits. */
  public static Config withBlockN(int blockN) {
    Validate.require(BLOCK_NS.contains(blockN), "block_n", blockN, "must be one of " + BLOCK_NS);
    return new Config(blockN, stagesFor(blockN), Multicast.NONE);
  }

  /** The deepest pipeline that fits, mirroring GemmSharedLayout in sm90_fp8_grouped_gemm.cuh. */
  public static int stagesFor(int blockN) {
    int perStage = BLOCK_M * BLOCK_K + blockN * BLOCK_K + scaleBytes();
    int stages = 1;
    while (stages < 8 && sharedBytes(blockN, stages + 1) <= SHARED_LIMIT) {
      stages++;
    }
    Validate.require(stages >= 2, "block_n", blockN, "leaves room for fewer than 2 stages (" + perStage + " B per stage)");
    return stages;
  }

  /** GemmSharedLayout::kAllocBytes: the epilogue's staging, the stages, their barriers, alignment slack. */
  public static int sharedBytes(int blockN, int stages) {
    return stagingBytes(blockN) + stages * (BLOCK_M * BLOCK_K + blockN * BLOCK_K + scaleBytes()) + 2 * stages * 8 + 1024;
  }

  /** Two warpgroups' TMA-store staging (BLOCK_N a multiple of 64), else 0 (direct stores). */
  public static int stagingBytes(int blockN) {
    return blockN % 64 == 0 ? 2 * (blockN / 64) * STAGING_SLOTS * 64 * 2 : 0;
  }

  /**
   * The most 128-column weight-scale blocks a tile of {@code blockN} columns starting at any multiple
   * of blockN touches (the kernel handles at most 2).
   */
  public static int maxScaleBlocksPerTile(int blockN) {
    int most = 0;
    for (int n0 = 0; n0 < 128 * blockN; n0 += blockN) {
      most = Math.max(most, (n0 + blockN - 1) / 128 - n0 / 128 + 1);
    }
    return most;
  }

  private static int scaleBytes() {
    return ((BLOCK_M + 4) * 4 + 127) / 128 * 128;
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
