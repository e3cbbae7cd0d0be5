// gc_cache.cpp — the per-P slot for the garbage collector's allocation cache
// (Go's p.mcache; gort/runtime/internal/gc_cache.hpp).
//
// The runtime stores the pointer and never interprets it.  The slot belongs to
// whichever goroutine runs on the P, exactly as Go's mcache does: a goroutine
// only leaves its P at a yield, park or blocking call, none of which gc/ makes
// while using the cache.  Destroying a P — procresize retiring it, or teardown —
// calls gc/'s registered hook (GcHooks::destroy_p) with the P's id and cache, so caches survive
// neither their P nor a runtime restart (Go's p.destroy → freemcache).
#include <gort/runtime/internal/gc_cache.hpp>

#include <gort/runtime/internal/hooks.hpp>

#include "current.hpp"
#include "m.hpp"
#include "p.hpp"
#include "sched.hpp"

namespace gort::runtime {

// Reads the M's TLS slot directly instead of calling current_m(): this leaf
// never switches goroutines between the read and its return, and noinline keeps
// it from being inlined into a caller that does (current.hpp's rule).  Every
// managed allocation calls it, so the call it saves is ~5 instructions an object.
__attribute__((noinline)) void** current_p_gc_cache_slot() {
  M* mp = tls_current_m;
  if (mp == nullptr || mp->p == nullptr) return nullptr;
  return &mp->p->gc_cache;
}

void destroy_p_gc_state(P* pp) {
  if (pp == nullptr) return;
  if (const GcHooks* hooks = gc_hooks(); hooks != nullptr) hooks->destroy_p(pp->id, pp->gc_cache);
  pp->gc_cache = nullptr;
}

}  // namespace gort::runtime
