// Helpers every PTX wrapper needs.
#pragma once
#include <cstdint>

namespace padfree::ptx {

// The 32-bit shared-state-space address PTX instructions take for a pointer into shared memory.
__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

}  // namespace padfree::ptx

namespace padfree::ptx {

// Lowers this warp's register budget (producer warps need few registers).
template <int kRegisters>
__device__ __forceinline__ void setmaxnreg_dec() {
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(kRegisters));
}

// Raises this warp's register budget (math warps hold the accumulators).
template <int kRegisters>
__device__ __forceinline__ void setmaxnreg_inc() {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(kRegisters));
}

}  // namespace padfree::ptx

namespace padfree::ptx {

// A shared-memory load the compiler and assembler keep in program order (used for data a TMA wrote,
// read right after the mbarrier wait that publishes it).
__device__ __forceinline__ float ld_shared(const float* p) {
  float v;
  asm volatile("ld.shared.f32 %0, [%1];" : "=f"(v) : "r"(smem_addr(p)) : "memory");
  return v;
}

}  // namespace padfree::ptx

namespace padfree::ptx {

// Synchronises the kThreads threads (whole warps) that use barrier `id`; id 0 is __syncthreads', so a
// warpgroup-local barrier takes 1 and up.
template <int kThreads>
__device__ __forceinline__ void named_barrier_sync(int id) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "n"(kThreads) : "memory");
}

// stmatrix .x4: the warp stores four 8 x 8 matrices of 16-bit values. Register q of lane t holds
// row t / 4, columns 2 (t % 4) and + 1 of matrix q (the layout of a wgmma accumulator fragment
// converted to pairs); lanes 8q .. 8q + 7 give the shared addresses of matrix q's rows 0 .. 7, 16 bytes
// each. One instruction moves what four 32-bit stores per lane would.
__device__ __forceinline__ void stmatrix_x4(uint32_t row_address, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3) {
  asm volatile("stmatrix.sync.aligned.m8n8.x4.shared.b16 [%0], {%1, %2, %3, %4};" ::"r"(row_address), "r"(r0), "r"(r1),
               "r"(r2), "r"(r3)
               : "memory");
}

// A 32-bit shared-memory store (two BF16) the compiler keeps in program order.
__device__ __forceinline__ void st_shared_b32(void* p, uint32_t v) {
  asm volatile("st.shared.b32 [%0], %1;" ::"r"(smem_addr(p)), "r"(v) : "memory");
}

}  // namespace padfree::ptx
