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
struct MaskedLayout {
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

// The persistent tile scheduler every layout shares. Tiles of the (M-block x N-block) grid, M-block
// major, go to clusters of kCluster blocks in units of kCluster neighbouring N-blocks of one row block
// (so a cluster can share that row block's A tile); cluster c takes units c, c + clusters, ... and
// block `rank` of it the rank-th tile of each unit. M-blocks the layout marks empty are skipped by the
// whole cluster. Producer and consumers walk the same sequence, so they agree without communicating.
template <typename Layout, int BLOCK_M, int kNBlocks, int kCluster>
struct PersistentTileScheduler {
  static_assert(kNBlocks % kCluster == 0, "a cluster's blocks split a row block's N-blocks evenly");
  const Layout& layout;
  const int num_units;
  const int rank;
  int next_unit;

  __device__ PersistentTileScheduler(const Layout& l, int block_rank)
      : layout(l), num_units(l.template m_blocks<BLOCK_M>() * (kNBlocks / kCluster)), rank(block_rank),
        next_unit(blockIdx.x / kCluster) {}

  // The next tile with valid rows: its row block and column block index; false when done.
  __device__ bool next(RowBlock& rows, int& n_block) {
    while (next_unit < num_units) {
      const int tile = next_unit * kCluster + rank;
      next_unit += gridDim.x / kCluster;
      rows = layout.template block<BLOCK_M>(tile / kNBlocks);
      n_block = tile % kNBlocks;
      if (rows.valid_rows > 0) return true;
    }
    return false;
  }
};

}  // namespace padfree::sm90
