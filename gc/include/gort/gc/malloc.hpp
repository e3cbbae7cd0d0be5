// gort/gc/malloc.hpp — the raw allocation entry point of the managed heap
// (mirrors the structure of mallocgc in malloc.go) and its statistics.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gort::gc {

/// A snapshot of the heap statistics (the heap fields of Go's MemStats).
struct HeapStatsSnapshot {
  /// Bytes of allocated heap objects (HeapAlloc).
  uint64_t heap_alloc = 0;
  /// Bytes of address space reserved for the heap (HeapSys).
  uint64_t heap_sys = 0;
  /// Bytes in in-use spans (HeapInuse).
  uint64_t heap_inuse = 0;
  /// Bytes in spans not in use (HeapIdle = HeapSys - HeapInuse).
  uint64_t heap_idle = 0;
  /// Live objects (HeapObjects = Mallocs - Frees).
  uint64_t heap_objects = 0;
  /// Cumulative objects allocated (Mallocs).
  uint64_t mallocs = 0;
  /// Cumulative objects freed (Frees).
  uint64_t frees = 0;
};

/// Reads the heap statistics.  Objects allocated from spans still cached by a P
/// are not included until that span leaves the cache (see mcache.hpp);
/// detail::flush_current_cache() publishes the calling P's.  Lock-free.
HeapStatsSnapshot read_heap_stats();

namespace detail {

/// Returns `size` bytes of zeroed heap memory, aligned to 8 bytes (16 for sizes
/// above 24, a page for large objects), from a scan span class, or a
/// noscan one when `noscan` (the object holds no pointers) (mirrors mallocgc
/// without the tiny allocator, profiling and GC assist).  Objects up to
/// kMaxSmallSize come from the P's mcache; larger ones get a span of their own.
/// Callable from a goroutine or any other thread; never parks or yields.  The
/// memory carries no object header: it is for heap tests with collection off
/// (gc::set_gc_percent(-1)); a collection would free it.  Managed objects come
/// from gc::make, gc::make_slice and gc::String.
void* alloc(size_t size, bool noscan);

/// The allocation step shared by alloc and gc::make: returns zeroed memory of
/// `size`; has_destructor flags its span for the sweeper; sets check_trigger
/// when the allocation took a span from the mcentral or the heap (the caller
/// then tests the GC trigger, as Go's shouldhelpgc).  A non-zero sample_pc
/// counts the object toward the heap profile (MCache::count_sample), its stack
/// starting there; alloc passes 0.
void* alloc_in_span(size_t size, bool noscan, bool has_destructor, bool& check_trigger, uintptr_t sample_pc);

/// Gives the calling P's cached spans back to their mcentrals, publishing their
/// allocation counts in the heap statistics (mirrors mcache.releaseAll as run by
/// the collector).  Precondition: called from a goroutine, or a thread without a P.
void flush_current_cache();

}  // namespace detail

}  // namespace gort::gc
