// Weight-scale splits of the FP8 grouped GEMM: which 128-column weight-scale block each column of a
// tile uses, as compile-time tile classes.
#pragma once
#include <cstdint>

namespace padfree::sm90 {

// Tiles whose BLOCK_N does not divide 128 may straddle two 128-column weight-scale blocks: columns
// before `split` = 128 - n0 % 128 take the tile's first block's scale, the rest the next one's. A
// runtime split costs a compare and two selects per 8 columns in every K block's promotion, the
// consumers' hottest loop; instead each tile class is its own compile-time copy of the loop. These
// are the classes one (SHAPE_N, BLOCK_N) can meet: bit s / 16 for a straddling split s (16..112, or
// 128 for a 192-wide tile starting on a block boundary), bit 0 when some tile uses one scale block.
template <int SHAPE_N, int BLOCK_N>
__host__ __device__ constexpr uint32_t reachable_scale_splits() {
  constexpr int kScaleNBlocks = (SHAPE_N + 127) / 128;
  uint32_t mask = 0;
  for (int n0 = 0; n0 < SHAPE_N; n0 += BLOCK_N) {
    const int split = 128 - n0 % 128;
    const bool straddles = split < BLOCK_N && n0 / 128 + 1 < kScaleNBlocks;
    mask |= straddles ? (1u << (split / 16)) : 1u;
  }
  return mask;
}

template <int kSplit>
struct ScaleSplit {
  static constexpr int value = kSplit;
};

// Calls body(ScaleSplit<s>{}) for the runtime split s, compiled once per class in kMask; a tile that
// uses one scale block gets ScaleSplit<BLOCK_N> (every column before the split).
template <int BLOCK_N, uint32_t kMask, int kCandidate = 16, typename Body>
__device__ __forceinline__ void dispatch_scale_split(int split, bool straddles, Body&& body) {
  if constexpr (kCandidate <= 128) {
    if constexpr (((kMask >> (kCandidate / 16)) & 1u) != 0) {
      if (straddles && split == kCandidate) {
        body(ScaleSplit<kCandidate>{});
        return;
      }
    }
    dispatch_scale_split<BLOCK_N, kMask, kCandidate + 16>(split, straddles, static_cast<Body&&>(body));
  } else if constexpr ((kMask & 1u) != 0) {
    body(ScaleSplit<BLOCK_N>{});
  } else {
    __builtin_unreachable();
  }
}

}  // namespace padfree::sm90
