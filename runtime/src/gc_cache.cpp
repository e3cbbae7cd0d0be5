// gc_cache.cpp — the per-P slot for the garbage collector's allocation cache
// (Go's p.mcache; gort/runtime/gc_cache.hpp).
//
// The runtime stores the pointer and never interprets it.  The slot belongs to
// whichever goroutine runs on the P, exactly as Go's mcache does: a goroutine
// only leaves its P at a yield, park or blocking call, none of which gc/ makes
// while using the cache.  Teardown gives every cache back to gc/ through one
// registered function, so caches survive neither their P nor a runtime restart.
#include <gort/runtime/gc_cache.hpp>

#include <atomic>

#include "current.hpp"
#include "m.hpp"
#include "p.hpp"

namespace gort::runtime {

namespace {
/// The release callback; null until gc/ registers one.
std::atomic<void (*)(void*)> gc_cache_release{nullptr};
}  // namespace

void** current_p_gc_cache_slot() {
  M* mp = current_m();
  if (mp == nullptr || mp->p == nullptr) return nullptr;
  return &mp->p->gc_cache;
}

void set_p_gc_cache_release(void (*fn)(void* cache)) { gc_cache_release.store(fn, std::memory_order_release); }

void release_p_gc_cache(P* pp) {
  if (pp == nullptr || pp->gc_cache == nullptr) return;
  if (auto fn = gc_cache_release.load(std::memory_order_acquire)) fn(pp->gc_cache);
  pp->gc_cache = nullptr;
}

}  // namespace gort::runtime
