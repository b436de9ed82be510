// The pad operation of the padded (DeepGEMM-style) path: copies each dispatched FP8 row, and its
// 1x128 scales, to its place in the padded layout, and writes zero rows (with the floor scale) where
// the layout has padding. Memory-bound, so every access is coalesced: a block takes kRows consecutive
// destination rows, copies them with 16-byte vectors, then writes their scales one K block at a time
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
    // Rows: the block's threads stride over rows x vectors; consecutive threads copy consecutive vectors.
    for (int i = threadIdx.x; i < rows * vectors; i += kThreads) {
      const int r = r0 + i / vectors;
      const int v = i % vectors;
      const int s = __ldg(source + r);
      reinterpret_cast<uint4*>(dst + size_t(r) * k)[v] =
          s >= 0 ? __ldg(reinterpret_cast<const uint4*>(src + size_t(s) * k) + v) : make_uint4(0, 0, 0, 0);
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
