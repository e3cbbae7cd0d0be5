// gort/gc/arena.hpp — heap arenas and the page -> span index (mirrors heapArena,
// arenaIndex and spanOf in mheap.go).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <gort/gc/sizeclasses.hpp>

namespace gort::gc {

struct Span;

/// Bytes per arena: Go's heapArenaBytes on linux/amd64 (64 MiB).
inline constexpr size_t kArenaBytes = size_t{64} << 20;
/// Heap pages per arena.
inline constexpr size_t kPagesPerArena = kArenaBytes / kPageSize;
/// Bits of user address space on linux/amd64 (47, rounded up to 48 as Go does).
inline constexpr size_t kHeapAddrBits = 48;
/// Arena slots covering the whole address space (Go's 1 << arenaL2Bits with arenaL1Bits = 0).
inline constexpr size_t kArenaIndexSlots = size_t{1} << (kHeapAddrBits - 26);
static_assert(kArenaBytes == size_t{1} << 26);

/// Metadata of one arena (mirrors heapArena): the span owning each of its pages.
struct HeapArena {
  /// spans[i] is the in-use span containing page i of the arena, or null for
  /// a free page.  Written under the heap lock, read lock-free by span_of.
  std::atomic<Span*> spans[kPagesPerArena];
  /// Bytes from the arena's start below which pages have been handed out before;
  /// everything at or above is still zero from mmap (mirrors heapArena.zeroedBase).
  /// Only grows; guarded by the heap lock.
  uintptr_t zeroed_base = 0;
  /// Bit i set: free page i was returned to the OS (madvise DONTNEED) and reads
  /// as zero until reused (Go's pallocData.scavenged).  Guarded by the heap lock.
  uint64_t scavenged[kPagesPerArena / 64] = {};
};

/// Reserves and maps `count` new contiguous arenas of kArenaBytes, aligned to
/// kArenaBytes, registers their metadata in the arena index and returns the base
/// (mirrors sysAlloc + mheap.sysAlloc).  Precondition: the heap lock is held,
/// count >= 1.  Aborts when out of memory.
uintptr_t arena_reserve(size_t count);

namespace detail {
/// arena_index[addr >> 26]: metadata of the arena at that address, or null
/// (Go's mheap_.arenas with arenaL1Bits = 0).  Written under the heap lock.
extern std::atomic<HeapArena*> arena_index[kArenaIndexSlots];
}  // namespace detail

/// Returns the metadata of the arena containing addr, or null when addr is not in
/// the heap.  Lock-free; inline because every pointer the marker visits asks.
inline HeapArena* arena_of(uintptr_t addr) {
  const size_t slot = addr >> 26;
  if (slot >= kArenaIndexSlots) return nullptr;
  return detail::arena_index[slot].load(std::memory_order_acquire);
}

/// Records span s as the owner of pages [base, base + npages*kPageSize), or clears
/// them when s is null (mirrors mheap.setSpans).  Precondition: heap lock held; the
/// pages lie in reserved arenas.
void arena_set_spans(uintptr_t base, size_t npages, Span* s);

/// Returns the in-use span containing addr, or null when addr is outside the heap
/// or in a free page (mirrors spanOf).  O(1) and lock-free; the answer for a span
/// being freed concurrently is only as fresh as the caller's synchronisation.
inline Span* span_of(uintptr_t addr) {
  HeapArena* ha = arena_of(addr);
  if (ha == nullptr) return nullptr;
  return ha->spans[(addr % kArenaBytes) / kPageSize].load(std::memory_order_acquire);
}

}  // namespace gort::gc
