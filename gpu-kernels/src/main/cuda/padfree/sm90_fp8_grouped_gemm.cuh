// FP8 grouped GEMM for Hopper (sm_90a), every layout: D[m, n] = sum_k A[m, k] * B_e[n, k] (NT) with
// 1x128 activation scales and 128x128 weight scales, FP32 accumulation promoted once per 128-wide
// K block, BF16 output.
//
// Warp specialisation (Fp8GroupedGemm below): warpgroup 0 is the producer (`produce`: one thread
// issues TMA loads of A, B and the A scales into a ring of kNumStages shared-memory stages, laid out
// in sm90_gemm_shared_layout.cuh); warpgroups 1 and 2 are consumers (`consume`), each computing 64 rows
// of a BLOCK_M = 128 row tile with wgmma and promoting the per-block partial sums with the scales on
// CUDA cores (sm90_scale_split.cuh: which weight-scale block a column uses). A persistent grid walks the tiles of the layout (see
// sm90_grouped_layouts.cuh). With a Multicast mode other than kNone, blocks run in clusters of two
// that share operand loads: kA, neighbouring N-blocks of one row block, each block loading half of the
// A tile for both; kB, one N-block of two row blocks of the same expert, each loading half of the B
// tile for both (a pair whose row blocks belong to different experts loads B separately, per tile).
// Either halves that operand's traffic from L2; a stage is refilled only when the consumers of both
// blocks have released it.
// Numerics per K block kb (as the CPU reference defines them):
//   partial = tensor-core FP32 sum of the block's FP8 products
//   acc     = fma(partial, sa[m, kb] * sb[n / 128, kb], acc)
// and D = bf16(acc). A tile whose BLOCK_N does not divide 128 (112, 192) may straddle two 128-column
// weight-scale blocks; each column then takes its own block's scale. Only valid rows (and columns < N)
// of a group are ever stored (sm90_gemm_epilogue.cuh: TMA stores from a descriptor pool when BLOCK_N
// is a multiple of 64, direct stores otherwise).
#pragma once
#include <cuda.h>
#include <cuda_bf16.h>
#include <type_traits>
#include "ptx/cluster.cuh"
#include "ptx/mbarrier.cuh"
#include "ptx/tma.cuh"
#include "ptx/wgmma.cuh"
#include "sm90_gemm_epilogue.cuh"
#include "sm90_gemm_shared_layout.cuh"
#include "sm90_grouped_layouts.cuh"
#include "sm90_scale_split.cuh"
#include "sm90_swiglu_fp8_epilogue.cuh"

namespace padfree::sm90 {

// The pipeline position a role steps through: the stage and the parity of its current phase.
template <int kNumStages>
struct PipelineState {
  int stage = 0;
  uint32_t phase = 0;
  __device__ void advance() {
    if (++stage == kNumStages) { stage = 0; phase ^= 1; }
  }
};

// The GEMM for one compile-time configuration: its constants, the producer and the consumers. With
// kSwiGluFp8 the epilogue is the fused SwiGLU-and-quantize one (sm90_swiglu_fp8_epilogue.cuh) instead
// of BF16 stores.
template <typename Layout, int SHAPE_N, int SHAPE_K, int BLOCK_N, int kNumStages, Multicast kMulticast,
          bool kSwiGluFp8 = false>
struct Fp8GroupedGemm {
  static constexpr int BLOCK_M = 128;
  static constexpr int BLOCK_K = 128;
  static constexpr int kKBlocks = (SHAPE_K + BLOCK_K - 1) / BLOCK_K;
  static constexpr int kNBlocks = (SHAPE_N + BLOCK_N - 1) / BLOCK_N;
  static constexpr int kScaleNBlocks = (SHAPE_N + 127) / 128;
  static constexpr int kWgmmaK = 32;
  using Smem = GemmSharedLayout<BLOCK_M, BLOCK_N, kNumStages>;
  using Pipeline = PipelineState<kNumStages>;
  static constexpr int kCluster = kMulticast == Multicast::kNone ? 1 : 2;
  // Without clusters (whose two blocks must walk the same units in step) tiles are fetched at run time
  // where the layout allows it (sm90_grouped_layouts.cuh: DynamicTileFetcher); otherwise both roles
  // walk the static persistent schedule.
  static constexpr bool kDynamicTiles = kMulticast == Multicast::kNone && Layout::kDynamicTiles;
  using StaticScheduler = PersistentTileScheduler<Layout, BLOCK_M, kNBlocks, kMulticast>;
  // What the producer takes its tiles from.
  using Producer = std::conditional_t<kDynamicTiles, DynamicTileFetcher<Layout, BLOCK_M, kNBlocks>, StaticScheduler>;
  // What the consumers take their tiles from (dynamic tiles: the stages, see next_tile).
  struct FromStages {
    __device__ FromStages(const Layout&, uint32_t) {}
  };
  using ConsumerTiles = std::conditional_t<kDynamicTiles, FromStages, StaticScheduler>;
  static_assert(BLOCK_N % 16 == 0 && BLOCK_N >= 64 && BLOCK_N <= 192, "tile widths 64..192 in steps of 16");
  // A tile straddles at most two weight-scale blocks when it starts on a multiple of 16 (host-checked:
  // (n0 % 128) + BLOCK_N <= 256 for every n0); widths dividing 128 never straddle.
  static constexpr bool kMayStraddle = 128 % BLOCK_N != 0;
  static_assert(SHAPE_K % 16 == 0, "TMA needs rows of A and B to be a multiple of 16 bytes");
  static_assert(kNumStages >= 2, "a pipeline needs at least two stages");
  static_assert(!kSwiGluFp8 || (BLOCK_N == 128 && kMulticast == Multicast::kA && SHAPE_N % 256 == 0),
                "the fused epilogue pairs two 64-channel tiles of one 128-channel scale block (A multicast, BLOCK_N 128)");
  static_assert(!kSwiGluFp8 || Smem::kStagingBytes >= SwiGluStaging::kBytes, "the fused epilogue lives in the staging area");

  // Producer (warpgroup 0, of which one thread works): for every tile and K block, waits until the
  // consumers of every block of the cluster have released the stage, then loads the stage's A, B and
  // A-scale tiles with TMA (A or B shared with the peer block under multicast).
  __device__ static void produce(Producer& tiles, uint8_t* smem, const CUtensorMap& map_a, const CUtensorMap& map_b,
                                 const CUtensorMap& map_sa, uint32_t rank) {
    uint64_t* full = Smem::full(smem);
    uint64_t* empty = Smem::empty(smem);
    Pipeline pipe;
    Tile tile;
    while (tiles.next(tile)) {
      const RowBlock& rb = tile.rows;
      const int n0 = tile.n_block * BLOCK_N;
      const int b_row = rb.expert * SHAPE_N + n0;
      // The scale box starts at the row rounded down to a multiple of 4 (TMA wants 16-byte aligned
      // inner coordinates); consumers index it with the remainder.
      const int scale_row = rb.a_row & ~3;
      for (int kb = 0; kb < kKBlocks; ++kb) {
        const int stage = pipe.stage;
        ptx::mbarrier_wait(&empty[stage], pipe.phase ^ 1);
        if constexpr (kDynamicTiles) {
          // published before the arrive below, whose release orders it before the consumers' wait
          if (kb == 0) *Smem::tile_info(smem, stage) = {rb.a_row, rb.d_row, rb.valid_rows, rb.expert, tile.n_block};
        }
        if (rb.valid_rows <= 0) {
          // a block of the cluster without rows in this unit: the stage passes through unfilled
          ptx::mbarrier_arrive(&full[stage]);
        } else {
          ptx::mbarrier_arrive_expect_tx(&full[stage], Smem::kABytes + Smem::kBBytes + Smem::kScaleFloats * 4);
          uint8_t* a_dst = Smem::a_tile(smem, stage);
          uint8_t* b_dst = Smem::b_tile(smem, stage);
          if constexpr (kMulticast == Multicast::kA) {
            // this block's half of the A tile, into both blocks of the cluster
            ptx::tma_load_2d_multicast(a_dst + rank * (BLOCK_M / 2) * BLOCK_K, &map_a, &full[stage], kb * BLOCK_K,
                                       rb.a_row + rank * (BLOCK_M / 2), 0b11);
          } else {
            ptx::tma_load_2d(a_dst, &map_a, &full[stage], kb * BLOCK_K, rb.a_row);
          }
          if constexpr (kMulticast == Multicast::kB) {
            // B's map has boxes of BLOCK_N / 2 rows: paired, this block's half into both blocks;
            // otherwise both halves into this block only.
            constexpr int kHalf = BLOCK_N / 2;
            if (tile.paired) {
              ptx::tma_load_2d_multicast(b_dst + rank * kHalf * BLOCK_K, &map_b, &full[stage], kb * BLOCK_K,
                                         b_row + rank * kHalf, 0b11);
            } else {
              ptx::tma_load_2d(b_dst, &map_b, &full[stage], kb * BLOCK_K, b_row);
              ptx::tma_load_2d(b_dst + kHalf * BLOCK_K, &map_b, &full[stage], kb * BLOCK_K, b_row + kHalf);
            }
          } else {
            ptx::tma_load_2d(b_dst, &map_b, &full[stage], kb * BLOCK_K, b_row);
          }
          ptx::tma_load_2d(Smem::a_scales(smem, stage), &map_sa, &full[stage], scale_row, kb);
        }
        pipe.advance();
      }
    }
    if constexpr (kDynamicTiles) {
      // the end marker, in the stage the consumers look at for their next tile
      ptx::mbarrier_wait(&empty[pipe.stage], pipe.phase ^ 1);
      Smem::tile_info(smem, pipe.stage)->n_block = -1;
      ptx::mbarrier_arrive(&full[pipe.stage]);
      tiles.retire();
    }
  }

  // The consumers' next tile: with dynamic tiles, the one the producer published in the stage the
  // pipeline is at (waiting for it; the K loop's first wait on that stage then returns at once);
  // otherwise the static schedule's.
  __device__ static bool next_tile(ConsumerTiles& tiles, uint8_t* smem, const Pipeline& pipe, Tile& tile) {
    if constexpr (kDynamicTiles) {
      ptx::mbarrier_wait(&Smem::full(smem)[pipe.stage], pipe.phase);
      // Lane 0 reads and shuffles to the warp: the lane that later releases the stage (release_stage)
      // is then the one that read it, so the producer's next write there is ordered after the read by
      // that lane's own arrive (compute-sanitizer's racecheck does not follow the order through
      // __syncwarp from the other lanes).
      PublishedTile published{};
      if (threadIdx.x % 32 == 0) published = *Smem::tile_info(smem, pipe.stage);
      const int n_block = __shfl_sync(0xffffffffu, published.n_block, 0);
      if (n_block < 0) return false;
      tile.rows = {__shfl_sync(0xffffffffu, published.a_row, 0), __shfl_sync(0xffffffffu, published.d_row, 0),
                   __shfl_sync(0xffffffffu, published.valid_rows, 0), __shfl_sync(0xffffffffu, published.expert, 0)};
      tile.n_block = n_block;
      tile.paired = false;
      return true;
    } else {
      return tiles.next(tile);
    }
  }

  // Gives `stage` back to the producer (every block's of the cluster, whose TMA may write into ours)
  // once each warp of the calling warpgroup is done with it.
  __device__ static void release_stage(uint64_t* empty, int stage, int lane) {
    __syncwarp();
    if (lane == 0) {
      if constexpr (kCluster > 1) {
#pragma unroll
        for (uint32_t peer = 0; peer < kCluster; ++peer) ptx::mbarrier_arrive_cluster(ptx::map_to_block(&empty[stage], peer));
      } else {
        ptx::mbarrier_arrive(&empty[stage]);
      }
    }
  }

  // Every tile takes kKBlocks stages, so when the stage count divides it each tile starts on stage 0
  // and the consumers' K loop can be unrolled by the stage count: every stage index, barrier address,
  // A-scale address and descriptor offset is then a compile-time constant, and the stage and phase
  // bookkeeping happens once per round of stages instead of once per K block.
  static constexpr bool kStagesDivideK = kKBlocks % kNumStages == 0;

  // Runs `step(kb, stage, phase)` for the tile's K blocks kb = 0 .. kKBlocks - 1 in pipeline order,
  // from the pipeline position `pipe` (stage 0 at every tile start when kStagesDivideK), and leaves
  // `pipe` where the next tile starts.
  template <typename Step>
  __device__ static void for_each_k_block(Pipeline& pipe, Step&& step) {
    if constexpr (kStagesDivideK) {
      for (int kb0 = 0; kb0 < kKBlocks; kb0 += kNumStages) {
#pragma unroll
        for (int s = 0; s < kNumStages; ++s) step(kb0 + s, s, pipe.phase);
        pipe.phase ^= 1;
      }
    } else {
      for (int kb = 0; kb < kKBlocks; ++kb) {
        step(kb, pipe.stage, pipe.phase);
        pipe.advance();
      }
    }
  }

  // Consumer warpgroup `math_wg` (0 or 1: rows 64 * math_wg .. + 63 of every tile): for every tile,
  // wgmma over the K blocks as the stages arrive, the per-block promotion with the scales, then the
  // epilogue of its valid rows.
  __device__ static void consume(ConsumerTiles& tiles, uint8_t* smem, int math_wg, const float* __restrict__ sb,
                                 __nv_bfloat16* __restrict__ d, const StoreMapPool* d_maps, const SwiGluFp8Output& fused,
                                 uint32_t rank) {
    uint32_t fused_parity = 0;  // the fused epilogue's exchange phase (tiles this warpgroup stored, mod 2)
    uint64_t* full = Smem::full(smem);
    uint64_t* empty = Smem::empty(smem);
    const int lane = threadIdx.x % 32;
    const int warp_in_wg = (threadIdx.x % 128) / 32;
    const int row_in_tile = math_wg * 64 + warp_in_wg * 16 + lane / 4;  // and row_in_tile + 8
    uint8_t* staging = Smem::staging(smem, math_wg);
    // wgmma descriptors' start addresses of stage 0 (this warpgroup's 64 rows of A, all of B); a
    // stage's and a K step's descriptors are these plus a constant (ptx/wgmma.cuh).
    const uint32_t a_start0 = ptx::smem_desc_start_sw128(Smem::a_tile(smem, 0) + math_wg * 64 * BLOCK_K);
    const uint32_t b_start0 = ptx::smem_desc_start_sw128(Smem::b_tile(smem, 0));
    Pipeline pipe;
    Tile tile;
    while (next_tile(tiles, smem, pipe, tile)) {
      const RowBlock& rb = tile.rows;
      const int n0 = tile.n_block * BLOCK_N;
      const int scale_skew = rb.a_row & 3;
      const int scale_block = n0 / 128;
      const float* sb_tile = sb + (size_t(rb.expert) * kScaleNBlocks + scale_block) * kKBlocks;
      // Columns from `split` on use the next scale block (when the tile straddles one and it exists).
      const int split = 128 - n0 % 128;
      const bool straddles = kMayStraddle && split < BLOCK_N && scale_block + 1 < kScaleNBlocks;
      const float* sb_next = straddles ? sb_tile + kKBlocks : sb_tile;

      float acc[BLOCK_N / 2];
#pragma unroll
      for (int i = 0; i < BLOCK_N / 2; ++i) acc[i] = 0.f;
      if (rb.valid_rows <= math_wg * 64) {
        // Residual-aware tiles: none of this warpgroup's 64 rows belongs to the group (a group's last
        // <= 64 rows, or a group of <= 64), so it spends no tensor-core work on rows that would be
        // thrown away; the other warpgroup's wgmma then has the SM's tensor cores to itself. It still
        // walks the stages with the other consumers, releasing each one, so the pipeline's phases stay
        // in step. (Both warpgroups take this path on a tile of no rows, which only Multicast::kB
        // schedules.)
        for_each_k_block(pipe, [&](int, int stage, uint32_t phase) {
          ptx::mbarrier_wait(&full[stage], phase);
          release_stage(empty, stage, lane);
        });
        continue;  // nothing of this warpgroup's to store
      }
      dispatch_scale_split<BLOCK_N, reachable_scale_splits<SHAPE_N, BLOCK_N>()>(split, straddles, [&](auto split_class) {
        constexpr int kSplit = decltype(split_class)::value;
        float partial[BLOCK_N / 2];
        for_each_k_block(pipe, [&](int kb, int stage, uint32_t phase) {
          const float scale_b = __ldg(sb_tile + kb);
          const float scale_b_next = kSplit < BLOCK_N ? __ldg(sb_next + kb) : scale_b;
          ptx::mbarrier_wait(&full[stage], phase);
          // This warp's two rows' A scales for the block, read as soon as the stage is published.
          const float* sa = reinterpret_cast<const float*>(Smem::a_scales(smem, stage));
          const float scale_a0 = ptx::ld_shared(sa + scale_skew + row_in_tile);
          const float scale_a1 = ptx::ld_shared(sa + scale_skew + row_in_tile + 8);
          const float scale_0 = scale_a0 * scale_b, scale_1 = scale_a1 * scale_b;
          const float scale_0_next = scale_a0 * scale_b_next, scale_1_next = scale_a1 * scale_b_next;
          // Re-read through a shuffle in every K block: unrolled, ptxas would otherwise hoist all 16
          // descriptors out of the loop into vector registers and move each back with R2UR.
          const uint32_t a_start = __shfl_sync(0xffffffffu, a_start0, 0) + stage * (Smem::kABytes / 16);
          const uint32_t b_start = __shfl_sync(0xffffffffu, b_start0, 0) + stage * (Smem::kBBytes / 16);
          ptx::wgmma_fence_operands(partial);
          ptx::wgmma_fence();
#pragma unroll
          for (int k = 0; k < BLOCK_K / kWgmmaK; ++k) {
            ptx::wgmma_e4m3<BLOCK_N>(partial, ptx::smem_desc_kmajor_sw128(a_start + k * (kWgmmaK / 16)),
                                     ptx::smem_desc_kmajor_sw128(b_start + k * (kWgmmaK / 16)), k > 0);
          }
          ptx::wgmma_commit();
          ptx::wgmma_wait<0>();
          ptx::wgmma_fence_operands(partial);
#pragma unroll
          for (int j = 0; j < BLOCK_N / 8; ++j) {
            // kSplit is a multiple of 16, so both columns of a pair (j * 8 + 0..7) are on one side of
            // it; the side is known at compile time.
            const bool next = j * 8 >= kSplit;
            const float s0 = next ? scale_0_next : scale_0, s1 = next ? scale_1_next : scale_1;
            acc[4 * j + 0] = fmaf(partial[4 * j + 0], s0, acc[4 * j + 0]);
            acc[4 * j + 1] = fmaf(partial[4 * j + 1], s0, acc[4 * j + 1]);
            acc[4 * j + 2] = fmaf(partial[4 * j + 2], s1, acc[4 * j + 2]);
            acc[4 * j + 3] = fmaf(partial[4 * j + 3], s1, acc[4 * j + 3]);
          }
          // Release the stage only after the scales read from it have been used: every lane's shared
          // loads are then complete before the producer's next TMA write can land there.
          release_stage(empty, stage, lane);
        });
      });

      // Epilogue: this warpgroup's valid rows of the tile, and nothing else, to D.
      const int valid = min(max(rb.valid_rows - math_wg * 64, 0), 64);
      if (valid > 0) {
        if constexpr (kSwiGluFp8) {
          store_tile_swiglu_fp8(acc, staging, fused, SHAPE_N / 2, rb.d_row + math_wg * 64, tile.n_block, valid, 1 + math_wg,
                                fused_parity, rank);
          fused_parity ^= 1;
        } else if constexpr (Smem::kTmaStore) {
          store_tile_tma<BLOCK_N, SHAPE_N>(acc, staging, *d_maps, rb.d_row + math_wg * 64, n0, valid, 1 + math_wg);
        } else {
          store_tile_direct<BLOCK_N, SHAPE_N>(acc, d, rb.d_row + math_wg * 64, n0, valid);
        }
      }
    }
    if constexpr (Smem::kTmaStore && !kSwiGluFp8) {
      if (threadIdx.x % 128 == 0) ptx::tma_store_wait_all();  // D is written before the block retires
    }
  }
};

// The kernel body: barrier set-up, then warpgroup 0 produces and warpgroups 1 and 2 consume. With
// kSwiGluFp8, `d` is the FP8 intermediate q [rows][SHAPE_N / 2] and q_scales its scales (M-major, stride
// q_scale_stride). `tile_counters`: two words, zero at launch and left zero, that a dynamic schedule
// hands tiles out with (DynamicTileFetcher); launches that may overlap need their own (the host gives
// each stream its pair).
template <typename Layout, int SHAPE_N, int SHAPE_K, int BLOCK_N, int kNumStages, Multicast kMulticast,
          bool kSwiGluFp8 = false>
__device__ __forceinline__ void fp8_grouped_gemm(const CUtensorMap& map_a, const CUtensorMap& map_b,
                                                 const CUtensorMap& map_sa, const float* __restrict__ sb,
                                                 __nv_bfloat16* __restrict__ d, const StoreMapPool* d_maps,
                                                 unsigned int* tile_counters, const Layout& layout,
                                                 float* q_scales = nullptr,
                                                 int q_scale_stride = 0) {
  using Gemm = Fp8GroupedGemm<Layout, SHAPE_N, SHAPE_K, BLOCK_N, kNumStages, kMulticast, kSwiGluFp8>;
  using Smem = typename Gemm::Smem;
  constexpr int kCluster = Gemm::kCluster;
  // Declared 1024-byte aligned (the kernel has no static shared memory, so the dynamic area starts
  // at the window's aligned base): every shared address is then a constant offset the compiler folds
  // into instructions, instead of an aligned base it rematerialises in every K iteration.
  extern __shared__ __align__(1024) uint8_t smem[];

  const int warpgroup = threadIdx.x / 128;
  const uint32_t rank = kCluster > 1 ? ptx::cluster_ctarank() : 0;
  if (threadIdx.x == 0) {
    ptx::tma_prefetch(&map_a);
    ptx::tma_prefetch(&map_b);
    ptx::tma_prefetch(&map_sa);
    for (int s = 0; s < kNumStages; ++s) {
      ptx::mbarrier_init(&Smem::full(smem)[s], 1);                // the producer's arrive (plus the bytes)
      ptx::mbarrier_init(&Smem::empty(smem)[s], 8 * kCluster);    // one arrive per consumer warp of the cluster
    }
    if constexpr (kSwiGluFp8) {
      SwiGluStaging::init(Smem::staging(smem, 0));
      SwiGluStaging::init(Smem::staging(smem, 1));
    }
    ptx::fence_barrier_init();
  }
  if constexpr (kCluster > 1) {
    ptx::cluster_sync();  // the peer's barriers are initialised before anyone signals them
  } else {
    __syncthreads();
  }

  // Each role builds its scheduler after setmaxnreg: the scheduler's first table load is then not
  // in flight across the register reallocation, which would wait for it.
  if (warpgroup == 0) {
    ptx::setmaxnreg_dec<40>();
    // One thread produces; only it builds the schedule (a dynamic one takes tiles as it is built).
    if (threadIdx.x == 0) {
      typename Gemm::Producer tiles = [&] {
        if constexpr (Gemm::kDynamicTiles) {
          return typename Gemm::Producer(layout, tile_counters);
        } else {
          return typename Gemm::Producer(layout, rank);
        }
      }();
      Gemm::produce(tiles, smem, map_a, map_b, map_sa, rank);
    }
    if constexpr (kCluster > 1) ptx::cluster_sync();  // the peer may still signal our barriers
    return;
  }
  ptx::setmaxnreg_inc<232>();
  // The consumer index read through a shuffle: nvcc then knows it is the same in every lane, so the
  // wgmma descriptors built from it stay in uniform registers instead of being moved there (R2UR)
  // before every wgmma.
  const int math_wg = __shfl_sync(0xffffffffu, warpgroup - 1, 0);
  typename Gemm::ConsumerTiles tiles(layout, rank);
  const SwiGluFp8Output fused{reinterpret_cast<uint8_t*>(d), q_scales, q_scale_stride};
  Gemm::consume(tiles, smem, math_wg, sb, d, d_maps, fused, rank);
  if constexpr (kCluster > 1) ptx::cluster_sync();  // stay until the peer no longer multicasts into us
}

}  // namespace padfree::sm90
