// The pad operation of the padded (DeepGEMM-style) path: copies each dispatched FP8 row, and its
// 1x128 scales, to its place in the padded layout, and writes zero rows (with the floor scale) where
// the layout has padding. Memory-bound, so every access is coalesced: a block takes kRows consecutive
// destination rows, copies them with 16-byte vectors (a warp per row), then writes their scales one K block at a time
// (kRows consecutive floats of the M-major layout) instead of scattering one float per row and block.
#pragma once
#include <cstdint>

namespace padfree {

template <int kThreads, int kRows>
__device__ __forceinline__ void pad_rows(const uint8_t* __restrict__ src, uint8_t* __restrict__ dst,
                                         const float* __restrict__ src_scales, float* __restrict__ dst_scales,
                                         const int* __restrict__ source, int dst_rows, int k, int k_blocks,
                                         int src_scale_stride, int dst_scale_stride, float zero_scale) {
  static_assert(kThreads % 32 == 0 && kThreads % kRows == 0, "whole warps, whole rows per pass");
  const int vectors = k / 16;
  for (int r0 = blockIdx.x * kRows; r0 < dst_rows; r0 += gridDim.x * kRows) {
    const int rows = min(kRows, dst_rows - r0);
    // Rows: one warp per row (its source index read once), lanes on consecutive 16-byte vectors, four
    // loads in flight per lane before their stores, so each warp keeps 2 KB of reads outstanding.
    for (int rr = threadIdx.x / 32; rr < rows; rr += kThreads / 32) {
      const int r = r0 + rr;
      const int s = __ldg(source + r);
      const uint4* in = reinterpret_cast<const uint4*>(src + size_t(s < 0 ? 0 : s) * k);
      uint4* out = reinterpret_cast<uint4*>(dst + size_t(r) * k);
      const uint4 zero = make_uint4(0, 0, 0, 0);
      int v = threadIdx.x % 32;
      for (; v + 96 < vectors; v += 128) {
        const uint4 x0 = s >= 0 ? __ldg(in + v) : zero;
        const uint4 x1 = s >= 0 ? __ldg(in + v + 32) : zero;
        const uint4 x2 = s >= 0 ? __ldg(in + v + 64) : zero;
        const uint4 x3 = s >= 0 ? __ldg(in + v + 96) : zero;
        out[v] = x0;
        out[v + 32] = x1;
        out[v + 64] = x2;
        out[v + 96] = x3;
      }
      for (; v < vectors; v += 32) out[v] = s >= 0 ? __ldg(in + v) : zero;
    }
    // Scales: for each K block, kRows consecutive destination floats.
    for (int i = threadIdx.x; i < rows * k_blocks; i += kThreads) {
      const int kb = i / rows;
      const int r = r0 + i % rows;
      const int s = __ldg(source + r);
      dst_scales[size_t(kb) * dst_scale_stride + r] =
          s >= 0 ? __ldg(src_scales + size_t(kb) * src_scale_stride + s) : zero_scale;
    }
  }
}

}  // namespace padfree
