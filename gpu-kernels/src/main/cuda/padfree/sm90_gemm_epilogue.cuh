// Epilogues of the FP8 grouped GEMM: how a consumer warpgroup's 64 x BLOCK_N FP32 accumulators become
// BF16 rows of D. Only the group's valid rows are ever written, so D has exactly the layout's rows and
// a tile never touches the rows of the next group (which another block may be writing).
//
// TMA store (BLOCK_N a multiple of 64): the warpgroup converts its fragment to BF16 in a shared staging
// area, then one thread stores it with TMA. A tile of v valid rows (0 < v <= 64 per warpgroup) is
// written as boxes of the powers of two in v, largest first (77 = 64 + 8 + 4 + 1), each through the
// tensor map of that box height: the descriptor pool, 7 maps of heights 64, 32, ..., 1 over the same
// D. Stores are exact, so no row outside the group is written and no masking is needed.
// The staging area keeps every box at a 1024-byte boundary, as the 128-byte swizzle expects: rows of
// boxes of 8 and more sit in their natural slots (their offsets are multiples of 8); the tail boxes of
// 4, 2 and 1 rows get one fresh 8-row atom each after the last full atom. 80 row slots per warpgroup
// cover every v (at most 56 + 3 * 8 - 8 + 1 = 73 slots are used).
//
// Direct store (other BLOCK_N): BF16 pairs from registers straight to global memory.
#pragma once
#include <cuda.h>
#include <cuda_bf16.h>
#include "ptx/common.cuh"
#include "ptx/tma.cuh"

namespace padfree::sm90 {

// The descriptor pool: maps[i] stores boxes of 64 columns x (64 >> i) rows of D.
struct StoreMapPool {
  static constexpr int kHeights = 7;
  CUtensorMap maps[kHeights];
};

struct StagingLayout {
  static constexpr int kRowsPerWarpgroup = 64;
  static constexpr int kSlots = 80;
  static constexpr int kChunkCols = 64;                  // one 128-byte swizzle span of BF16
  static constexpr int kChunkBytes = kSlots * kChunkCols * 2;
  template <int BLOCK_N>
  static constexpr int warpgroup_bytes() { return (BLOCK_N / kChunkCols) * kChunkBytes; }
  static_assert(kChunkBytes % 1024 == 0, "every chunk starts on a swizzle-atom boundary");
};

// The staging slot of row r (0 <= r < v) of a warpgroup tile with v valid rows (see above).
__device__ __forceinline__ int staging_slot(int r, int v) {
  const int full = v & ~7;
  if (r < full) return r;
  const int q = r - full;  // position in the tail, boxes of 4, 2, 1 rows in this order
  const int b4 = v & 4, b2 = v & 2;
  if (q < b4) return full + q;
  if (q < b4 + b2) return full + (b4 ? 8 : 0) + (q - b4);
  return full + (b4 ? 8 : 0) + (b2 ? 8 : 0);
}

// Byte offset of (slot, col) in a chunk of 64 columns with the 128-byte swizzle TMA applies: the
// 16-byte unit index within a 128-byte row is XORed with the row's index within its 8-row atom.
__device__ __forceinline__ int staging_offset(int slot, int col) {
  return (col / StagingLayout::kChunkCols) * StagingLayout::kChunkBytes + slot * 128 +
         ((((col % 64) / 8) ^ (slot % 8)) * 16) + (col % 8) * 2;
}

__device__ __forceinline__ uint32_t bf16x2_bits(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&v);
}

// TMA-store epilogue of one consumer warpgroup. `valid` = this warpgroup's valid rows (1..64), `d_row`
// = D's row of its first row, `staging` = its own staging area. Called by all 128 threads; `barrier`
// is the warpgroup's named barrier. The previous tile's stores must have left the staging area: the
// storing thread waits for that before the first barrier.
template <int BLOCK_N, int SHAPE_N>
__device__ __forceinline__ void store_tile_tma(const float (&acc)[BLOCK_N / 2], uint8_t* staging, const StoreMapPool& pool,
                                               int d_row, int n0, int valid, int barrier) {
  static_assert(BLOCK_N % StagingLayout::kChunkCols == 0, "the TMA epilogue stores whole 64-column chunks");
  const int thread = threadIdx.x % 128;
  const int lane = thread % 32;
  if (thread == 0) ptx::tma_store_wait_read();
  ptx::named_barrier_sync<128>(barrier);
  // stmatrix, two 8-column groups (j, j + 1) of the warp's 16 rows per instruction: matrix q of lane
  // group q = lane / 8 is rows (q % 2) * 8 .. + 7 of group j + q / 2, and lane's row address is row
  // lane % 8 of it. Rows past `valid` go to a spare slot no box reads (slots >= 73 are never used),
  // one per warp, so no two warps write one address.
  const int q = lane / 8;
  const int r = (thread / 32) * 16 + (q % 2) * 8 + lane % 8;
  const int slot = r < valid ? staging_slot(r, valid) : StagingLayout::kSlots - 4 + thread / 32;
  const uint32_t base = ptx::smem_addr(staging);
#pragma unroll
  for (int j = 0; j < BLOCK_N / 8; j += 2) {
    ptx::stmatrix_x4(base + staging_offset(slot, (j + q / 2) * 8), bf16x2_bits(acc[4 * j + 0], acc[4 * j + 1]),
                     bf16x2_bits(acc[4 * j + 2], acc[4 * j + 3]), bf16x2_bits(acc[4 * j + 4], acc[4 * j + 5]),
                     bf16x2_bits(acc[4 * j + 6], acc[4 * j + 7]));
  }
  ptx::fence_proxy_async_smem();  // the writes above are read by the TMA engine (async proxy)
  ptx::named_barrier_sync<128>(barrier);
  if (thread == 0) {
    int row = 0;
    int tail_atoms = 0;
#pragma unroll
    for (int i = 0; i < StoreMapPool::kHeights; ++i) {
      const int height = 64 >> i;
      if (valid & height) {
        const int slot = height >= 8 ? row : (valid & ~7) + 8 * tail_atoms++;
#pragma unroll
        for (int c = 0; c < BLOCK_N / StagingLayout::kChunkCols; ++c) {
          if (n0 + c * StagingLayout::kChunkCols < SHAPE_N) {
            ptx::tma_store_2d(&pool.maps[i], staging + c * StagingLayout::kChunkBytes + slot * 128,
                              n0 + c * StagingLayout::kChunkCols, d_row + row);
          }
        }
        row += height;
      }
    }
    ptx::tma_store_commit();
  }
}

// Direct epilogue of one consumer warpgroup: BF16 pairs straight to global memory, valid rows and
// columns < N only. `d_row` = D's row of the warpgroup's first row.
template <int BLOCK_N, int SHAPE_N>
__device__ __forceinline__ void store_tile_direct(const float (&acc)[BLOCK_N / 2], __nv_bfloat16* __restrict__ d,
                                                  int d_row, int n0, int valid) {
  const int thread = threadIdx.x % 128;
  const int lane = thread % 32;
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    const int r = (thread / 32) * 16 + lane / 4 + half * 8;
    if (r < valid) {
      __nv_bfloat16* out = d + size_t(d_row + r) * SHAPE_N + n0;
#pragma unroll
      for (int j = 0; j < BLOCK_N / 8; ++j) {
        const int col = j * 8 + (lane % 4) * 2;
        if (n0 + col + 1 < SHAPE_N || (SHAPE_N % 2 == 0 && n0 + col < SHAPE_N)) {
          *reinterpret_cast<__nv_bfloat162*>(out + col) =
              __floats2bfloat162_rn(acc[4 * j + 2 * half], acc[4 * j + 2 * half + 1]);
        } else if (n0 + col < SHAPE_N) {
          out[col] = __float2bfloat16_rn(acc[4 * j + 2 * half]);
        }
      }
    }
  }
}

}  // namespace padfree::sm90
