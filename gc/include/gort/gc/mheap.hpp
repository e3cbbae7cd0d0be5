// gort/gc/mheap.hpp — the page heap: arenas carved into spans (mirrors mheap in
// mheap.go) and the heap statistics MemStats reads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <gort/gc/sizeclasses.hpp>

namespace gort::gc {

struct Span;

/// Heap-wide counters (the heap half of Go's MemStats), updated with relaxed
/// atomics; each is exact once every mcache has flushed (see mcache.hpp).
struct HeapStats {
  /// Bytes of address space reserved for arenas (HeapSys).
  std::atomic<uint64_t> sys_bytes{0};
  /// Bytes in in-use spans (HeapInuse).
  std::atomic<uint64_t> inuse_bytes{0};
  /// Bytes of allocated objects not yet freed (HeapAlloc).
  std::atomic<uint64_t> alloc_bytes{0};
  /// Objects allocated, cumulative (Mallocs).
  std::atomic<uint64_t> mallocs{0};
  /// Objects freed, cumulative (Frees); HeapObjects = mallocs - frees.
  std::atomic<uint64_t> frees{0};
  /// Bytes of objects freed, cumulative (TotalAlloc = alloc_bytes + freed_bytes).
  std::atomic<uint64_t> freed_bytes{0};
  /// Bytes of free pages returned to the OS (HeapReleased).
  std::atomic<uint64_t> released_bytes{0};
  /// In-use spans (for tests and diagnostics).
  std::atomic<uint64_t> spans_inuse{0};
};

/// Returns the heap's statistics counters.
HeapStats& heap_stats();

/// Allocates a span of npages pages for objects of span class spc, initialised
/// (Span::init_objects) and registered in the page -> span index (mirrors
/// mheap.alloc).  Its memory is zero unless span->needzero.  Takes the heap lock,
/// which is always the last lock taken (an mcentral lock may be held).
Span* heap_alloc_span(size_t npages, SpanClass spc);

/// Returns span s's pages to the page allocator, to be reused by later spans
/// (mirrors mheap.freeSpan).  Precondition: s is in use and nobody else holds it;
/// takes the heap lock.  s must not be used afterwards.
void heap_free_span(Span* s);

/// Free pages currently held by the page allocator (for tests).  Takes the heap lock.
size_t heap_free_pages();

/// Returns up to max_bytes of free, not yet released pages to the OS with
/// madvise(MADV_DONTNEED), lowest addresses last (mirrors pageAlloc.scavenge,
/// which works from the highest addresses down), and returns the bytes released.
/// Takes the heap lock for each run it releases (at most kScavengeChunk bytes
/// per acquisition, so allocators wait at most one short madvise).
size_t heap_scavenge(size_t max_bytes);

/// Bytes the scavenger releases per heap-lock acquisition: Go's 64 KiB chunk.
inline constexpr size_t kScavengeChunk = 64 * 1024;

}  // namespace gort::gc
