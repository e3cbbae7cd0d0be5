// mheap.cpp — the page heap (mirrors mheap.alloc, allocSpan, freeSpan, grow and
// the span-record allocator in mheap.go).
//
// Model: arenas are carved into runs of 8 KiB pages.  Free runs are kept in two
// ordered indexes: by address (to coalesce a freed run with its neighbours) and
// by (length, address) (best fit: the shortest run that is long enough, lowest
// address first, split, remainder back).  When no run fits, the heap grows by
// as many whole arenas as the request needs.  Whether a new span's memory must be
// zeroed comes from each arena's zeroed_base (Go's allocNeedsZero): pages never
// handed out are still zero from mmap and are never zeroed twice, even after a
// used run coalesced with them.
// Span records (the metadata) are recycled through a free list and never
// returned to the system: span_of may race with a free and must always read a
// valid record.
//
// Invariants: free runs never overlap nor touch (adjacent runs are merged); a
// page is in exactly one of {a free run, an in-use span}; the page -> span index
// holds the span for every page of an in-use span and null for free pages; the
// two indexes always describe the same runs.  Everything here is under heap_lock.
//
// Rejected: Go's radix tree of pallocBits summaries (pageAlloc in mpagealloc.go)
// — it finds the lowest-addressed fit in O(log) over a sparse 48-bit space and
// is built for scavenging, but costs several times this code; best fit over
// ordered maps is O(log n) in the number of free runs and simple to check.  A
// first-fit list was rejected for its O(n) search under fragmentation.
#include <gort/gc/mheap.hpp>

#include <sys/mman.h>

#include <algorithm>

#include <map>
#include <set>
#include <utility>

#include <gort/gc/arena.hpp>
#include <gort/gc/span.hpp>

#include "sweep.hpp"

#include <new>
#include <gort/runtime/internal/lock.hpp>

namespace gort::gc {

namespace {

/// Applies fn(arena, first_page, npages) to each arena's part of [base, base + npages pages).
template <class Fn>
void for_each_arena_part(uintptr_t base, size_t npages, Fn fn) {
  while (npages > 0) {
    HeapArena* ha = arena_of(base);
    const size_t page = (base % kArenaBytes) / kPageSize;
    const size_t n = std::min(npages, kPagesPerArena - page);
    fn(ha, page, n);
    base += n * kPageSize;
    npages -= n;
  }
}

/// True when the free page at address `page` was returned to the OS.
bool page_released(uintptr_t page) {
  const HeapArena* ha = arena_of(page);
  const size_t i = (page % kArenaBytes) / kPageSize;
  return (ha->scavenged[i / 64] >> (i % 64)) & 1;
}

/// Records [base, +npages) as returned to the OS (reads as zero until reused).
void mark_released(uintptr_t base, size_t npages) {
  for_each_arena_part(base, npages, [](HeapArena* ha, size_t first, size_t n) {
    for (size_t i = first; i < first + n; ++i) ha->scavenged[i / 64] |= uint64_t{1} << (i % 64);
  });
}

/// A run of free pages.
struct FreeRun {
  /// Length in pages.
  size_t npages;
};

/// The page allocator's state; every field is guarded by `lock`.
struct PageHeap {
  /// The heap lock (Go's mheap_.lock).
  runtime::Lock lock;
  /// Free runs by base address.
  std::map<uintptr_t, FreeRun> runs_by_addr;
  /// Free runs by (length in pages, base address), for best fit.
  std::set<std::pair<size_t, uintptr_t>> runs_by_size;
  /// Recycled span records, linked through Span::next (Go's mheap_.spanalloc).
  Span* free_records = nullptr;
  /// Total free pages.
  size_t free_pages = 0;

  /// Records [base, base+npages) as one free run.  Precondition: it touches no other run.
  void insert_run(uintptr_t base, size_t npages) {
    runs_by_addr.emplace(base, FreeRun{npages});
    runs_by_size.emplace(npages, base);
    free_pages += npages;
  }
  /// Forgets the free run at `it` (its pages are being taken or merged).
  void erase_run(std::map<uintptr_t, FreeRun>::iterator it) {
    runs_by_size.erase({it->second.npages, it->first});
    free_pages -= it->second.npages;
    runs_by_addr.erase(it);
  }
  /// Adds [base, base+npages) as free, merged with touching runs.
  void free_pages_at(uintptr_t base, size_t npages) {
    auto next = runs_by_addr.lower_bound(base);
    if (next != runs_by_addr.end() && next->first == base + npages * kPageSize) {
      npages += next->second.npages;
      erase_run(next);
    }
    auto after = runs_by_addr.lower_bound(base);
    if (after != runs_by_addr.begin()) {
      auto prev = std::prev(after);
      if (prev->first + prev->second.npages * kPageSize == base) {
        base = prev->first;
        npages += prev->second.npages;
        erase_run(prev);
      }
    }
    insert_run(base, npages);
  }
  /// Takes npages pages by best fit, growing the heap if needed (mirrors
  /// pageAlloc.alloc + mheap.grow); returns the base.
  uintptr_t take_pages(size_t npages) {
    auto fit = runs_by_size.lower_bound({npages, 0});
    if (fit == runs_by_size.end()) {
      const size_t narenas = (npages * kPageSize + kArenaBytes - 1) / kArenaBytes;
      const uintptr_t base = arena_reserve(narenas);
      heap_stats().sys_bytes.fetch_add(narenas * kArenaBytes, std::memory_order_relaxed);
      // The arena's first page is never handed out: an address that round (a
      // multiple of 64 MiB, often of 4 GiB) turns up on stacks as a non-pointer
      // value — a mask, a tag, a size — and would keep an object there alive
      // through the conservative stack scan (Boehm blacklists such pages).
      free_pages_at(base + kPageSize, narenas * kPagesPerArena - 1);
      // Fresh from mmap: not resident, reads as zero — released, as Go counts
      // newly mapped heap memory in HeapReleased.
      mark_released(base, narenas * kPagesPerArena);
      heap_stats().released_bytes.fetch_add((narenas * kPagesPerArena - 1) * kPageSize, std::memory_order_relaxed);
      fit = runs_by_size.lower_bound({npages, 0});
    }
    const uintptr_t base = fit->second;
    auto it = runs_by_addr.find(base);
    const FreeRun run = it->second;
    erase_run(it);
    if (run.npages > npages) insert_run(base + npages * kPageSize, run.npages - npages);
    return base;
  }
  /// Returns a blank span record, recycled if one is free (mirrors fixalloc.alloc).
  Span* new_record() {
    if (Span* s = free_records) {
      free_records = s->next;
      s->~Span();
      return ::new (s) Span();
    }
    return new Span();
  }
};

/// The one page heap.
PageHeap& page_heap() {
  static PageHeap* heap = new PageHeap();  // never destroyed: spans outlive static destructors
  return *heap;
}

}  // namespace

HeapStats& heap_stats() {
  static HeapStats stats;
  return stats;
}

namespace {

/// Clears the scavenged bits of [base, +npages) (the pages are in use again);
/// returns true when every page was scavenged (then it reads as zero).
/// Caller holds the heap lock.
bool take_scavenged(uintptr_t base, size_t npages) {
  size_t scavenged = 0;
  for_each_arena_part(base, npages, [&](HeapArena* ha, size_t first, size_t n) {
    for (size_t i = first; i < first + n; ++i) {
      uint64_t& w = ha->scavenged[i / 64];
      const uint64_t bit = uint64_t{1} << (i % 64);
      if (w & bit) {
        w &= ~bit;
        ++scavenged;
      }
    }
  });
  if (scavenged > 0) heap_stats().released_bytes.fetch_sub(scavenged * kPageSize, std::memory_order_relaxed);
  return scavenged == npages;
}

/// True when any page of [base, +npages) was handed out before, so its memory
/// may hold old data; advances each arena's zeroed_base past the range
/// (mirrors mheap.allocNeedsZero).  Tracking this per arena, not per free run,
/// keeps a fresh run that coalesced with a used one from being zeroed (and
/// faulted in) by memset before its first use.  Caller holds the heap lock.
bool alloc_needs_zero(uintptr_t base, size_t npages) {
  bool needzero = false;
  for_each_arena_part(base, npages, [&](HeapArena* ha, size_t first, size_t n) {
    const uintptr_t lo = first * kPageSize, hi = (first + n) * kPageSize;
    if (lo < ha->zeroed_base) needzero = true;
    if (hi > ha->zeroed_base) ha->zeroed_base = hi;
  });
  return needzero;
}

}  // namespace

// mirrors mheap.alloc / mheap.allocSpan in mheap.go
Span* heap_alloc_span(size_t npages, SpanClass spc) {
  PageHeap& h = page_heap();
  h.lock.lock();
  const uintptr_t base = h.take_pages(npages);
  Span* s = h.new_record();
  s->start = base;
  s->npages = npages;
  const bool needzero = alloc_needs_zero(base, npages);
  // Released pages read as zero when touched again (MADV_DONTNEED on private
  // anonymous memory): no need to zero them, as Go's sysUsed path knows.
  s->needzero = take_scavenged(base, npages) ? false : needzero;
  s->init_objects(spc);
  s->sweepgen.store(detail::heap_sweepgen.load(std::memory_order_relaxed), std::memory_order_relaxed);
  arena_set_spans(base, npages, s);
  h.lock.unlock();
  heap_stats().inuse_bytes.fetch_add(npages * kPageSize, std::memory_order_relaxed);
  heap_stats().spans_inuse.fetch_add(1, std::memory_order_relaxed);
  return s;
}

// mirrors mheap.freeSpan / freeSpanLocked in mheap.go
void heap_free_span(Span* s) {
  PageHeap& h = page_heap();
  const size_t npages = s->npages;
  h.lock.lock();
  arena_set_spans(s->start, npages, nullptr);
  h.free_pages_at(s->start, npages);
  s->state = SpanState::Dead;
  s->next = h.free_records;
  h.free_records = s;
  h.lock.unlock();
  heap_stats().inuse_bytes.fetch_sub(npages * kPageSize, std::memory_order_relaxed);
  heap_stats().spans_inuse.fetch_sub(1, std::memory_order_relaxed);
}

// mirrors pageAlloc.scavenge / scavengeOne in mgcscavenge.go
size_t heap_scavenge(size_t max_bytes) {
  PageHeap& h = page_heap();
  size_t released = 0;
  uintptr_t cursor = UINTPTR_MAX;  // walk free runs from the highest address down
  while (released < max_bytes) {
    h.lock.lock();
    // Find the next free run below cursor with a page not yet released.
    uintptr_t lo = 0, hi = 0;
    auto it = h.runs_by_addr.lower_bound(cursor);
    while (it != h.runs_by_addr.begin()) {
      --it;
      const uintptr_t run_lo = it->first;
      const uintptr_t run_hi = run_lo + it->second.npages * kPageSize;
      // The highest unreleased stretch of this run, at most one chunk long;
      // above the cursor everything in this run is released already.
      uintptr_t p = std::min(run_hi, cursor);
      while (p > run_lo && page_released(p - kPageSize)) p -= kPageSize;
      if (p > run_lo) {
        hi = p;
        lo = p;
        while (lo > run_lo && hi - lo < kScavengeChunk && hi - lo < max_bytes - released &&
               !page_released(lo - kPageSize)) {
          lo -= kPageSize;
        }
        break;
      }
    }
    if (hi == lo) {
      h.lock.unlock();
      break;  // every free page is released already
    }
    // madvise under the lock: the pages are free, and an allocator taking them
    // meanwhile would see them half released; a 64 KiB madvise takes a few µs.
    madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
    const size_t npages = (hi - lo) / kPageSize;
    mark_released(lo, npages);
    heap_stats().released_bytes.fetch_add(hi - lo, std::memory_order_relaxed);
    released += hi - lo;
    cursor = lo;
    h.lock.unlock();
  }
  return released;
}

size_t heap_free_pages() {
  PageHeap& h = page_heap();
  h.lock.lock();
  const size_t n = h.free_pages;
  h.lock.unlock();
  return n;
}

}  // namespace gort::gc
