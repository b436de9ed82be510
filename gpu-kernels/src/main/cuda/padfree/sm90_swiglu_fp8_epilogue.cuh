// The fused SwiGLU-and-quantize epilogue of the gate_up GEMM (an MoE layer's first GEMM): from a
// consumer warpgroup's FP32 accumulators straight to the FP8 E4M3 intermediate and its 1x128 scales,
// so the intermediate never exists in BF16 (org.padfree.moe.CudaMoeLayer's fused form).
//
// gate_up's columns are interleaved (column 2c the gate of channel c, 2c + 1 its up), so in wgmma's
// fragment a thread's registers 4j, 4j + 1 are (gate, up) of channel 4j + lane % 4 of row r, and 4j + 2,
// 4j + 3 the same channel of row r + 8. Numerics per element (README "Numerics", fused form):
//   h = silu(g) * u, silu(g) = g / (1 + e^-g) in double rounded once to FP32, the product in FP32,
//   from the FP32 accumulators (not rounded to BF16 first: the unfused form rounds G and h to BF16);
//   per row and 128 channels: s = max(amax |h|, 1e-4) / 448, q = e4m3_satfinite(h * (448 / max(...))).
// A 128-column tile holds 64 channels, half a scale block, so the kernel runs in clusters of two that
// compute the two halves (Multicast::kA pairs neighbouring N-blocks of one row block) and exchange each
// row's partial amax through distributed shared memory, with a pair of mbarriers per warpgroup.
#pragma once
#include <cuda.h>
#include "fp8_quantize.cuh"
#include "ptx/cluster.cuh"
#include "ptx/common.cuh"
#include "ptx/mbarrier.cuh"

namespace padfree::sm90 {

// Where the fused epilogue writes: q [rows][channels] FP8 and scales [channels / 128][scale_stride].
struct SwiGluFp8Output {
  uint8_t* q;
  float* scales;
  int scale_stride;
};

// A consumer warpgroup's part of the staging area in the fused epilogue: the FP8 tile (64 rows x 64
// channels), the peer's row amaxes, and the exchange's barriers (full: the peer's amaxes have
// landed; empty: the peer has read ours, so we may write its buffer again).
struct SwiGluStaging {
  static constexpr int kTileBytes = 64 * 64;
  static constexpr int kAmaxOffset = kTileBytes;
  static constexpr int kBarrierOffset = kAmaxOffset + 64 * 4;
  static constexpr int kBytes = kBarrierOffset + 2 * 8;
  __device__ static float* peer_amax(uint8_t* staging) { return reinterpret_cast<float*>(staging + kAmaxOffset); }
  __device__ static uint64_t* full(uint8_t* staging) { return reinterpret_cast<uint64_t*>(staging + kBarrierOffset); }
  __device__ static uint64_t* empty(uint8_t* staging) { return full(staging) + 1; }
  // Called by one thread before the cluster's first sync: every exchange takes the peer warpgroup's
  // 128 threads' arrivals.
  __device__ static void init(uint8_t* staging) {
    ptx::mbarrier_init(full(staging), 128);
    ptx::mbarrier_init(empty(staging), 128);
  }
};

namespace swiglu_detail {

__device__ __forceinline__ float silu(float g) {
  return static_cast<float>(static_cast<double>(g) / (1.0 + exp(-static_cast<double>(g))));
}

__device__ __forceinline__ void st_shared_cluster_f32(uint32_t remote, float v) {
  asm volatile("st.shared::cluster.f32 [%0], %1;" ::"r"(remote), "f"(v) : "memory");
}

__device__ __forceinline__ void arrive_release_cluster(uint32_t remote_bar) {
  asm volatile("mbarrier.arrive.release.cluster.shared::cluster.b64 _, [%0];" ::"r"(remote_bar) : "memory");
}

__device__ __forceinline__ void wait_acquire_cluster(uint64_t* bar, uint32_t parity) {
  asm volatile(
      "{\n"
      ".reg .pred done;\n"
      "WAIT_%=:\n"
      "mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64 done, [%0], %1;\n"
      "@!done bra WAIT_%=;\n"
      "}\n" ::"r"(ptx::smem_addr(bar)),
      "r"(parity)
      : "memory");
}

}  // namespace swiglu_detail

// The fused epilogue of one consumer warpgroup of a 128-column gate_up tile (64 channels starting at
// channel n_block * 64). `valid` = this warpgroup's valid rows (1..64), `d_row` = the row of its first,
// `parity` = how many fused epilogues this warpgroup ran before, mod 2 (the exchange's phase), `rank`
// = the block's rank in its cluster of two (rank 0 writes the scales). Called by all 128 threads.
__device__ __forceinline__ void store_tile_swiglu_fp8(const float (&acc)[64], uint8_t* staging, const SwiGluFp8Output& out,
                                                      int channels, int d_row, int n_block, int valid, int barrier,
                                                      uint32_t parity, uint32_t rank) {
  using namespace swiglu_detail;
  const int thread = threadIdx.x % 128;
  const int lane = thread % 32;
  const int r0 = (thread / 32) * 16 + lane / 4;  // and r0 + 8
  float h0[16], h1[16];
  float a0 = 0.f, a1 = 0.f;
#pragma unroll
  for (int j = 0; j < 16; ++j) {
    h0[j] = __fmul_rn(silu(acc[4 * j + 0]), acc[4 * j + 1]);
    h1[j] = __fmul_rn(silu(acc[4 * j + 2]), acc[4 * j + 3]);
    a0 = fmaxf(a0, fabsf(h0[j]));
    a1 = fmaxf(a1, fabsf(h1[j]));
  }
  // the row's 64 channels of this tile are spread over the 4 lanes that share lane / 4
#pragma unroll
  for (int offset = 1; offset < 4; offset *= 2) {
    a0 = fmaxf(a0, __shfl_xor_sync(0xffffffffu, a0, offset));
    a1 = fmaxf(a1, __shfl_xor_sync(0xffffffffu, a1, offset));
  }
  // exchange with the peer block, which holds the scale block's other 64 channels of the same rows
  const uint32_t peer = rank ^ 1;
  wait_acquire_cluster(SwiGluStaging::empty(staging), parity ^ 1);
  if (lane % 4 == 0) {
    st_shared_cluster_f32(ptx::map_to_block(SwiGluStaging::peer_amax(staging) + r0, peer), a0);
    st_shared_cluster_f32(ptx::map_to_block(SwiGluStaging::peer_amax(staging) + r0 + 8, peer), a1);
  }
  arrive_release_cluster(ptx::map_to_block(SwiGluStaging::full(staging), peer));
  wait_acquire_cluster(SwiGluStaging::full(staging), parity);
  a0 = fmaxf(a0, SwiGluStaging::peer_amax(staging)[r0]);
  a1 = fmaxf(a1, SwiGluStaging::peer_amax(staging)[r0 + 8]);
  arrive_release_cluster(ptx::map_to_block(SwiGluStaging::empty(staging), peer));

  const float c0 = fmaxf(a0, 1e-4f), c1 = fmaxf(a1, 1e-4f);
  const float inverse0 = __fdiv_rn(448.f, c0), inverse1 = __fdiv_rn(448.f, c1);
  ptx::named_barrier_sync<128>(barrier);  // the previous tile's copy-out has read the staging tile
#pragma unroll
  for (int j = 0; j < 16; ++j) {
    const int c = 4 * j + lane % 4;
    staging[r0 * 64 + c] = to_e4m3(__fmul_rn(h0[j], inverse0));
    staging[(r0 + 8) * 64 + c] = to_e4m3(__fmul_rn(h1[j], inverse1));
  }
  ptx::named_barrier_sync<128>(barrier);
  // valid rows only, 16 bytes at a time (64 channels = 4 pieces per row)
  for (int piece = thread; piece < 64 * 4; piece += 128) {
    const int row = piece / 4;
    if (row < valid) {
      *reinterpret_cast<uint4*>(out.q + size_t(d_row + row) * channels + n_block * 64 + (piece % 4) * 16) =
          *reinterpret_cast<const uint4*>(staging + row * 64 + (piece % 4) * 16);
    }
  }
  if (rank == 0 && lane % 4 == 0) {
    float* scales = out.scales + size_t(n_block / 2) * out.scale_stride + d_row;
    if (r0 < valid) scales[r0] = __fdiv_rn(c0, 448.f);
    if (r0 + 8 < valid) scales[r0 + 8] = __fdiv_rn(c1, 448.f);
  }
}

}  // namespace padfree::sm90
