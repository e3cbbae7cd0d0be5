// p.hpp — the processor record (mirrors type p in runtime2.go).
//
// A P is the right to run goroutines: GOMAXPROCS of them exist, an M must hold
// one to run a G, and each carries the per-P caches that make the common paths
// lock-free: the local run queue and runnext, the free-G cache and a goid batch.
#pragma once

#include <atomic>
#include <cstdint>

#include <vector>

#include <gort/runtime/internal/sudog.hpp>
#include <gort/runtime/internal/timer.hpp>

#include "g.hpp"
#include "lock_futex.hpp"
#include "runq.hpp"
#include "stack.hpp"

namespace gort::runtime {

struct M;

/// P states with Go's values (_Pidle ... _Pdead).
enum class PStatus : uint32_t { Idle = 0, Running = 1, Syscall = 2, GCStop = 3, Dead = 4 };

/// Free stacks cached per P; half move to the global list when full (like the
/// G cache, sized so a burst of exits does not touch the global lock).
inline constexpr int32_t kStackCacheMax = 32;

/// Free sudogs cached per P (Go's cap(pp.sudogcache) = 128): enough for a
/// select over many channels or a burst of blocking operations without
/// touching the central list; half move there when full (sudog.cpp).
inline constexpr int32_t kSudogCacheMax = 128;

struct P {
  /// Index in allp.
  int32_t id = 0;
  /// Current state; read by sysmon, stop-the-world and thieves.
  std::atomic<PStatus> status{PStatus::Idle};
  /// Link in sched.pidle.
  P* link = nullptr;
  /// Incremented on every schedule that does not inherit a time slice; sysmon
  /// preempts a P whose schedtick has not moved for 10 ms.
  std::atomic<uint32_t> schedtick{0};
  /// The M holding this P (null when idle or lent out during a blocking call).
  M* m = nullptr;
  /// Incremented on every blocking call entered on this P; sysmon retakes a P
  /// whose syscalltick has not moved for one sysmon tick (~20 µs).
  std::atomic<uint32_t> syscalltick{0};
  /// Set by sysmon (time slice used up) or stop-the-world: the goroutine running
  /// on this P yields at its next safe point.  Cleared when a G starts running.
  std::atomic<bool> preempt{false};
  /// Local run queue (256 slots, lock-free for thieves) and runnext: a G readied
  /// by the running G runs next, inheriting the time slice (runq.hpp).
  LocalRunQueue runq;
  std::atomic<G*> runnext{nullptr};
  /// Dead Gs cached for reuse, without stacks (goexit returns the stack to
  /// stack_cache first); at most kGFreeMax.
  GList gfree;
  int32_t gfree_n = 0;
  /// Free stacks (stack.hpp): LIFO, so the next goroutine to start runs on
  /// the stack the last one left, still in cache.  At most kStackCacheMax.
  StackSlot stack_cache[kStackCacheMax];
  int32_t nstack_cache = 0;
  /// Free sudogs for channel waits (sudog.cpp): a stack of nsudogcache.
  Sudog* sudogcache[kSudogCacheMax];
  int32_t nsudogcache = 0;
  /// Batch of goroutine ids reserved from sched.goidgen: [goidcache, goidcacheend).
  uint64_t goidcache = 0;
  uint64_t goidcacheend = 0;
  /// Goroutines created minus goroutines exited on this P; the sum over all Ps
  /// is num_goroutine().  Written only by the owner (no RMW), read by anyone.
  std::atomic<int64_t> gcount_delta{0};
  /// Timers armed on this P: a 4-ary min-heap on `when` under timers_lock
  /// (time.go's pp.timers), and the earliest `when` (0 = none) readable
  /// without the lock, so a schedule with no timer due costs one load.
  Lock timers_lock;
  std::vector<RuntimeTimer*> timers;
  std::atomic<int64_t> timer0_when{0};
  /// The garbage collector's allocation cache for this P (Go's p.mcache), opaque
  /// here (gort/runtime/internal/gc_cache.hpp); touched only by the goroutine running on
  /// this P, and handed to the collector's destroy hook when the P is destroyed
  /// (retired by procresize, or at teardown): null while the P is Dead.
  void* gc_cache = nullptr;
  /// Id of the M whose blocking call was last lent this P (status Syscall), for
  /// the ProcSteal event of whoever takes the P away.  Cold: kept last, out of
  /// the lines the scheduler's hot fields share.
  int64_t syscall_mid = 0;
  /// nanotime() just after that call wrote its GoSyscallBegin (0 when not
  /// traced): a steal of the P is never stamped before it (trace_proc_steal).
  /// Written by the lending M before it publishes status Syscall; read by the
  /// M whose CAS took the P from that status.
  int64_t syscall_begin_ns = 0;
};

/// Free Gs kept per P before half move to the global list (Go: 64).
inline constexpr int32_t kGFreeMax = 64;
/// Batch of goroutine ids a P reserves at a time (Go's _GoidCacheBatch = 16).
inline constexpr uint64_t kGoidCacheBatch = 16;
/// Upper bound on GOMAXPROCS (Go's _MaxGomaxprocs = 1024).
inline constexpr int32_t kMaxGomaxprocs = 1024;

/// The collector's part of destroying pp (mirrors wbBufFlush1 + freemcache in
/// p.destroy): calls the collector's GcHooks::destroy_p with pp's id
/// and GC cache, then clears the slot (gc_cache.cpp).  Precondition: nothing
/// runs on pp — procresize retiring it with the world stopped under sched.lock,
/// or teardown.
void destroy_p_gc_state(P* pp);

}  // namespace gort::runtime
