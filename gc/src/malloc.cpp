// malloc.cpp — the raw allocation entry point (mirrors the structure of mallocgc
// in malloc.go: size class lookup, mcache fast path, large-object path, zeroing).
//
// Model: a request of at most kMaxSmallSize bytes is rounded up to its size
// class and served from the calling P's mcache span of that class (scan or
// noscan), without a lock.  A larger request gets a span of its own straight from
// the heap (mirrors mcache.allocLarge), counted at once in the statistics.
// Memory is zeroed only when its span's pages held objects before (needzero);
// fresh arena pages are zero from mmap.
//
// The collector's entry point is allocate_object (object.cpp), which adds the
// object header and starts a cycle when a refill or a large allocation finds
// the live heap at the trigger (Go's shouldhelpgc).
//
// Not mirrored, on purpose: the tiny allocator (Go packs pointer-free objects
// under 16 bytes into shared 16-byte blocks; it makes finalizers and the free
// accounting subtler), GC assists (charged one level up, in allocate_object) and the heap-bitmap of pointer slots (gort's collector traces objects through
// their trace() methods, not a per-word bitmap).
//
// Heap profiling (mirrors the MemProfileRate block of mallocgc and
// profilealloc): objects are sampled as a Poisson process over the bytes
// allocated, one sample every MemProfileRate bytes on average.  The countdown
// lives in the mcache, one per span class, and the fast path never touches
// it: the sample point is a slot bound in the cached span (sample_limit), so
// the object that is due falls to the slow path, which counts and samples it
// (MCache::count_sample, mcache_sample.cpp says why this equals Go's one
// countdown per mcache).  profile_alloc records the allocation in the
// runtime's heap profile (mprof.cpp) and remembers the object's bucket in a
// ProfileSpecial on its span (Go's specialprofile), which the sweep that frees
// the object reports (sweep.cpp).  detail::alloc's raw memory is not sampled.

// Invariants: every returned object lies inside one in-use span whose class fits
// the size; no two live objects overlap.
#include <gort/gc/malloc.hpp>

#include <cstring>

#include <gort/gc/arena.hpp>
#include <gort/gc/mcache.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/gc/sizeclasses.hpp>
#include <gort/gc/span.hpp>
#include <gort/gc/mcentral.hpp>
#include <gort/runtime/internal/mprof.hpp>

#include "mwbbuf.hpp"
#include "pacer.hpp"
#include "sweep.hpp"

namespace gort::gc {

namespace {

// mirrors mcache.allocLarge in mcache.go
void* alloc_large(size_t size, bool noscan, bool has_destructor) {
  const size_t npages = (size + kPageSize - 1) / kPageSize;
  detail::reclaim_pages(npages);
  Span* s = heap_alloc_span(npages, SpanClass::make(0, noscan));
  s->has_destructors = has_destructor;  // before the span is on a list
  s->freeindex = 1;
  s->alloc_count = 1;
  s->alloc_count_at_cache = 1;
  heap_stats().mallocs.fetch_add(1, std::memory_order_relaxed);
  heap_stats().alloc_bytes.fetch_add(s->elemsize, std::memory_order_relaxed);
  detail::heap_live.fetch_add(s->elemsize, std::memory_order_relaxed);
  void* p = reinterpret_cast<void*>(s->start);
  if (s->needzero) std::memset(p, 0, s->elemsize);
  detail::publish_new_object(s, s->start);
  // The sweeper finds large spans on the full list of their class-0 mcentral.
  central_push_swept(s);
  return p;
}

/// Whether the small object the slow path just took from the cached span s may
/// be its class's next heap profile sample, or the rate changed since c drew its
/// countdowns: only then must MCache::count_sample run.  An object below s's
/// sample_limit is never the due one (mcache_sample.cpp), and the countdown
/// counts it later from the span's allocation count.  Most slow paths are the
/// fast path's allocation cache running dry at a bitmap word's end (one
/// allocation in ~21 for 24-byte objects), not a sample point; skipping the
/// sampler there saves ~70 instructions each.  Caller owns c; s is c's span of
/// the object's class.
bool sample_may_be_due(const MCache& c, const Span& s) {
  // freeindex is one past the slot just taken (Span::next_free_index).
  return s.freeindex > s.sample_limit || c.sample_generation != detail::sample_rate_generation();
}

}  // namespace

HeapStatsSnapshot read_heap_stats() {
  const HeapStats& hs = heap_stats();
  HeapStatsSnapshot snap;
  snap.heap_sys = hs.sys_bytes.load(std::memory_order_relaxed);
  snap.heap_inuse = hs.inuse_bytes.load(std::memory_order_relaxed);
  snap.heap_idle = snap.heap_sys - snap.heap_inuse;
  snap.heap_alloc = hs.alloc_bytes.load(std::memory_order_relaxed);
  snap.mallocs = hs.mallocs.load(std::memory_order_relaxed);
  snap.frees = hs.frees.load(std::memory_order_relaxed);
  snap.heap_objects = snap.mallocs - snap.frees;
  return snap;
}

namespace detail {

// mirrors profilealloc in malloc.go (and setprofilebucket in mheap.go)
__attribute__((noinline)) void profile_alloc(Span* s, uintptr_t obj, uintptr_t caller_pc) {
  if (runtime::mem_profile_rate() <= 0) return;  // turned off since the draw
  runtime::ProfBucket* b = runtime::mprof_malloc(s->elemsize, caller_pc);
  s->specials = new ProfileSpecial{s->specials, s->object_index(obj), b};
}

// mirrors mallocgc in malloc.go (small and large paths)
void* alloc_in_span(size_t size, bool noscan, bool has_destructor, bool& check_trigger, uintptr_t sample_pc) {
  if (size > kMaxSmallSize) {
    check_trigger = true;
    void* p = alloc_large(size, noscan, has_destructor);
    if (sample_pc != 0) {
      // The span sits on its mcentral's full list already, but no sweep can
      // claim it before the next mark termination, so its specials are ours.
      Span* span = span_of(reinterpret_cast<uintptr_t>(p));
      with_current_mcache([&](MCache& c) {
        c.count_sample(SpanClass::make(0, noscan), span, reinterpret_cast<uintptr_t>(p), sample_pc);
      });
    }
    return p;
  }
  const SpanClass spc = SpanClass::make(size_to_class(size), noscan);
  return with_current_mcache([&](MCache& c) {
    Span* span = nullptr;
    void* p = reinterpret_cast<void*>(c.next_free(spc, span, check_trigger));
    if (span->needzero) std::memset(p, 0, span->elemsize);
    if (has_destructor) span->has_destructors = true;
    if (sample_pc != 0 && sample_may_be_due(c, *span)) {
      c.count_sample(spc, span, reinterpret_cast<uintptr_t>(p), sample_pc);
    }
    publish_new_object(span, reinterpret_cast<uintptr_t>(p));
    return p;
  });
}

void* alloc(size_t size, bool noscan) {
  bool check_trigger = false;
  return alloc_in_span(size, noscan, false, check_trigger, 0);
}

void flush_current_cache() {
  with_current_mcache([](MCache& c) { c.release_all(); });
}

}  // namespace detail

}  // namespace gort::gc
