// Synthetic operands made on the GPU, bit for bit org.padfree.reference.SyntheticData: each value is a
// pure function of (seed, position), so a batch's activations are made where the GEMM reads them and
// the host makes only the tokens it checks. Every floating-point step is an explicit correctly
// rounded intrinsic (__dmul_rn, __dadd_rn, ...), never contracted into an FMA, as Java computes it.
#pragma once
#include <cstdint>

namespace padfree {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

// SplitMix64's finaliser.
__device__ __forceinline__ uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Irwin-Hall: ((four 16-bit fields + 2) / 65536 - 2) * sqrt(3); the sum and the division are exact.
__device__ __forceinline__ double synthetic_gauss(uint64_t bits) {
  const uint64_t fields = (bits & 0xFFFFull) + ((bits >> 16) & 0xFFFFull) + ((bits >> 32) & 0xFFFFull) + (bits >> 48);
  const double sum = __ull2double_rn(fields + 2ull);
  return __dmul_rn(__dadd_rn(__dmul_rn(sum, 1.0 / 65536.0), -2.0), 1.7320508075688772);
}

// Round to BF16 (nearest even) and back to float; an exact zero becomes 2^-20. Inputs are finite.
__device__ __forceinline__ float synthetic_bf16(double v) {
  const uint32_t bits = __float_as_uint(__double2float_rn(v));
  const uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
  const float f = __uint_as_float(rounded);
  return f != 0.f ? f : 0x1p-20f;
}

// (16 + key[57..60]) / 16 * 2^(key[61..63] - 4), exact.
__device__ __forceinline__ double synthetic_row_scale(uint64_t key) {
  const int exponent = static_cast<int>(key >> 61) - 4;
  const int mantissa = 16 + static_cast<int>((key >> 57) & 15ull);
  return ldexp(static_cast<double>(mantissa) / 16.0, exponent);
}

// x [tokens][k]: one thread per value, grid-stride.
__device__ __forceinline__ void synthetic_activations(uint64_t seed, int tokens, int k, float* __restrict__ x) {
  const long long total = static_cast<long long>(tokens) * k;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int token = static_cast<int>(i / k);
    const int col = static_cast<int>(i % k);
    const uint64_t key = mix64(seed * kGolden + static_cast<uint64_t>(token));
    const double value = synthetic_gauss(mix64(key + (static_cast<uint64_t>(col) + 1ull) * kGolden));
    x[i] = synthetic_bf16(__dmul_rn(value, synthetic_row_scale(key)));
  }
}

// w [n][k] of one matrix: one thread per value, grid-stride.
__device__ __forceinline__ void synthetic_weights(uint64_t seed, int n, int k, float* __restrict__ w) {
  const long long total = static_cast<long long>(n) * k;
  const uint64_t key = mix64(seed);
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const double value = synthetic_gauss(mix64(key + (static_cast<uint64_t>(i) + 1ull) * kGolden));
    w[i] = synthetic_bf16(__dmul_rn(value, 0.02));
  }
}

}  // namespace padfree
