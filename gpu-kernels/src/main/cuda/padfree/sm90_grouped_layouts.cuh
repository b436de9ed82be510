// Row-block policies: how each grouped-GEMM layout maps a linear M-block index to the rows of A it
// reads, the expert whose weights it uses, the rows of D it writes and how many of them are valid.
// Every layout shares one persistent scheduler and one kernel; only this index arithmetic differs.
#pragma once
#include <cstdint>

namespace padfree::sm90 {

struct RowBlock {
  int a_row;       // first row of A loaded (a TMA box may over-fetch past the valid rows)
  int d_row;       // first row of D written
  int valid_rows;  // rows of this block that belong to the group; <= 0 means skip the block
  int expert;      // whose weights
};

// One weight matrix, M rows. Parameters: x = rows.
struct DenseLayout {
  static constexpr bool kDynamicTiles = true;
  int rows;
  __device__ DenseLayout(const int*, const int*, int x, int) : rows(x) {}
  template <int BLOCK_M>
  __device__ int m_blocks() const { return (rows + BLOCK_M - 1) / BLOCK_M; }
  template <int BLOCK_M>
  __device__ RowBlock block(int mb) const {
    const int r0 = mb * BLOCK_M;
    return {r0, r0, min(BLOCK_M, rows - r0), 0};
  }
};

// Padding-free contiguous: expert e owns rows [offsets[e], offsets[e+1]). The host turns the offsets
// into one entry per M-block (DeviceGemmOperands.blockTable): {first row, expert << 8 | valid rows},
// so finding a block is one 8-byte load rather than a dependent search through the offsets (whose
// latency the consumers would pay at every tile, with the tensor cores idle).
// Parameters: b = the block table, x = its number of M-blocks.
struct PaddingFreeLayout {
  static constexpr bool kDynamicTiles = true;
  const int2* table;
  int blocks;
  __device__ PaddingFreeLayout(const int*, const int* b, int x, int) : table(reinterpret_cast<const int2*>(b)), blocks(x) {}
  template <int BLOCK_M>
  __device__ int m_blocks() const { return blocks; }
  template <int BLOCK_M>
  __device__ RowBlock block(int mb) const {
    static_assert(BLOCK_M <= 255, "valid rows are packed in 8 bits");
    const int2 entry = __ldg(table + mb);
    return {entry.x, entry.x, entry.y & 0xFF, entry.y >> 8};
  }
};

// Padded contiguous (DeepGEMM's): every group starts at a multiple of BLOCK_M; group_index[r] is
// row r's expert or -1 for padding. Blocks of padding only are skipped; others compute and store all
// BLOCK_M rows, as the padded baseline does. Parameters: a = group_index, x = padded rows.
struct PaddedLayout {
  static constexpr bool kDynamicTiles = true;
  const int* group_index;
  int rows;
  __device__ PaddedLayout(const int* a, const int*, int x, int) : group_index(a), rows(x) {}
  template <int BLOCK_M>
  __device__ int m_blocks() const { return rows / BLOCK_M; }
  template <int BLOCK_M>
  __device__ RowBlock block(int mb) const {
    const int r0 = mb * BLOCK_M;
    const int expert = __ldg(group_index + r0);
    return {r0, r0, expert < 0 ? 0 : BLOCK_M, expert < 0 ? 0 : expert};
  }
};

// Masked (decode): A is [E][max_rows][K]; expert e's first counts[e] rows are valid.
// Parameters: a = counts, x = experts, y = max_rows.
// Most of its blocks may be empty (experts with few rows of max_rows), and a dynamic schedule pays a
// serial atomic per skipped unit, so it keeps the static one.
struct MaskedLayout {
  static constexpr bool kDynamicTiles = false;
  const int* counts;
  int experts;
  int max_rows;
  __device__ MaskedLayout(const int* a, const int*, int x, int y) : counts(a), experts(x), max_rows(y) {}
  template <int BLOCK_M>
  __device__ int m_blocks() const { return experts * ((max_rows + BLOCK_M - 1) / BLOCK_M); }
  template <int BLOCK_M>
  __device__ RowBlock block(int mb) const {
    const int per_expert = (max_rows + BLOCK_M - 1) / BLOCK_M;
    const int e = mb / per_expert;
    const int r0 = (mb % per_expert) * BLOCK_M;
    const int row = e * max_rows + r0;
    return {row, row, min(BLOCK_M, __ldg(counts + e) - r0), e};
  }
};

// How the blocks of a cluster of two share operand loads. kA: the two blocks compute neighbouring
// N-blocks of one row block and each loads half of the A tile for both. kB: they compute one N-block of
// two row blocks and each loads half of the B tile for both, where the two row blocks use the same
// expert's weights ("paired" tiles); elsewhere each loads its own B.
enum class Multicast : int { kNone = 0, kA = 1, kB = 2 };

// One tile of the persistent schedule: the rows it covers, its column block, and whether the
// cluster's two blocks share this tile's B loads (Multicast::kB only).
struct Tile {
  RowBlock rows;
  int n_block;
  bool paired;
};

// The static persistent tile scheduler: clusters (kA, kB) and layouts without kDynamicTiles use it
// (the others take DynamicTileFetcher, below). Producer and consumers walk the same sequence, so they
// agree without communicating; both blocks of a cluster walk the same units.
//   kNone, kA: tiles of the (M-block x N-block) grid, M-block major, in units of kCluster
//     neighbouring N-blocks of one row block; cluster c takes units c, c + clusters, ... and block
//     `rank` the rank-th tile of each unit. M-blocks the layout marks empty are skipped.
//   kB: units are (pair of M-blocks 2p, 2p + 1) x N-block, pair major; block `rank` takes M-block
//     2p + rank. A unit is skipped when neither block has valid rows; otherwise both blocks run it in
//     step (a block without valid rows gets a tile of 0 valid rows: its producer and consumers walk
//     the stages without loading or computing, so the cluster's pipelines stay in phase).
// The scheduler reads one unit ahead: next() hands out the unit whose row blocks it loaded on the
// previous call and issues the loads of the one after, so their latency (a global load per tile,
// the layout's table) overlaps a whole tile instead of stalling every role at every tile start.
template <typename Layout, int BLOCK_M, int kNBlocks, Multicast kMulticast>
struct PersistentTileScheduler {
  static constexpr int kCluster = kMulticast == Multicast::kNone ? 1 : 2;
  static_assert(kMulticast != Multicast::kA || kNBlocks % 2 == 0, "A multicast pairs the N-blocks of a row block");
  const Layout& layout;
  const int m_blocks;
  const int num_units;
  const int rank;
  int next_unit;
  // The unit loaded ahead (ahead_unit < num_units) and its row blocks (peer: kB's other block).
  int ahead_unit;
  RowBlock ahead_rows{};
  RowBlock ahead_peer{};

  __device__ PersistentTileScheduler(const Layout& l, int block_rank)
      : layout(l), m_blocks(l.template m_blocks<BLOCK_M>()),
        num_units(kMulticast == Multicast::kB ? (m_blocks + 1) / 2 * kNBlocks : m_blocks * (kNBlocks / kCluster)),
        rank(block_rank), next_unit(blockIdx.x / kCluster) {
    load_ahead();
  }

  // The next tile to run; false when done.
  __device__ bool next(Tile& t) {
    while (ahead_unit < num_units) {
      const int unit = ahead_unit;
      const RowBlock rows = ahead_rows;
      const RowBlock peer = ahead_peer;
      load_ahead();
      if constexpr (kMulticast == Multicast::kB) {
        if (rows.valid_rows <= 0 && peer.valid_rows <= 0) continue;
        t.rows = rows;
        t.n_block = unit % kNBlocks;
        t.paired = rows.valid_rows > 0 && peer.valid_rows > 0 && rows.expert == peer.expert;
        return true;
      } else {
        if (rows.valid_rows <= 0) continue;
        t.rows = rows;
        t.n_block = (unit * kCluster + rank) % kNBlocks;
        t.paired = false;
        return true;
      }
    }
    return false;
  }

 private:
  // Issues the loads of the next unit's row blocks (their values are first used by the next call).
  __device__ void load_ahead() {
    ahead_unit = next_unit;
    next_unit += gridDim.x / kCluster;
    if (ahead_unit >= num_units) return;
    if constexpr (kMulticast == Multicast::kB) {
      const int pair = ahead_unit / kNBlocks;
      ahead_rows = row_block(2 * pair + rank);
      ahead_peer = row_block(2 * pair + (rank ^ 1));
    } else {
      ahead_rows = layout.template block<BLOCK_M>((ahead_unit * kCluster + rank) / kNBlocks);
    }
  }

  // M-block mb, or a block of no valid rows past the last one (the odd block of the last pair).
  __device__ RowBlock row_block(int mb) const {
    if (mb < m_blocks) return layout.template block<BLOCK_M>(mb);
    return {0, 0, 0, 0};
  }
};

// Tiles handed out at run time (Multicast::kNone on layouts with kDynamicTiles): the units of the
// (M-block x N-block) grid are ordered in groups of kGroupM row blocks (below); block b starts on unit
// b, and each later unit is the next one no block has taken (a global atomic counter). Why: the static round-robin fixes each block's units in advance, so
// a block whose tiles are cheap (residual tiles that skip a warpgroup) runs ahead of the others, and
// over tens of waves the blocks that share an expert's B tiles drift apart until the second reads it
// from DRAM again (NOTES.md: padding-free 256-expert down GEMM, 9.85 GB read for 3.76 GB of weights).
// Taken in order, the units in flight stay one window of the grid wherever the cheap tiles fall.
// Only the producer fetches; it publishes each tile to the consumers in the tile's first stage
// (GemmSharedLayout::tile_info), and after the last tile an end marker.
// `counters` [2] are zero at launch: [0] counts units taken after the first one of each block, [1]
// blocks done; the last block to finish zeroes both, so the next launch on the stream finds them zero.
template <typename Layout, int BLOCK_M, int kNBlocks>
struct DynamicTileFetcher {
  // Units are taken in groups of kGroupM M-blocks, N-block major within a group: the tiles that read
  // one B tile (kGroupM row blocks, mostly of one expert) run at the same time and share it through
  // L2, and the group's A rows stay in L2 while its N-blocks pass. M-block major, a wave would cover
  // 132 / kNBlocks row blocks, less than one where N is large (Mixtral's 28672), and read all of B
  // from DRAM once per row block.
  static constexpr int kGroupM = 8;
  const Layout& layout;
  const int m_blocks;
  const int num_units;
  unsigned int* const counters;
  // Two units ahead, so that neither the atomic nor the layout's table load is on the producer's path
  // at a tile start (with short tiles, K = 768, that stall reached the consumers): `ahead` is the
  // unit handed out next, its row block loaded; `taken` the one after, its atomic in flight.
  int ahead;
  int ahead_n_block;
  RowBlock ahead_rows{};
  int taken;

  __device__ DynamicTileFetcher(const Layout& l, unsigned int* c)
      : layout(l), m_blocks(l.template m_blocks<BLOCK_M>()), num_units(m_blocks * kNBlocks), counters(c),
        ahead(blockIdx.x), taken(take()) {
    load(ahead);
  }

  // The next tile to run; false when no unit is left.
  __device__ bool next(Tile& t) {
    while (ahead < num_units) {
      const RowBlock rows = ahead_rows;
      const int n_block = ahead_n_block;
      ahead = taken;
      taken = ahead < num_units ? take() : num_units;
      load(ahead);
      if (rows.valid_rows <= 0) continue;
      t.rows = rows;
      t.n_block = n_block;
      t.paired = false;
      return true;
    }
    return false;
  }

  // The unit after all units taken so far; its value is first used by a later next().
  __device__ int take() { return static_cast<int>(gridDim.x + atomicAdd(counters, 1u)); }

  // Issues the load of unit u's row block (none past the last unit): groups of kGroupM M-blocks, N-block
  // major within a group.
  __device__ void load(int u) {
    if (u >= num_units) return;
    const int group = u / (kGroupM * kNBlocks);
    const int first = group * kGroupM;
    const int group_rows = min(kGroupM, m_blocks - first);
    const int within = u - first * kNBlocks;
    ahead_rows = layout.template block<BLOCK_M>(first + within % group_rows);
    ahead_n_block = within / group_rows;
  }

  // Once per block, after next() returned false: the last block zeroes the counters. Every block's
  // takes have returned by then (next() stops only after a take past the last unit), so none can
  // follow the reset.
  __device__ void retire() {
    if (atomicAdd(counters + 1, 1u) == gridDim.x - 1) {
      atomicExch(counters, 0u);
      atomicExch(counters + 1, 0u);
    }
  }
};

// A tile as the producer publishes it in the tile's first stage (dynamic tiles); n_block < 0 marks the
// end of the block's tiles.
struct PublishedTile {
  int a_row, d_row, valid_rows, expert, n_block;
};

}  // namespace padfree::sm90
