// mcache.cpp — the per-P allocation cache (mirrors mcache.nextFree, refill,
// releaseAll, allocmcache and freemcache in mcache.go and malloc.go).
//
// Model: each P has one MCache in its runtime slot (gort/runtime/internal/gc_cache.hpp,
// Go's p.mcache).  Only the goroutine running on the P touches it, and
// allocation never yields, so the fast path (next_free on a non-full span) takes
// no lock and no atomic.  When the cached span of a class is full, refill hands
// it back to its mcentral and takes another.  A thread holding no P (outside the
// runtime, or an M in a blocking call) uses one shared fallback cache under a
// lock — Go has no such threads; gort's C++ callers may.
//
// Statistics: like Go's mcache, counts are not published per object; the
// objects allocated from a span are added to heap_stats() when the span leaves
// the cache, so heap_stats() lags by at most one span per class per P.
//
// Heap profiling: each cache counts down, per span class, the bytes left before
// its next heap profile sample, and arms the cached span's sample_limit at the
// slot where it runs out (mcache_sample.cpp); refill and release_all count a
// span's allocations into the countdown before it leaves the cache.
//
// Caches are created on first use on a P and go back to an idle pool when the
// runtime destroys the P (after release_all; destroy_p, the collector's part of
// Go's p.destroy): when procresize retires the P because GOMAXPROCS shrank, and
// at teardown, so a P that comes back starts with an empty cache, a restart of
// the runtime reuses them and none leaks.
//
// Invariants: alloc[i] is never null; a cached span is on no mcentral list;
// each cached span's alloc_count_at_cache is its alloc_count when cached; only
// Ps below GOMAXPROCS and the fallback have caches, so flush_all_mcaches (mark
// termination, read_mem_stats) reaches every cached span: none stays cached
// across a mark termination, so the sweep generation flip finds every span on
// an mcentral list, where it turns unswept and is swept once.
#include <gort/gc/mcache.hpp>

#include <mutex>

#include <gort/gc/mcentral.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/gc_cache.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/lock.hpp>
#include <gort/runtime/internal/mprof.hpp>

#include "mgc.hpp"
#include "mwbbuf.hpp"
#include "no_collection_scope.hpp"
#include "pacer.hpp"

namespace gort::gc {

namespace {

/// The sentinel for "no span cached": zero slots, so it is always full (Go's emptymspan).
Span empty_span;

/// Idle caches, linked through pool_next; guarded by pool_lock.
MCache* cache_pool = nullptr;
std::mutex pool_lock;

/// Every cache ever made, linked through all_next; guarded by pool_lock.
/// Caches are never freed.
MCache* all_caches = nullptr;

/// Makes a cache and links it into all_caches.
MCache* make_cache() {
  auto* c = new MCache();
  std::lock_guard<std::mutex> guard(pool_lock);
  c->all_next = all_caches;
  all_caches = c;
  return c;
}

/// The shared cache for threads without a P, and its lock.
MCache* fallback_cache = nullptr;
std::mutex fallback_lock;

/// Gives a destroyed P's cache back: its spans to their mcentrals, itself to
/// the idle pool (mirrors freemcache).
void free_cache(MCache* c) {
  c->release_all();
  std::lock_guard<std::mutex> guard(pool_lock);
  c->pool_next = cache_pool;
  cache_pool = c;
}

/// Returns an idle cache from the pool or a new one (mirrors allocmcache).
MCache* new_cache() {
  {
    std::lock_guard<std::mutex> guard(pool_lock);
    if (MCache* c = cache_pool) {
      cache_pool = c->pool_next;
      c->pool_next = nullptr;
      return c;
    }
  }
  return make_cache();
}

/// Counts the objects allocated from s while cached into the heap statistics.
void flush_span_counts(Span* s) {
  const uint64_t allocated = s->alloc_count - s->alloc_count_at_cache;
  if (allocated == 0) return;
  heap_stats().mallocs.fetch_add(allocated, std::memory_order_relaxed);
  heap_stats().alloc_bytes.fetch_add(allocated * s->elemsize, std::memory_order_relaxed);
  s->alloc_count_at_cache = s->alloc_count;
}

}  // namespace

// mirrors allocmcache's c.nextSample = nextSample()
MCache::MCache() {
  for (auto& s : alloc) s = &empty_span;
  sample_generation = detail::sample_rate_generation();
  for (auto& left : sample_left) left = runtime::next_sample();
}

// mirrors mcache.nextFree in malloc.go
uintptr_t MCache::next_free(SpanClass spc, Span*& span, bool& refilled) {
  Span* s = alloc[spc.value];
  uint32_t index = s->next_free_index();
  if (index == s->nelems) {
    refilled = true;
    refill(spc);
    s = alloc[spc.value];
    index = s->next_free_index();
    if (index == s->nelems) runtime::fatal("gc: mcentral handed out a full span");
  }
  ++s->alloc_count;
  span = s;
  return s->object_address(index);
}

// mirrors mcache.refill in mcache.go
void MCache::refill(SpanClass spc) {
  Span* old = alloc[spc.value];
  if (old != &empty_span) {
    sample_span_leaves(spc);
    flush_span_counts(old);
    central_push_swept(old);  // full: its slots are all counted already
  }
  Span* s = central_cache_span(spc);
  s->alloc_count_at_cache = s->alloc_count;
  alloc[spc.value] = s;
  sample_span_arrives(spc);
  // mirrors the heapLive update in mcache.refill: the free slots count as live now
  detail::heap_live.fetch_add(uint64_t{s->nelems - s->alloc_count} * s->elemsize, std::memory_order_relaxed);
}

// mirrors mcache.releaseAll in mcache.go
void MCache::release_all() {
  for (auto& s : alloc) {
    if (s == &empty_span) continue;
    sample_span_leaves(SpanClass{static_cast<uint8_t>(&s - alloc)});
    flush_span_counts(s);
    detail::heap_live.fetch_sub(uint64_t{s->nelems - s->alloc_count} * s->elemsize, std::memory_order_relaxed);
    central_push_swept(s);
    s = &empty_span;
  }
}

namespace detail {

// The collector's part of p.destroy in proc.go: the P's write-barrier buffer
// into the mark while one runs (wbBufFlush1), then its mcache (freemcache).
void destroy_p(int32_t p_id, void* cache) {
  flush_destroyed_p_mark_state(p_id);
  if (cache != nullptr) free_cache(static_cast<MCache*>(cache));
}

// mirrors getMCache in mcache.go
MCache* install_p_mcache(void** slot) {
  *slot = new_cache();
  return static_cast<MCache*>(*slot);
}

MCache* lock_fallback_mcache() {
  check_foreign_allocation();
  fallback_lock.lock();
  if (fallback_cache == nullptr) fallback_cache = make_cache();
  return fallback_cache;
}

void unlock_fallback_mcache() { fallback_lock.unlock(); }

namespace {
void release_cache(void* cache, int32_t, void*) { static_cast<MCache*>(cache)->release_all(); }
}  // namespace

void flush_all_mcaches() {
  runtime::for_each_p_gc_cache(&release_cache, nullptr);
  std::lock_guard<std::mutex> guard(fallback_lock);
  if (fallback_cache != nullptr) fallback_cache->release_all();
}

}  // namespace detail

}  // namespace gort::gc
