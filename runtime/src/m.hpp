// m.hpp — the machine (OS thread) record (mirrors type m in runtime2.go).
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "eh_globals.hpp"
#include "g.hpp"
#include "note.hpp"

namespace gort::runtime {

struct P;

/// Frames kept of the last throw (Go prints up to 100; 64 covers real panics).
inline constexpr int kThrowTraceDepth = 64;

/// Frames kept of the stack that created an M (Go's len(m.createstack)).
inline constexpr int kCreateStackDepth = 32;

struct M {
  /// Sequential id (m0 is 0), as Go numbers Ms.
  int64_t id = 0;
  /// Scheduler context on the thread's own stack; find_runnable and every
  /// blocking step of the scheduler run here, never on a goroutine's stack.
  G g0;
  /// The goroutine running on this M, or null while on g0.
  G* curg = nullptr;
  /// The P held while running Go code; null when idle or in a blocking call.
  P* p = nullptr;
  /// The P handed to this M by startm/startlockedm, taken at wakeup.
  P* nextp = nullptr;
  /// The P held before entering a blocking call (re-acquired on return if free).
  P* oldp = nullptr;
  /// True while looking for work to steal (counted in sched.nmspinning).
  bool spinning = false;
  /// Runtime locks held (gort/runtime/internal/lock.hpp); async preemption is refused while non-zero.
  int32_t locks = 0;
  /// Odd while the M is between deciding whether to trace a goroutine's way
  /// out of a blocking call and making the status change it traces (mirrors
  /// mp.trace.seqlock of traceAcquire/traceRelease): trace::start waits for
  /// it to be even before its snapshot reads goroutine states.
  std::atomic<uint32_t> trace_seq{0};
  /// Where the M sleeps when it has nothing to do (stopm).
  Note park;
  /// Link in sched.midle.
  M* schedlink = nullptr;
  /// Link in the list of all Ms (never unlinked while the runtime runs).
  M* alllink = nullptr;
  /// A G a goroutine leaving through g0 already took from a queue, for g0 to
  /// run (or hand to its locked M); nextg_inherit: it came from runnext.
  G* nextg = nullptr;
  bool nextg_inherit = false;
  /// The goroutine wired to this M by lock_os_thread, or null.
  G* lockedg = nullptr;
  /// Set when the thread must exit after its locked goroutine exited.
  bool exiting = false;
  /// True for the thread that called gort::run.
  bool is_m0 = false;
  /// Linux thread id (for tgkill and dumps).
  int32_t procid = 0;
  /// Per-M xorshift state for stealing order and randomisation (Go's fastrand).
  uint64_t fastrand_state = 0;
  /// Return addresses saved by the last C++ throw on this thread and the
  /// goroutine that threw (throw_trace.cpp), for the panic traceback.
  void* throw_pcs[kThrowTraceDepth] = {};
  int throw_npcs = 0;
  int64_t throw_goid = 0;
  /// Set by the preemption signal handler when it redirected this thread's
  /// goroutine into the preemption trampoline; cleared when that runs.
  bool async_preempt_pending = false;
  /// This thread's C++ exception state, swapped at every goroutine switch.
  EhGlobals* eh = nullptr;
  /// Alternate signal stack of this thread (crash.cpp) and its size.
  void* sigstack = nullptr;
  std::size_t sigstack_size = 0;
  /// Return addresses of the stack that created this M (Go's mp.createstack,
  /// the threadcreate profile); none for m0.
  uintptr_t createstack[kCreateStackDepth] = {};
  int ncreatestack = 0;
  /// The CPU profiling rate this M's timer runs at, and the timer itself
  /// (mirrors mp.profilehz, profileTimer and profileTimerValid): written only by
  /// this thread; profile_timer_valid is read by its SIGPROF handler.
  int32_t profilehz = 0;
  void* profile_timer = nullptr;
  std::atomic<bool> profile_timer_valid{false};
  /// The OS thread; empty for m0.
  std::thread thread;
  /// Set once the thread has left its scheduler loop for good.
  std::atomic<bool> done{false};
};

/// Returns a pseudo-random 32-bit value from mp's state (mirrors fastrand).
inline uint32_t fastrand(M* mp) {
  uint64_t x = mp->fastrand_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  mp->fastrand_state = x;
  return static_cast<uint32_t>(x >> 32);
}

/// Returns a value in [0, n) (mirrors fastrandn).
inline uint32_t fastrandn(M* mp, uint32_t n) {
  return static_cast<uint32_t>((uint64_t(fastrand(mp)) * n) >> 32);
}

}  // namespace gort::runtime
