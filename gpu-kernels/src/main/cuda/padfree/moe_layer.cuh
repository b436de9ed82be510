// The steps of an MoE expert layer around its two grouped GEMMs, bit for bit as the CPU reference
// defines them (org.padfree.moe.CpuMoeLayer, SwiGlu): dispatch (token rows gathered into the grouped
// layout's rows), SwiGLU between the GEMMs, and the top-k weighted combine back to token order. The
// FP8 quantization of the intermediate is fp8_quantize.cuh's (its BF16 input form).
#pragma once
#include <cstdint>
#include <cuda_bf16.h>

namespace padfree {

// Dispatch: A[r] = tokens[row_token[r]] (K FP8 bytes) with its 1x128 scales; a row of no token
// (row_token -1: a padding row of the padded layout) gets zeros and zero_scale, as the CPU's
// gatherRows does. Scales are M-major ([k_blocks][stride]). Blocks [0, rows) copy one row each in
// 16-byte pieces (K % 16 == 0); the blocks after them write the scales, consecutive threads taking
// consecutive rows of one K block, so the M-major writes coalesce (a row at a time would scatter its
// k_blocks scales over as many cache lines).
__device__ __forceinline__ void gather_token_rows(const uint8_t* __restrict__ tokens, const float* __restrict__ token_scales,
                                                  int token_stride, const int* __restrict__ row_token,
                                                  uint8_t* __restrict__ a, float* __restrict__ a_scales, int a_stride,
                                                  int rows, int k, float zero_scale) {
  if (blockIdx.x < rows) {
    const int r = blockIdx.x;
    const int t = __ldg(row_token + r);
    uint4* dst = reinterpret_cast<uint4*>(a + size_t(r) * k);
    const uint4* src = reinterpret_cast<const uint4*>(tokens + size_t(t < 0 ? 0 : t) * k);
    for (int i = threadIdx.x; i < k / 16; i += blockDim.x) dst[i] = t >= 0 ? __ldg(src + i) : make_uint4(0, 0, 0, 0);
    return;
  }
  const long long i = (long long)(blockIdx.x - rows) * blockDim.x + threadIdx.x;
  const int k_blocks = (k + 127) / 128;
  if (i >= (long long)k_blocks * rows) return;
  const int b = static_cast<int>(i / rows);
  const int r = static_cast<int>(i - (long long)b * rows);
  const int t = __ldg(row_token + r);
  a_scales[size_t(b) * a_stride + r] = t >= 0 ? __ldg(token_scales + size_t(b) * token_stride + t) : zero_scale;
}

// SwiGLU: h[r][c] = bf16(silu(g) * u) with g = G[r][2c], u = G[r][2c + 1] (gate and up interleaved);
// silu(g) = g / (1 + e^-g) evaluated in double and rounded once to FP32, the product in FP32, then
// rounded to BF16 (nearest even). Grid-stride over rows x channels.
__device__ __forceinline__ void swiglu_bf16(const __nv_bfloat16* __restrict__ g, __nv_bfloat16* __restrict__ h,
                                            long long values) {
  const __nv_bfloat162* pairs = reinterpret_cast<const __nv_bfloat162*>(g);
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < values; i += (long long)gridDim.x * blockDim.x) {
    const __nv_bfloat162 pair = pairs[i];
    const float gate = __low2float(pair), up = __high2float(pair);
    const float silu = static_cast<float>(static_cast<double>(gate) / (1.0 + exp(-static_cast<double>(gate))));
    h[i] = __float2bfloat16_rn(__fmul_rn(silu, up));
  }
}

// Combine: out[t][c] = bf16(acc) with acc = fma(routing[t, j], D[row_of_slot[t, j]][c], acc) over
// j = 0 .. top_k - 1 in order, FP32, from acc = 0. One block per token, each thread 8 columns at a
// time (16-byte loads and stores; hidden % 8 == 0).
__device__ __forceinline__ void combine_slots(const __nv_bfloat16* __restrict__ d, const int* __restrict__ row_of_slot,
                                              const float* __restrict__ routing, __nv_bfloat16* __restrict__ out,
                                              int tokens, int top_k, int hidden) {
  const int t = blockIdx.x;
  if (t >= tokens) return;
  for (int c8 = threadIdx.x; c8 < hidden / 8; c8 += blockDim.x) {
    float acc[8];
#pragma unroll
    for (int e = 0; e < 8; ++e) acc[e] = 0.f;
    for (int j = 0; j < top_k; ++j) {
      const int row = __ldg(row_of_slot + t * top_k + j);
      const float w = __ldg(routing + t * top_k + j);
      const uint4 packed = __ldg(reinterpret_cast<const uint4*>(d + size_t(row) * hidden) + c8);
      const __nv_bfloat162* v = reinterpret_cast<const __nv_bfloat162*>(&packed);
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        acc[2 * e] = __fmaf_rn(w, __low2float(v[e]), acc[2 * e]);
        acc[2 * e + 1] = __fmaf_rn(w, __high2float(v[e]), acc[2 * e + 1]);
      }
    }
    uint4 result;
    __nv_bfloat162* o = reinterpret_cast<__nv_bfloat162*>(&result);
#pragma unroll
    for (int e = 0; e < 4; ++e) o[e] = __floats2bfloat162_rn(acc[2 * e], acc[2 * e + 1]);
    reinterpret_cast<uint4*>(out + size_t(t) * hidden)[c8] = result;
  }
}

}  // namespace padfree
