// gort/runtime/gc_cache.hpp — the per-P slot the garbage collector keeps its
// allocation cache in (Go's p.mcache in runtime2.go).
//
// Go gives every P an mcache so that allocation on a P needs no lock: only the
// goroutine running on that P touches it.  The runtime does not know what the
// cache is; it only stores one opaque pointer per P, hands the running P's slot
// to gc/, and gives the cache back to gc/ when the P is destroyed.
#pragma once

namespace gort::runtime {

/// Returns the GC cache slot of the P the caller runs on, or nullptr when the
/// calling thread holds no P (a thread outside the runtime, or an M in a blocking
/// call).  The slot stays the caller's only while it does not yield: read and
/// use it without parking, yielding or taking a lock that can park.
void** current_p_gc_cache_slot();

/// Registers fn, called at runtime teardown with every non-null P slot value
/// (mirrors freemcache in mcache.go, called when a P is destroyed).  Set it
/// before the first allocation; not thread-safe against a running teardown.
void set_p_gc_cache_release(void (*fn)(void* cache));

}  // namespace gort::runtime
