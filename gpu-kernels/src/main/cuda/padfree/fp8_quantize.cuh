// FP8 quantization on the GPU, bit for bit the CPU's (org.padfree.quant.Fp8Quantizer): per scaling
// block amax = max |x|, scale = max(amax, 1e-4) / 448, q = e4m3_satfinite(x * (448 / max(amax, 1e-4))),
// each operation a correctly rounded FP32 operation (no fast math), rounding to nearest even.
#pragma once
#include <cstdint>
#include <cuda_bf16.h>
#include <cuda_fp8.h>

namespace padfree {

__device__ __forceinline__ uint8_t to_e4m3(float x) {
  return static_cast<uint8_t>(__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3));
}

__device__ __forceinline__ float load_as_float(const float* p) { return __ldg(p); }
__device__ __forceinline__ float load_as_float(const __nv_bfloat16* p) { return __bfloat162float(*p); }

// Activations [rows][k] FP32 or BF16 (an MoE layer's intermediate) -> FP8 [rows][k] and scales M-major
// [ceil(k/128)][scale_stride]. One warp per (row, 128-column block); a tail block narrower than 128
// counts missing columns as 0. A BF16 input is widened exactly, so it quantizes as its FP32 value.
template <typename T>
__device__ __forceinline__ void quantize_activations(const T* __restrict__ x, uint8_t* __restrict__ q,
                                                     float* __restrict__ scales, int rows, int k,
                                                     int scale_stride) {
  const int k_blocks = (k + 127) / 128;
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (warp >= rows * k_blocks) return;
  const int row = warp / k_blocks;
  const int kb = warp % k_blocks;
  const int col0 = kb * 128 + lane * 4;
  float v[4];
#pragma unroll
  for (int i = 0; i < 4; ++i) v[i] = col0 + i < k ? load_as_float(x + size_t(row) * k + col0 + i) : 0.f;
  float amax = fmaxf(fmaxf(fabsf(v[0]), fabsf(v[1])), fmaxf(fabsf(v[2]), fabsf(v[3])));
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, offset));
  const float clamped = fmaxf(amax, 1e-4f);
  const float inverse = __fdiv_rn(448.f, clamped);
  if (lane == 0) scales[size_t(kb) * scale_stride + row] = __fdiv_rn(clamped, 448.f);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    if (col0 + i < k) q[size_t(row) * k + col0 + i] = to_e4m3(__fmul_rn(v[i], inverse));
  }
}

// Weights [experts][n][k] FP32 -> FP8 and scales [experts][ceil(n/128)][ceil(k/128)].
// One block of kThreads per (expert, 128 x 128 block).
template <int kThreads>
__device__ __forceinline__ void quantize_weights(const float* __restrict__ w, uint8_t* __restrict__ q,
                                                 float* __restrict__ scales, int n, int k) {
  static_assert(kThreads % 32 == 0 && kThreads <= 1024, "whole warps");
  __shared__ float warp_max[kThreads / 32];
  const int n_blocks = (n + 127) / 128;
  const int k_blocks = (k + 127) / 128;
  const int expert = blockIdx.x / (n_blocks * k_blocks);
  const int nb = (blockIdx.x / k_blocks) % n_blocks;
  const int kb = blockIdx.x % k_blocks;
  const float* base = w + size_t(expert) * n * k;
  float amax = 0.f;
  for (int i = threadIdx.x; i < 128 * 128; i += kThreads) {
    const int r = nb * 128 + i / 128;
    const int c = kb * 128 + i % 128;
    if (r < n && c < k) amax = fmaxf(amax, fabsf(__ldg(base + size_t(r) * k + c)));
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, offset));
  if (threadIdx.x % 32 == 0) warp_max[threadIdx.x / 32] = amax;
  __syncthreads();
  amax = 0.f;
#pragma unroll
  for (int i = 0; i < kThreads / 32; ++i) amax = fmaxf(amax, warp_max[i]);
  const float clamped = fmaxf(amax, 1e-4f);
  const float inverse = __fdiv_rn(448.f, clamped);
  if (threadIdx.x == 0) scales[(size_t(expert) * n_blocks + nb) * k_blocks + kb] = __fdiv_rn(clamped, 448.f);
  for (int i = threadIdx.x; i < 128 * 128; i += kThreads) {
    const int r = nb * 128 + i / 128;
    const int c = kb * 128 + i % 128;
    if (r < n && c < k) q[size_t(expert) * n * k + size_t(r) * k + c] = to_e4m3(__fmul_rn(base[size_t(r) * k + c], inverse));
  }
}

}  // namespace padfree
