// Thread-block clusters: ranks, cluster-wide barriers, and addresses of a peer block's shared memory.
#pragma once
#include "common.cuh"

namespace padfree::ptx {

// This block's rank within its cluster.
__device__ __forceinline__ uint32_t cluster_ctarank() {
  uint32_t rank;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
  return rank;
}

// Waits for every thread of every block in the cluster (threads may arrive divergently).
__device__ __forceinline__ void cluster_sync() {
  asm volatile("barrier.cluster.arrive.release;\n\tbarrier.cluster.wait.acquire;" ::: "memory");
}

// The cluster-wide shared address of the same object in block `rank` of the cluster.
__device__ __forceinline__ uint32_t map_to_block(const void* p, uint32_t rank) {
  uint32_t remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(smem_addr(p)), "r"(rank));
  return remote;
}

// Arrives on an mbarrier of any block in the cluster (address from map_to_block). The arrive has the
// default .release.cta semantics: what it orders is this thread's use of its own block's shared memory
// (a consumer's reads of a stage), which is all a producer waiting on it needs. A .release.cluster
// arrive adds a cluster-wide fence to every arrive, once per warp and K block on the consumers'
// critical path (NOTES.md: multicast with it ran at half the speed of no multicast on the H200).
__device__ __forceinline__ void mbarrier_arrive_cluster(uint32_t remote_bar) {
  asm volatile("mbarrier.arrive.shared::cluster.b64 _, [%0];" ::"r"(remote_bar) : "memory");
}

}  // namespace padfree::ptx
