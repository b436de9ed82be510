// The FP8 grouped GEMM's shared memory: the TMA epilogue's staging, the pipeline's stages (A, B and
// A-scale tiles) and their barriers, with accessors the producer and the consumers share.
#pragma once
#include <cstdint>
#include "sm90_gemm_epilogue.cuh"
#include "sm90_grouped_layouts.cuh"

namespace padfree::sm90 {

// The shared-memory carve-up, in one place. The TMA epilogue's staging areas (one per consumer
// warpgroup) come first; then stages of A (BLOCK_M x 128 bytes), B (BLOCK_N x 128 bytes) and
// BLOCK_M + 4 A scales (the scale box starts at the row rounded down to 4, see below).
template <int BLOCK_M, int BLOCK_N, int kNumStages>
struct GemmSharedLayout {
  static constexpr int kBlockK = 128;
  static constexpr bool kTmaStore = BLOCK_N % StagingLayout::kChunkCols == 0;
  static constexpr int kStagingBytes = kTmaStore ? StagingLayout::warpgroup_bytes<BLOCK_N>() : 0;
  static constexpr int kABytes = BLOCK_M * kBlockK;
  static constexpr int kBBytes = BLOCK_N * kBlockK;
  static constexpr int kScaleFloats = BLOCK_M + 4;
  static constexpr int kScaleBytes = (kScaleFloats * 4 + 127) / 128 * 128;
  // A dynamic schedule's published tile sits in the slack after the stage's A scales (no extra bytes).
  static constexpr int kTileInfoOffset = (kScaleFloats * 4 + 15) / 16 * 16;
  static_assert(kTileInfoOffset + int(sizeof(PublishedTile)) <= kScaleBytes, "the published tile fits the scale slot's slack");
  static constexpr int kStagingOffset = 0;
  static constexpr int kAOffset = kStagingOffset + 2 * kStagingBytes;
  static constexpr int kBOffset = kAOffset + kNumStages * kABytes;
  static constexpr int kScaleOffset = kBOffset + kNumStages * kBBytes;
  static constexpr int kBarrierOffset = kScaleOffset + kNumStages * kScaleBytes;
  static constexpr int kBytes = kBarrierOffset + 2 * kNumStages * 8;
  // 128-byte swizzled TMA tiles need 1024-byte alignment; the area is declared so aligned (the extra
  // 1024 bytes are a margin kept so the stage counts the host derives stay as measured).
  static constexpr int kAllocBytes = kBytes + 1024;
  static_assert(kABytes % 1024 == 0 && kBBytes % 1024 == 0, "swizzled tiles must stay 1024-byte aligned");
  static_assert(kAllocBytes <= 232448, "shared memory per block is at most 227 KB on H100/H200");

  // Stage accessors over the area `smem` (the kernel's dynamic shared memory).
  __device__ static uint8_t* a_tile(uint8_t* smem, int stage) { return smem + kAOffset + stage * kABytes; }
  __device__ static uint8_t* b_tile(uint8_t* smem, int stage) { return smem + kBOffset + stage * kBBytes; }
  __device__ static uint8_t* a_scales(uint8_t* smem, int stage) { return smem + kScaleOffset + stage * kScaleBytes; }
  __device__ static PublishedTile* tile_info(uint8_t* smem, int stage) {
    return reinterpret_cast<PublishedTile*>(a_scales(smem, stage) + kTileInfoOffset);
  }
  // The stages' barriers: full[s] (the producer's loads have landed), empty[s] (the consumers are done).
  __device__ static uint64_t* full(uint8_t* smem) { return reinterpret_cast<uint64_t*>(smem + kBarrierOffset); }
  __device__ static uint64_t* empty(uint8_t* smem) { return full(smem) + kNumStages; }
  // A consumer warpgroup's staging area for the TMA epilogue.
  __device__ static uint8_t* staging(uint8_t* smem, int math_wg) { return smem + kStagingOffset + math_wg * kStagingBytes; }
};

}  // namespace padfree::sm90
