// gort/runtime/internal/gc_support.hpp — what the garbage collector needs from the
// scheduler: stopping the world, the goroutines' stacks, the Ps' caches, idle
// time, the clock and the GODEBUG settings (Go's collector reaches into the
// same runtime state directly: stopTheWorldGC, allgs, allp, findRunnableGCWorker).
//
// The runtime knows nothing of the heap; gc/ calls these, and the runtime calls
// gc/ back only through the one record of hooks it registers (hooks.hpp).
// Every function here is lock-free for the caller unless it says otherwise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <gort/runtime/internal/stw_reason.hpp>

namespace gort::runtime {

/// Stops every goroutine but the caller at a safe point (mirrors stopTheWorldGC);
/// reason names the pause in execution traces.
/// Precondition: called from a goroutine that holds a P and no runtime lock.
void stop_the_world_gc(StwReason reason);

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
/// P's id.  Ps beyond GOMAXPROCS hold no cache (procresize destroyed them,
/// gc_cache.hpp), so this reaches every cached span.  Precondition: the world
/// is stopped by the caller.
void for_each_p_gc_cache(void (*fn)(void* cache, int32_t p_id, void* arg), void* arg);

/// Returns the id of the P the caller runs on, or -1 without a P (park.hpp's
/// current_p_id requires a P).  Valid only
/// until the caller yields.
int32_t current_p_id_or_none();

/// Current GOMAXPROCS (0 when the runtime is not running).
int32_t gc_gomaxprocs();

/// Number of CPUs this process may run on (Go's ncpu).
int32_t gc_ncpu();

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

/// GOGC from the environment: a percentage, or -1 for "off" (Go's readGOGC).
/// Parsed once per process, when gort::run starts or at the first call; a
/// malformed value warns on stderr and gives 100.
int32_t env_gogc();

/// GOMEMLIMIT from the environment in bytes, INT64_MAX for "off" or unset (Go's
/// readGOMEMLIMIT).  Parsed with env_gogc; a malformed value is fatal (exit 2), as in Go.
int64_t env_memory_limit();

/// Parses a byte count in GOMEMLIMIT's syntax ("512MiB", "1GiB", "1048576",
/// "64B", or "off" = INT64_MAX); nullopt when malformed or over INT64_MAX
/// (mirrors parseByteCount in runtime/string.go).
std::optional<int64_t> parse_byte_count(std::string_view s);

// ---- concurrent mark (gc_stack_scan.cpp) ----

/// Starts a mark phase: every goroutine alive now must have its stack scanned
/// once before the mark ends; goroutines created from now on count as scanned,
/// their `go` closures shaded at creation (Go's gcMarkRootPrepare over allgs).
/// Zeroes every goroutine's assist credit and sets the scheduler's marking
/// mode.  Precondition: world stopped by the caller.
void begin_stack_scans();

/// Ends the mark phase's scheduler mode.  Precondition: world stopped by the caller.
void end_stack_scans();

/// Scans up to `max` goroutines not yet scanned this cycle that are not running
/// (Go's markroot stack jobs with suspendG); asks running ones to stop at their
/// next safe point when preempt_running (they are scanned before they resume).
/// Returns the number of goroutines still unscanned.  Any thread; no locks held.
int64_t scan_pending_stacks(int max, bool preempt_running);

/// Goroutines whose stacks this mark has not scanned yet.
int64_t stacks_pending();

/// The calling goroutine's assist credit (Go's gcAssistBytes), or null when the
/// caller is not a goroutine.  Only the goroutine itself may touch it.
int64_t* current_goroutine_assist_credit();

/// True when mark work running on the calling M should stop soon: its P is
/// asked to preempt, or a stop-the-world is pending (Go's gp.preempt checks in
/// gcDrain).  Also true without a P.
bool gc_worker_should_yield();

/// True when the calling M's P has goroutines waiting in its run queue or the
/// global queue has some (Go's pollWork, checked by idle mark workers).
bool runnable_work_waiting();

/// Wakes an idle P (and an M for it) when one exists, so idle-priority mark
/// work starts (Go's wakep after gcStart / enlistWorker).
void wake_idle_p();

/// Asks every running goroutine to stop at its next safe point (Go's preemptall).
void preempt_all_goroutines();

/// Yields the P to the goroutine the caller just readied or started (it sits in
/// the P's runnext): the caller goes to the tail of its P's local run queue
/// (Go's goyield, as semrelease's handoff), not to the global queue, which
/// schedule() would look at first on one tick in 61.  No-op without a
/// goroutine or while the M holds runtime locks.
void yield_to_readied();

/// A safe point inside a long runtime operation of the calling goroutine: yields
/// if the scheduler asked it to (gort::preempt_point) and returns true if it
/// did.  Any thread may call it; without a goroutine and P it returns false.
/// The caller must hold nothing that belongs to its thread (the goroutine may
/// resume on another one).
bool yield_if_preempted();

/// Goroutine stack memory (runtime/src/stack.hpp, "Accounting").
struct StackMemory {
  /// Go's StackInuse: bytes of stack slots bound to goroutines or free with
  /// their pages (not released since their last use).
  uint64_t inuse_bytes = 0;
  /// Go's StackSys: inuse_bytes plus the Ms' signal stacks.
  uint64_t sys_bytes = 0;
  /// Bytes of address space reserved for goroutine stacks, released and never
  /// carved slots included.
  uint64_t reserved_bytes = 0;
};

/// Reads the stack memory counters.
StackMemory read_stack_memory();

/// Moves every P's cached free stacks to the stack pool (mirrors the
/// stackcache_clear that mcache.prepareForSweep runs for each P in
/// gcMarkTermination).  Precondition: the world is stopped by the caller.
void clear_stack_caches();

/// Gives the memory of every free goroutine stack in the pool back to the OS
/// (mirrors freeStackSpans in gcMarkTermination).  One madvise call per free
/// stack, so called after clear_stack_caches once the world runs again.  Any
/// thread; no runtime lock held.
void free_stack_memory();

}  // namespace gort::runtime
