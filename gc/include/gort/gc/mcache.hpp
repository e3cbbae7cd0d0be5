// gort/gc/mcache.hpp — the per-P allocation cache (mirrors mcache in mcache.go).
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/gc/sizeclasses.hpp>
#include <gort/runtime/internal/gc_cache.hpp>

namespace gort::gc {

struct Span;

/// One span per span class, owned by one P, allocated from without locks
/// (mirrors mcache).  Objects allocated from a cached span are counted in the heap
/// statistics when the span goes back to its mcentral (refill or release_all).
struct MCache {
  /// Bytes left to allocate before the next heap profile sample (mirrors
  /// mcache.nextSample): the fast path subtracts each object's size and takes
  /// the sample when it goes negative (profile_alloc, malloc.cpp).  Atomic only
  /// so that set_mem_profile_rate may store a fresh draw from another thread;
  /// the owner reads and writes it with relaxed loads and stores (plain moves),
  /// so such a store may be lost to a concurrent allocation, which then keeps
  /// its current distance until its next sample.
  std::atomic<int64_t> next_sample;
  /// The span allocated from for each span class; a shared empty sentinel span
  /// (never null) when none is cached, so the fast path tests only for "full".
  Span* alloc[kNumSpanClasses];
  /// Link in the pool of idle caches.
  MCache* pool_next = nullptr;
  /// Link in the list of every cache ever made (caches are never freed).
  MCache* all_next = nullptr;

  /// Sets every class to the empty sentinel.
  MCache();

  /// Returns the address of a free object of class spc and the span holding it
  /// (mirrors mcache.nextFree): from the cached span, refilling it when full
  /// (then sets refilled: the caller checks the GC trigger, as Go's shouldhelpgc).
  /// Precondition: the caller owns this cache (runs on its P, or holds the
  /// fallback lock) and does not yield until it returns.
  uintptr_t next_free(SpanClass spc, Span*& span, bool& refilled);

  /// Replaces the span of class spc by one with a free slot from the mcentral
  /// (mirrors mcache.refill), counting the new span's free slots as live for
  /// the pacer (Go's heapLive).  Same preconditions as next_free.
  void refill(SpanClass spc);

  /// Gives every cached span back to its mcentral (mirrors mcache.releaseAll),
  /// flushing the allocation counts into heap_stats() and uncounting the free
  /// slots from the pacer's live heap.  Same preconditions, or the world stopped.
  void release_all();
};

/// Runs fn(cache) with the calling P's mcache, creating it on first use (mirrors
/// getMCache); a thread without a P gets a shared fallback cache under a lock.
/// fn must not yield, park or block on a goroutine.
template <class Fn>
decltype(auto) with_current_mcache(Fn&& fn);

namespace detail {
/// Creates the mcache of the P whose slot this is (first use).
MCache* install_p_mcache(void** slot);
/// Returns the calling P's mcache, creating it on first use, or null when the
/// thread holds no P.  The result is only the caller's until it yields.
inline MCache* current_p_mcache() {
  void** slot = runtime::current_p_gc_cache_slot();
  if (slot == nullptr) return nullptr;
  if (__builtin_expect(*slot == nullptr, 0)) return install_p_mcache(slot);
  return static_cast<MCache*>(*slot);
}
/// Takes a heap profile sample of the object at obj (mirrors profilealloc):
/// draws c's next sample distance and records the allocation with the stack
/// outward from caller_pc (allocate_object's return address).  Out of line:
/// the fast path only calls it when c.next_sample went negative.
/// Precondition: the caller owns c and s holds obj.
void profile_alloc(MCache& c, Span* s, uintptr_t obj, uintptr_t caller_pc);
/// The runtime's GcHooks::mem_profile_rate_changed: every cache draws its next
/// sample at the new rate.
void mem_profile_rate_changed();
/// Locks and returns the shared cache for threads without a P.
MCache* lock_fallback_mcache();
/// Unlocks the shared cache.
void unlock_fallback_mcache();
}  // namespace detail

template <class Fn>
decltype(auto) with_current_mcache(Fn&& fn) {
  if (MCache* c = detail::current_p_mcache()) return fn(*c);
  struct Unlock {
    ~Unlock() { detail::unlock_fallback_mcache(); }
  } unlock;
  return fn(*detail::lock_fallback_mcache());
}

}  // namespace gort::gc
