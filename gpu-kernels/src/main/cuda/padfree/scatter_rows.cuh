// Returns a grouped GEMM's output rows to token order: row r of D (grouped by expert) goes to row
// destination[r] of the output (its routed slot, token * top_k + j). Memory-bound: a block moves
// kRows consecutive rows with 16-byte vectors; rows with destination < 0 are skipped.
#pragma once
#include <cstdint>

namespace padfree {

template <int kThreads, int kRows>
__device__ __forceinline__ void scatter_rows(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst,
                                             const int* __restrict__ destination, int rows, int row_bytes) {
  static_assert(kThreads % 32 == 0, "whole warps");
  const int vectors = row_bytes / 16;
  for (int r0 = blockIdx.x * kRows; r0 < rows; r0 += gridDim.x * kRows) {
    const int count = min(kRows, rows - r0);
    for (int i = threadIdx.x; i < count * vectors; i += kThreads) {
      const int r = r0 + i / vectors;
      const int to = __ldg(destination + r);
      if (to >= 0) {
        reinterpret_cast<uint4*>(dst + size_t(to) * row_bytes)[i % vectors] =
            __ldg(reinterpret_cast<const uint4*>(src + size_t(r) * row_bytes) + i % vectors);
      }
    }
  }
}

}  // namespace padfree
