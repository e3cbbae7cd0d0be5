// gort/runtime/internal/gc_cache.hpp — the per-P slot the garbage collector keeps its
// allocation cache in (Go's p.mcache in runtime2.go).
//
// Go gives every P an mcache so that allocation on a P needs no lock: only the
// goroutine running on that P touches it.  The runtime does not know what the
// cache is; it only stores one opaque pointer per P, hands the running P's slot
// to gc/, and calls gc/ back (GcHooks::destroy_p, hooks.hpp) whenever it destroys a P — one that procresize
// retires when GOMAXPROCS shrinks, and every P at teardown — so the collector
// takes back what that P held (Go's p.destroy calls wbBufFlush1 and freemcache).
// A P beyond GOMAXPROCS therefore never holds a cache.
#pragma once

#include <cstdint>

namespace gort::runtime {

/// Returns the GC cache slot of the P the caller runs on, or nullptr when the
/// calling thread holds no P (a thread outside the runtime, or an M in a blocking
/// call).  The slot stays the caller's only while it does not yield: read and
/// use it without parking, yielding or taking a lock that can park.
void** current_p_gc_cache_slot();

}  // namespace gort::runtime
