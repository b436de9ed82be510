// wgmma: Hopper's warpgroup matrix multiply-accumulate (sm_90a), FP8 e4m3 x e4m3 -> FP32.
#pragma once
#include "common.cuh"

namespace padfree::ptx {

// Orders prior register writes of the accumulators before the next wgmma reads them.
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }

// Closes the group of wgmma issued so far by this warpgroup.
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }

// Waits until at most kPending wgmma groups of this warpgroup are still in flight.
template <int kPending>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(kPending) : "memory");
}

// Pins accumulator registers in place: wgmma_wait has no register operands, so without this the
// compiler may read (or write) accumulators across the wait, before the tensor cores are done.
template <int kCount>
__device__ __forceinline__ void wgmma_fence_operands(float (&registers)[kCount]) {
#pragma unroll
  for (int i = 0; i < kCount; ++i) asm volatile("" : "+f"(registers[i])::"memory");
}

// Shared-memory matrix descriptor of a K-major tile written by TMA with 128-byte swizzle: rows of
// 128 bytes, 8-row atoms 1024 bytes apart (the stride byte offset); the leading offset is unused.
__device__ __forceinline__ uint64_t smem_desc_kmajor_sw128(const void* tile) {
  const uint64_t address = smem_addr(tile);
  return ((address & 0x3FFFF) >> 4)        // start address, 16-byte units
         | (uint64_t(1024 >> 4) << 32)     // stride byte offset
         | (uint64_t(1) << 62);            // layout: 128-byte swizzle
}

// The same descriptor split in two, so a K loop builds it with one 32-bit add per operand: the start
// address field (the tile's shared-memory address / 16, 14 bits) is computed once per tile, and a
// stage or K-step offset is added to it; shared memory is below 256 KB, so the add never carries out
// of the field.
__device__ __forceinline__ uint32_t smem_desc_start_sw128(const void* tile) {
  return static_cast<uint32_t>((smem_addr(tile) & 0x3FFFF) >> 4);
}
__device__ __forceinline__ uint64_t smem_desc_kmajor_sw128(uint32_t start) {
  return uint64_t(start) | (uint64_t(1024 >> 4) << 32) | (uint64_t(1) << 62);
}

// D (64 x N, FP32, N/2 registers per thread) {=, +=} A (64 x 32, smem) * B (N x 32, smem)^T.
// accumulate = false overwrites D (the first K step of a block), true adds to it. wgmma takes N in
// its opcode and one register per accumulator, so each width is its own asm statement; they are all
// stamped from the one definition below, with the operand lists assembled from eight-register pieces
// (PTX wants literal operand numbers: the accumulators are %0.., the descriptors and flag follow).
template <int N>
__device__ __forceinline__ void wgmma_e4m3(float (&d)[N / 2], uint64_t desc_a, uint64_t desc_b, bool accumulate);

// Accumulator operands of the asm template, eight at a time: %0-%7, then ", %8-%15", ...
#define PADFREE_WGMMA_REGS_0 "%0, %1, %2, %3, %4, %5, %6, %7"
#define PADFREE_WGMMA_REGS_1 ", %8, %9, %10, %11, %12, %13, %14, %15"
#define PADFREE_WGMMA_REGS_2 ", %16, %17, %18, %19, %20, %21, %22, %23"
#define PADFREE_WGMMA_REGS_3 ", %24, %25, %26, %27, %28, %29, %30, %31"
#define PADFREE_WGMMA_REGS_4 ", %32, %33, %34, %35, %36, %37, %38, %39"
#define PADFREE_WGMMA_REGS_5 ", %40, %41, %42, %43, %44, %45, %46, %47"
#define PADFREE_WGMMA_REGS_6 ", %48, %49, %50, %51, %52, %53, %54, %55"
#define PADFREE_WGMMA_REGS_7 ", %56, %57, %58, %59, %60, %61, %62, %63"
#define PADFREE_WGMMA_REGS_8 ", %64, %65, %66, %67, %68, %69, %70, %71"
#define PADFREE_WGMMA_REGS_9 ", %72, %73, %74, %75, %76, %77, %78, %79"
#define PADFREE_WGMMA_REGS_10 ", %80, %81, %82, %83, %84, %85, %86, %87"
#define PADFREE_WGMMA_REGS_11 ", %88, %89, %90, %91, %92, %93, %94, %95"
// The matching constraints: eight accumulators from d[b].
#define PADFREE_WGMMA_ACC8(b)                                                                        \
  "+f"(d[(b) + 0]), "+f"(d[(b) + 1]), "+f"(d[(b) + 2]), "+f"(d[(b) + 3]), "+f"(d[(b) + 4]),          \
      "+f"(d[(b) + 5]), "+f"(d[(b) + 6]), "+f"(d[(b) + 7])

// wgmma_e4m3<N>: REGS lists the N/2 accumulator operands, DESC_A, DESC_B and FLAG are the operand
// numbers that follow them (N/2, N/2 + 1, N/2 + 2), and the rest are the accumulators' constraints.
#define PADFREE_WGMMA_E4M3(N, REGS, DESC_A, DESC_B, FLAG, ...)                                        \
  template <>                                                                                       \
  __device__ __forceinline__ void wgmma_e4m3<N>(float (&d)[N / 2], uint64_t desc_a, uint64_t desc_b, \
                                                bool accumulate) {                                  \
    static_assert(N / 2 == DESC_A && DESC_B == DESC_A + 1 && FLAG == DESC_A + 2,                     \
                  "the descriptors and flag follow the N/2 accumulator operands");                  \
    asm volatile(                                                                                   \
        "{\n"                                                                                       \
        ".reg .pred p;\n"                                                                           \
        "setp.ne.b32 p, %" #FLAG ", 0;\n"                                                           \
        "wgmma.mma_async.sync.aligned.m64n" #N "k32.f32.e4m3.e4m3 "                                 \
        "{" REGS "}, "                                                                              \
        "%" #DESC_A ", %" #DESC_B ", p, 1, 1;\n"                                                    \
        "}\n"                                                                                       \
        : __VA_ARGS__                                                                               \
        : "l"(desc_a), "l"(desc_b), "r"(static_cast<int>(accumulate)));                             \
  }

PADFREE_WGMMA_E4M3(64, PADFREE_WGMMA_REGS_0 PADFREE_WGMMA_REGS_1 PADFREE_WGMMA_REGS_2 PADFREE_WGMMA_REGS_3,
                   32, 33, 34,
                   PADFREE_WGMMA_ACC8(0), PADFREE_WGMMA_ACC8(8), PADFREE_WGMMA_ACC8(16),
                   PADFREE_WGMMA_ACC8(24))
PADFREE_WGMMA_E4M3(96, PADFREE_WGMMA_REGS_0 PADFREE_WGMMA_REGS_1 PADFREE_WGMMA_REGS_2 PADFREE_WGMMA_REGS_3
                   PADFREE_WGMMA_REGS_4 PADFREE_WGMMA_REGS_5, 48, 49, 50,
                   PADFREE_WGMMA_ACC8(0), PADFREE_WGMMA_ACC8(8), PADFREE_WGMMA_ACC8(16),
                   PADFREE_WGMMA_ACC8(24), PADFREE_WGMMA_ACC8(32), PADFREE_WGMMA_ACC8(40))
PADFREE_WGMMA_E4M3(112, PADFREE_WGMMA_REGS_0 PADFREE_WGMMA_REGS_1 PADFREE_WGMMA_REGS_2 PADFREE_WGMMA_REGS_3
                   PADFREE_WGMMA_REGS_4 PADFREE_WGMMA_REGS_5 PADFREE_WGMMA_REGS_6, 56, 57, 58,
                   PADFREE_WGMMA_ACC8(0), PADFREE_WGMMA_ACC8(8), PADFREE_WGMMA_ACC8(16),
                   PADFREE_WGMMA_ACC8(24), PADFREE_WGMMA_ACC8(32), PADFREE_WGMMA_ACC8(40),
                   PADFREE_WGMMA_ACC8(48))
PADFREE_WGMMA_E4M3(128, PADFREE_WGMMA_REGS_0 PADFREE_WGMMA_REGS_1 PADFREE_WGMMA_REGS_2 PADFREE_WGMMA_REGS_3
                   PADFREE_WGMMA_REGS_4 PADFREE_WGMMA_REGS_5 PADFREE_WGMMA_REGS_6 PADFREE_WGMMA_REGS_7, 64,
                   65, 66,
                   PADFREE_WGMMA_ACC8(0), PADFREE_WGMMA_ACC8(8), PADFREE_WGMMA_ACC8(16),
                   PADFREE_WGMMA_ACC8(24), PADFREE_WGMMA_ACC8(32), PADFREE_WGMMA_ACC8(40),
                   PADFREE_WGMMA_ACC8(48), PADFREE_WGMMA_ACC8(56))
PADFREE_WGMMA_E4M3(160, PADFREE_WGMMA_REGS_0 PADFREE_WGMMA_REGS_1 PADFREE_WGMMA_REGS_2 PADFREE_WGMMA_REGS_3
                   PADFREE_WGMMA_REGS_4 PADFREE_WGMMA_REGS_5 PADFREE_WGMMA_REGS_6 PADFREE_WGMMA_REGS_7
                   PADFREE_WGMMA_REGS_8 PADFREE_WGMMA_REGS_9, 80, 81, 82,
                   PADFREE_WGMMA_ACC8(0), PADFREE_WGMMA_ACC8(8), PADFREE_WGMMA_ACC8(16),
                   PADFREE_WGMMA_ACC8(24), PADFREE_WGMMA_ACC8(32), PADFREE_WGMMA_ACC8(40),
                   PADFREE_WGMMA_ACC8(48), PADFREE_WGMMA_ACC8(56), PADFREE_WGMMA_ACC8(64),
                   PADFREE_WGMMA_ACC8(72))
PADFREE_WGMMA_E4M3(192, PADFREE_WGMMA_REGS_0 PADFREE_WGMMA_REGS_1 PADFREE_WGMMA_REGS_2 PADFREE_WGMMA_REGS_3
                   PADFREE_WGMMA_REGS_4 PADFREE_WGMMA_REGS_5 PADFREE_WGMMA_REGS_6 PADFREE_WGMMA_REGS_7
                   PADFREE_WGMMA_REGS_8 PADFREE_WGMMA_REGS_9 PADFREE_WGMMA_REGS_10 PADFREE_WGMMA_REGS_11,
                   96, 97, 98,
                   PADFREE_WGMMA_ACC8(0), PADFREE_WGMMA_ACC8(8), PADFREE_WGMMA_ACC8(16),
                   PADFREE_WGMMA_ACC8(24), PADFREE_WGMMA_ACC8(32), PADFREE_WGMMA_ACC8(40),
                   PADFREE_WGMMA_ACC8(48), PADFREE_WGMMA_ACC8(56), PADFREE_WGMMA_ACC8(64),
                   PADFREE_WGMMA_ACC8(72), PADFREE_WGMMA_ACC8(80), PADFREE_WGMMA_ACC8(88))

#undef PADFREE_WGMMA_E4M3
#undef PADFREE_WGMMA_ACC8
#undef PADFREE_WGMMA_REGS_0
#undef PADFREE_WGMMA_REGS_1
#undef PADFREE_WGMMA_REGS_2
#undef PADFREE_WGMMA_REGS_3
#undef PADFREE_WGMMA_REGS_4
#undef PADFREE_WGMMA_REGS_5
#undef PADFREE_WGMMA_REGS_6
#undef PADFREE_WGMMA_REGS_7
#undef PADFREE_WGMMA_REGS_8
#undef PADFREE_WGMMA_REGS_9
#undef PADFREE_WGMMA_REGS_10
#undef PADFREE_WGMMA_REGS_11

}  // namespace padfree::ptx
