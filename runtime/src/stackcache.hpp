// stackcache.hpp — the per-P cache of free goroutine stacks (mirrors stackalloc,
// stackfree, stackcacherefill, stackcacherelease and stackcache_clear in Go's
// stack.go).
//
// Two layers, as in Go: each P keeps up to kStackCacheMax free slots in
// P::stack_cache (p.hpp), used LIFO so a starting goroutine runs on the stack
// the last exited one left, still in cache; below it the stack pool (stack.hpp)
// holds the free slots of every P under one lock and carves new ones.  An empty
// cache takes half a cache's worth from the pool, a full one gives half back,
// so a burst of exits or starts does not take the pool's lock per goroutine.
// Each GC empties every cache into the pool and releases the pool's slots
// (stack.hpp, "Giving memory back"), as Go's caches are cleared at each GC.
// Only the P's owner touches its cache, so none of these takes a lock but the
// pool's.  Inline: stackalloc and stackfree are on every goroutine's first run
// and exit.
#pragma once

#include <cstddef>
#include <cstdint>

#include "g.hpp"
#include "p.hpp"
#include "stack.hpp"

namespace gort::runtime {

/// Binds a free stack to gp: the P's cache first, refilled from the pool, else a
/// new slot (mirrors stackalloc).  Precondition: the caller owns pp; gp has no stack.
inline void stackalloc(P* pp, G* gp) {
  if (pp->nstack_cache == 0) {
    pp->nstack_cache = static_cast<int32_t>(stackpool_get(pp->stack_cache, kStackCacheMax / 2));
  }
  StackSlot slot = pp->nstack_cache > 0 ? pp->stack_cache[--pp->nstack_cache] : stackpool_carve();
  gp->stack_lo = slot.lo;
  gp->stack_hi = slot.hi;
  gp->stack_guarded = slot.guarded;
}

/// Returns gp's stack to the P's cache, spilling half to the pool when full
/// (mirrors stackfree).  Precondition: the caller owns pp; nothing runs on the stack.
inline void stackfree(P* pp, G* gp) {
  if (pp->nstack_cache == kStackCacheMax) {
    const int32_t keep = kStackCacheMax / 2;
    stackpool_put(pp->stack_cache + keep, static_cast<std::size_t>(kStackCacheMax - keep));
    pp->nstack_cache = keep;
  }
  pp->stack_cache[pp->nstack_cache++] = StackSlot{gp->stack_lo, gp->stack_hi, gp->stack_guarded};
  gp->stack_lo = gp->stack_hi = nullptr;
}

/// Moves pp's cached stacks to the pool (procresize retiring pp, and every P at
/// mark termination so the GC can release them; mirrors stackcache_clear).
/// Precondition: the world is stopped.
inline void stackcache_flush(P* pp) {
  stackpool_put(pp->stack_cache, static_cast<std::size_t>(pp->nstack_cache));
  pp->nstack_cache = 0;
}

}  // namespace gort::runtime
