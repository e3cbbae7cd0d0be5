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
  /// The span allocated from for each span class; a shared empty sentinel span
  /// (never null) when none is cached, so the fast path tests only for "full".
  Span* alloc[kNumSpanClasses];
  /// Link in the pool of idle caches.
  MCache* pool_next = nullptr;
  /// Link in the list of every cache ever made (caches are never freed).
  MCache* all_next = nullptr;
  /// Bytes of each span class left to allocate before its next heap profile
  /// sample, not counting what the fast path allocated from the cached span
  /// since its sample_mark (mirrors mcache.nextSample, kept per class so that
  /// the sample point becomes the span's sample_limit: mcache_sample.cpp).
  /// Large objects count in the entries of class 0.
  int64_t sample_left[kNumSpanClasses];
  /// The memory profile rate's generation the countdowns were drawn at: when
  /// set_mem_profile_rate moved it on, the next slow path redraws them all.
  uint32_t sample_generation;

  /// Sets every class to the empty sentinel and draws every class's first sample distance.
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

  /// Counts the object at obj, just allocated from span s of class spc by the
  /// slow path, toward the heap profile's next sample of its class, with what
  /// the fast path allocated from s before it; takes the sample when it is due
  /// (mirrors the MemProfileRate block of mallocgc) and moves s's sample_limit
  /// to the next one.  Precondition: s is alloc[spc] (a small object) or a
  /// large span of class spc; the caller owns this cache.
  void count_sample(SpanClass spc, Span* s, uintptr_t obj, uintptr_t caller_pc);

  /// Redraws every countdown when the memory profile rate changed since they
  /// were drawn, and arms the cached spans' sample limits again; returns true
  /// when it did.  Precondition: the caller owns this cache, or has stopped the world.
  bool sync_sample_generation();

 private:
  /// Counts the fast path's allocations from alloc[spc] since its sample_mark
  /// into sample_left[spc].  Caller owns this cache.
  void settle_sample(SpanClass spc);
  /// Sets alloc[spc]'s sample_limit to the slot where sample_left[spc] runs
  /// out (nelems when it lies beyond the span).  Caller owns this cache.
  void arm_sample_limit(SpanClass spc);
  /// alloc[spc] was just cached: marks its allocation count and arms its
  /// sample_limit.  Caller owns this cache.
  void sample_span_arrives(SpanClass spc);
  /// alloc[spc] is about to leave the cache: counts its allocations into
  /// sample_left[spc] and gives it back its sample_limit of nelems.  Caller
  /// owns this cache.
  void sample_span_leaves(SpanClass spc);
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
/// Records a heap profile sample of the object at obj (mirrors profilealloc):
/// the allocation with the stack outward from caller_pc (allocate_object's
/// return address) in the runtime's heap profile, and the object's bucket in a
/// ProfileSpecial on s.  Nothing when the rate is 0 by now.
/// Precondition: the caller owns s (its mcache's, or a large span not yet swept) and s holds obj.
void profile_alloc(Span* s, uintptr_t obj, uintptr_t caller_pc);
/// The runtime's GcHooks::mem_profile_rate_changed: moves the rate's
/// generation on, so every cache redraws its countdowns at its next slow path,
/// and from a goroutine with a P stops the world to redraw every P's cache at
/// once.  Any thread holding no runtime lock.
void mem_profile_rate_changed();
/// The memory profile rate's generation: set_mem_profile_rate moves it on
/// (mcache_sample.cpp).  Read through sample_rate_generation().
extern std::atomic<uint32_t> sample_rate_generation_counter;
/// The memory profile rate's current generation (MCache::sample_generation).  Any thread.
inline uint32_t sample_rate_generation() { return sample_rate_generation_counter.load(std::memory_order_acquire); }
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
