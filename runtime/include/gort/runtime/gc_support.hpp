// gort/runtime/gc_support.hpp — what the garbage collector needs from the
// scheduler: stopping the world, the goroutines' stacks, the Ps' caches, idle
// time, the clock and the GODEBUG settings (Go's collector reaches into the
// same runtime state directly: stopTheWorldGC, allgs, allp, findRunnableGCWorker).
//
// The runtime knows nothing of the heap; gc/ calls these and registers one
// hook (idle work).  Every function here is lock-free for the caller unless
// it says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gort::runtime {

/// Stops every goroutine but the caller at a safe point (mirrors stopTheWorldGC).
/// Precondition: called from a goroutine that holds a P and no runtime lock.
void stop_the_world_gc();

/// Restarts the world stopped by stop_the_world_gc (mirrors startTheWorldGC).
/// Precondition: the caller stopped it.
void start_the_world_gc();

/// True when the caller is a goroutine holding a P (it may stop the world).
bool on_goroutine_with_p();

/// A memory range of a goroutine that may hold pointers: [lo, hi).
using RootRangeFn = void (*)(const void* lo, const void* hi, void* arg);

/// Calls fn for every memory range of every goroutine but the caller that may
/// hold pointers into the heap (mirrors the stack roots of markroot): the stack
/// from its saved stack pointer up (the saved callee-saved registers are there:
/// jump_fcontext and the preemption trampoline push them, entersyscall spills
/// them), and the closure of its `go` call.  Returns the stack bytes reported.
/// Precondition: the world is stopped by the caller.  Takes allglock.
std::size_t for_each_goroutine_root_range(RootRangeFn fn, void* arg);

/// Returns one past the highest byte of the calling goroutine's stack, or null
/// when the caller is not a goroutine.
const void* current_goroutine_stack_hi();

/// Calls fn(cache) for every P's non-null GC cache (Go's p.mcache) and the
/// P's id.  Precondition: the world is stopped by the caller.
void for_each_p_gc_cache(void (*fn)(void* cache, int32_t p_id, void* arg), void* arg);

/// Returns the id of the P the caller runs on, or -1 without a P (park.hpp's
/// current_p_id requires a P).  Valid only
/// until the caller yields.
int32_t current_p_id_or_none();

/// Current GOMAXPROCS (0 when the runtime is not running).
int32_t gc_gomaxprocs();

/// Number of CPUs this process may run on (Go's ncpu).
int32_t gc_ncpu();

/// Registers fn, called by an M that found nothing to run, before it gives up
/// its P (Go's idle-priority GC work in findRunnable); fn returns true when it did
/// work (the M then looks for goroutines again).  fn runs on the M's scheduler
/// stack holding a P: it must not park, yield or allocate from the managed heap.
void set_idle_work_hook(bool (*fn)());

/// Nanoseconds on the monotonic clock (Go's nanotime).
int64_t gc_nanotime();

/// nanotime() when the running runtime started (Go's runtimeInitTime), or 0.
int64_t runtime_init_nanotime();

/// GODEBUG settings that concern the collector, as parsed at start.
struct GcDebugSettings {
  /// gctrace=N: print one line per cycle when > 0.
  int32_t gctrace = 0;
  /// gccheckmark=1: verify each mark with a second stop-the-world mark.
  int32_t gccheckmark = 0;
  /// gcstoptheworld=1: mark with the world stopped; 2: sweep too.
  int32_t gcstoptheworld = 0;
};

/// Returns the collector's GODEBUG settings (zero before the runtime started).
GcDebugSettings gc_debug_settings();

/// Goroutine stack memory (Go's StackInuse and StackSys).
struct StackMemory {
  /// Bytes of stack slots bound to goroutines.
  uint64_t inuse_bytes = 0;
  /// Bytes of address space reserved for stacks.
  uint64_t sys_bytes = 0;
};

/// Reads the stack memory counters.
StackMemory read_stack_memory();

}  // namespace gort::runtime
