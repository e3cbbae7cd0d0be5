// mgc.hpp — one cycle, start to finish (mgc.cpp; mirrors mgc.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstdint>

namespace gort::gc::detail {

/// Why a cycle starts (mirrors gcTriggerKind).
enum class TriggerKind {
  /// heap_live reached the trigger (gcTriggerHeap).
  Heap,
  /// gc::collect asks for cycle number n (gcTriggerCycle).
  Cycle,
};

/// Starts a cycle when the trigger holds (mirrors gcStart and gcTrigger.test):
/// Heap, when heap_live is at the trigger and no cycle runs; Cycle, when
/// neither cycle n nor a later one has started (callers asking for the same n
/// share one cycle).  A concurrent cycle returns once marking runs; a
/// stop-the-world one (gcstoptheworld) when done.  Returns the number of the
/// cycle the caller may wait for (num_gc() once it ended): the one started,
/// or n when a Cycle trigger found cycle n started already; 0 when none (no
/// trigger, the program is exiting, or the caller is not a goroutine with a P
/// outside a NoCollectionScope — fatal for Cycle).
uint32_t gc_start(TriggerKind kind, uint32_t n = 0);

/// The number of the last cycle started, running or not (Go's work.cycles).
uint32_t cycles_started();

/// Parks the caller until cycle n ended (mirrors gcWaitOnMark).
void wait_for_cycle(uint32_t n);

/// Ends collection in a run whose main function has returned: starts no more
/// cycles and waits until the last started one's goroutine is done with it.
/// Precondition: called from a goroutine (the main one, at exit).  The
/// runtime's GcHooks::before_exit.
void finish_cycles_for_exit();

/// Called after an allocation that refilled a span or allocated a large object:
/// starts a cycle when heap_live reached the trigger (mirrors shouldhelpgc).
void maybe_start_gc();

/// Gives every P's mcache and the fallback cache back to the mcentrals.
/// Precondition: world stopped by the caller.
void flush_all_mcaches();

/// The runtime's GcHooks::destroy_p: the collector's part of destroying a P
/// (mirrors wbBufFlush1 + freemcache in p.destroy).  Precondition: nothing
/// runs on the P (gort/runtime/internal/gc_cache.hpp).
void destroy_p(int32_t p_id, void* cache);

/// True while this thread runs destructors for the sweeper (sweep.cpp); read
/// inline on every allocation, hence a variable rather than a function.  Safe as
/// thread-local: nothing between setting and clearing it can switch goroutines.
/// constinit: without it every reader outside sweep.cpp calls through the
/// thread-local's init wrapper check (a load, compare and branch per allocation).
extern constinit thread_local bool running_destructors;
inline bool in_sweeper_destructor() { return running_destructors; }

}  // namespace gort::gc::detail
