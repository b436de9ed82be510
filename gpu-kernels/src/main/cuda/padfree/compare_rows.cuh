// Device-side check of the paths against each other: counts the BF16 elements of rows of `a` that
// differ (bitwise) from their mapped rows of `b`, so a multi-gigabyte comparison of D's never has to
// leave the GPU; only the count does. Row r of `a` is compared with row map[r] of `b` (both N wide).
#pragma once
#include <cstdint>

namespace padfree {

// 1 for each 16-bit half of the words that differs.
__device__ __forceinline__ unsigned differing_halves(uint32_t x, uint32_t y) {
  const uint32_t w = x ^ y;
  return ((w & 0xFFFFu) != 0) + ((w >> 16) != 0);
}

template <int kThreads>
__device__ __forceinline__ void count_differing_rows(const uint16_t* __restrict__ a, const uint16_t* __restrict__ b,
                                                     const int* __restrict__ map, int rows, int n,
                                                     unsigned long long* __restrict__ count) {
  static_assert(kThreads % 32 == 0, "whole warps");
  const int vectors = n / 8;  // n is a multiple of 8 (the GEMM's own constraint): 16-byte compares
  unsigned long long local = 0;
  const long long total = static_cast<long long>(rows) * vectors;
  for (long long i = static_cast<long long>(blockIdx.x) * kThreads + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * kThreads) {
    const int r = static_cast<int>(i / vectors);
    const int v = static_cast<int>(i % vectors);
    const uint4 x = __ldg(reinterpret_cast<const uint4*>(a + size_t(r) * n) + v);
    const uint4 y = __ldg(reinterpret_cast<const uint4*>(b + size_t(__ldg(map + r)) * n) + v);
    local += differing_halves(x.x, y.x) + differing_halves(x.y, y.y) + differing_halves(x.z, y.z) +
             differing_halves(x.w, y.w);
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) local += __shfl_down_sync(0xFFFFFFFFu, local, offset);
  if (threadIdx.x % 32 == 0 && local != 0) atomicAdd(count, local);
}

}  // namespace padfree
