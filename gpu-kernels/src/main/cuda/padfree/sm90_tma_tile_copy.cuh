// A TMA round trip, the runtime's smoke test: each CTA loads one BLOCK_ROWS x BLOCK_COLS tile of a
// 2D tensor with TMA, adds `addend` to every element in shared memory, and stores the tile with TMA.
// Edge tiles exercise out-of-bounds fill on the load and clipping on the store, which is what the
// padding-free GEMM's over-fetching loads and exact stores rely on.
#pragma once
#include <cuda.h>
#include "ptx/mbarrier.cuh"
#include "ptx/tma.cuh"

namespace padfree::sm90 {

template <int BLOCK_ROWS, int BLOCK_COLS, typename element_t>
__device__ __forceinline__ void tma_tile_copy(const CUtensorMap& src, const CUtensorMap& dst, int tiles_per_row,
                                              element_t addend) {
  static_assert(BLOCK_ROWS >= 1 && BLOCK_ROWS <= 256, "a TMA box is at most 256 rows");
  static_assert(BLOCK_COLS >= 1 && BLOCK_COLS <= 256, "a TMA box is at most 256 elements wide");
  static_assert(BLOCK_COLS * sizeof(element_t) % 16 == 0, "a TMA box's inner extent must be a multiple of 16 bytes");
  constexpr uint32_t kTileBytes = BLOCK_ROWS * BLOCK_COLS * sizeof(element_t);
  static_assert(kTileBytes <= 48 * 1024, "the tile must fit in static shared memory");

  __shared__ alignas(128) element_t tile[BLOCK_ROWS * BLOCK_COLS];
  __shared__ alignas(8) uint64_t loaded;

  const int col0 = static_cast<int>(blockIdx.x % tiles_per_row) * BLOCK_COLS;
  const int row0 = static_cast<int>(blockIdx.x / tiles_per_row) * BLOCK_ROWS;
  if (threadIdx.x == 0) {
    ptx::tma_prefetch(&src);
    ptx::tma_prefetch(&dst);
    ptx::mbarrier_init(&loaded, 1);
    ptx::fence_barrier_init();
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    ptx::mbarrier_arrive_expect_tx(&loaded, kTileBytes);  // the full box, out-of-bounds fill included
    ptx::tma_load_2d(tile, &src, &loaded, col0, row0);
  }
  ptx::mbarrier_wait(&loaded, 0);
  for (int i = threadIdx.x; i < BLOCK_ROWS * BLOCK_COLS; i += blockDim.x) {
    tile[i] += addend;
  }
  ptx::fence_proxy_async_smem();  // each writer orders its stores before the TMA store reads them
  __syncthreads();
  if (threadIdx.x == 0) {
    ptx::tma_store_2d(&dst, tile, col0, row0);
    ptx::tma_store_commit();
    ptx::tma_store_wait_all();
  }
}

}  // namespace padfree::sm90
