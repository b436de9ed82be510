// Helpers every PTX wrapper needs.
#pragma once
#include <cstdint>

namespace padfree::ptx {

// The 32-bit shared-state-space address PTX instructions take for a pointer into shared memory.
__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

}  // namespace padfree::ptx
