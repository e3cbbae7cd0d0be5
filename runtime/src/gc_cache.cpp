// gc_cache.cpp — the per-P slot for the garbage collector's allocation cache
// (Go's p.mcache; gort/runtime/gc_cache.hpp).
//
// The runtime stores the pointer and never interprets it.  The slot belongs to
// whichever goroutine runs on the P, exactly as Go's mcache does: a goroutine
// only leaves its P at a yield, park or blocking call, none of which gc/ makes
// while using the cache.  Destroying a P — procresize retiring it, or teardown —
// calls gc/'s registered hook with the P's id and cache, so caches survive
// neither their P nor a runtime restart (Go's p.destroy → freemcache).
#include <gort/runtime/gc_cache.hpp>

#include <atomic>

#include "current.hpp"
#include "m.hpp"
#include "p.hpp"

namespace gort::runtime {

namespace {
/// The collector's destroy hook; null until gc/ registers one.
std::atomic<void (*)(int32_t, void*)> p_destroy_hook{nullptr};
}  // namespace

void** current_p_gc_cache_slot() {
  M* mp = current_m();
  if (mp == nullptr || mp->p == nullptr) return nullptr;
  return &mp->p->gc_cache;
}

void set_p_destroy_hook(void (*fn)(int32_t p_id, void* cache)) { p_destroy_hook.store(fn, std::memory_order_release); }

void destroy_p_gc_state(P* pp) {
  if (pp == nullptr) return;
  if (auto fn = p_destroy_hook.load(std::memory_order_acquire)) fn(pp->id, pp->gc_cache);
  pp->gc_cache = nullptr;
}

}  // namespace gort::runtime
