// sched.hpp — the scheduler's global state (mirrors schedt and allp in runtime2.go)
// and what acts on Ms and Ps, shared across the runtime's files.
//
// The rule between proc.hpp and sched.hpp (written at the top of both):
//   proc.hpp   the life of one goroutine: its record (allg.cpp, the sudogs it
//              waits with), its creation and first run (newproc.cpp), the
//              switch handoff that starts and resumes it, the calls a running
//              goroutine makes on itself (yield, exit), and the teardown of
//              those records;
//   sched.hpp  the scheduler's shared state (schedt, allp) and everything that
//              acts on Ms and Ps: waking, starting and stopping Ms, the idle
//              lists, handing Ps off, stopping the world, preemption requests,
//              sysmon, the Ps' timers, checkdead.
// A declaration goes where the thing it acts on is: a G there, an M or a P here.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime/internal/hooks.hpp>
#include <gort/runtime/internal/stw_reason.hpp>

#include "g.hpp"
#include "lock_futex.hpp"
#include "m.hpp"
#include "note.hpp"
#include "p.hpp"

namespace gort::runtime {

struct Sched {
  /// Protects the idle M and P lists, the global run queue and stop-the-world.
  Lock lock;

  /// Idle Ms waiting in stopm, and their count.
  M* midle = nullptr;
  int32_t nmidle = 0;
  /// Next M id (m0 is 0).
  int64_t mnext = 0;
  /// Ms whose threads run (created minus exited), and locked Ms sleeping until
  /// their goroutine is runnable (stoplockedm): checkdead's bookkeeping.
  int32_t mcount = 0;
  int32_t nmidlelocked = 0;
  /// Every M ever created during this run (for joins at exit and dumps).
  M* allm = nullptr;

  /// Idle Ps and their count (read without the lock by wakep and thieves).
  P* pidle = nullptr;
  std::atomic<int32_t> npidle{0};
  /// Ms spinning for work; at most one is woken while none spins (wakep).
  std::atomic<int32_t> nmspinning{0};

  /// Global run queue (see runq.hpp) and its length (read without the lock).
  GQueue runq;
  std::atomic<int32_t> runqsize{0};

  /// Dead Gs beyond the per-P caches.  Protected by gflock, not lock.
  Lock gflock;
  GList gfree;
  std::atomic<int32_t> ngfree{0};

  /// Source of goroutine-id batches.
  std::atomic<uint64_t> goidgen{0};
  /// Created-minus-exited goroutines of Ps that no longer exist, and of Gs
  /// created outside any P (the main goroutine).
  std::atomic<int64_t> gcount_base{0};

  /// True while the collector marks concurrently (set and cleared with the
  /// world stopped): goroutine switches then pass through g0, where mark
  /// workers run and resumed goroutines get their stacks scanned first.
  std::atomic<bool> gc_marking{false};

  /// Stop-the-world: Ps must stop at their next safe point while gcwaiting.
  std::atomic<bool> gcwaiting{false};
  int32_t stopwait = 0;
  Note stopnote;

  /// nanotime() of the last network poll, 0 while an M blocks in the poller
  /// (Go's sched.lastpoll): at most one M blocks there, until the next timer.
  std::atomic<int64_t> lastpoll{0};
  /// When the M blocked in the poller wakes by itself, 0 for never or none
  /// (Go's sched.pollUntil); an earlier timer breaks its wait.
  std::atomic<int64_t> poll_until{0};

  /// Set when the main goroutine returned: Ms leave their scheduler loops.
  std::atomic<bool> shutdown{false};
  /// Set when the main goroutine starts (Go's mainStarted): until then a new
  /// goroutine wakes no M, so goroutine 1 is taken from P 0 by m0 itself and
  /// not stolen by an M that a `go` woke while m0 was still on its way to the
  /// scheduler — a program that locks main to its thread gets the thread that
  /// called gort::run, as Go's main gets m0.
  std::atomic<bool> main_started{false};
  /// The CPU profiling rate every M's timer should run at, 0 when off; an M
  /// re-arms its timer when it sees a change (execute_prep; cpuprof.cpp).
  std::atomic<int32_t> profilehz{0};

  /// All Gs ever created during this run, linked through alllink (allgs).
  Lock allglock;
  G* allg = nullptr;
  std::atomic<int64_t> allglen{0};
};

extern Sched sched;

/// nanotime() at the start of the running runtime (Go's runtimeInitTime); 0 when
/// not running (gc_support.cpp).
extern std::atomic<int64_t> runtime_init_ns;
/// The collector's hooks (gort/runtime/internal/hooks.hpp register_gc_hooks), or null
/// when no collector is linked in (gc_support.cpp).
extern std::atomic<const GcHooks*> registered_gc_hooks;
inline const GcHooks* gc_hooks() { return registered_gc_hooks.load(std::memory_order_acquire); }

/// allp[0..gomaxprocs) are the live Ps; Ps beyond stay allocated (Dead) for reuse.
extern std::atomic<P*> allp[kMaxGomaxprocs];
/// Current GOMAXPROCS.
int32_t gomaxprocs();
void set_gomaxprocs_value(int32_t n);

/// The P of the calling thread's M (null outside the runtime or without a P).
P* current_p();

// ---- proc.cpp and mproc.cpp: Ms and Ps ----

/// Wakes an idle P with a spinning M if none spins (mirrors wakep).
void wakep();
/// Starts an M to run pp (or any idle P when pp is null) (mirrors startm).
void startm(P* pp, bool spinning);
/// Gives pp away when its M blocks or stops (mirrors handoffp).  Caller does
/// not hold sched.lock.
void handoffp(P* pp);
/// Makes sure some M wakes for a timer at `when`: breaks the poller's wait if
/// it would sleep past it, or wakes a P when no M polls (mirrors
/// wakeNetPoller, timers.cpp).  Caller holds no timer or scheduler lock.
void wake_for_timer(int64_t when);
/// Binds pp to the calling M / unbinds it (mirrors acquirep/releasep).
void acquirep(P* pp);
P* releasep();
/// Idle P list; caller holds sched.lock (mirrors pidleput/pidleget).
void pidleput(P* pp);
P* pidleget();
/// pidleput without the empty-queue check, for shutdown (queued work is abandoned).
void pidleput_unchecked(P* pp);
/// Idle M list; caller holds sched.lock.
void mput(M* mp);
M* mget();
/// Puts the calling M to sleep until it is handed a P (mirrors stopm); returns
/// false when the runtime is shutting down instead.
bool stopm();
/// The scheduler loop of an M, on its g0; returns at shutdown.
void schedule_loop();
/// Creates an M running the scheduler with pp as its first P.
void newm(P* pp, bool spinning);
/// Asks the goroutine running on pp to yield at its next safe point.
void preemptone(P* pp);
/// Asks every running goroutine to yield at its next safe point (mirrors preemptall).
void preemptall();
/// exitsyscall's slow path: queue the calling goroutine (status Syscall) globally
/// and stop this M until a P is free; returns once the goroutine runs again.
void exitsyscall_wait_for_p(M* mp);

/// Asynchronous preemption (preempt.cpp): installs the SIGURG handler once;
/// signals pp's M if its goroutine is in an AsyncPreemptible region.
void async_preempt_init();
void preempt_async(P* pp);
/// Number of times a goroutine entered the preemption trampoline.
uint64_t async_preemptions();

/// Held by a goroutine that stops the world for GOMAXPROCS or the collector, so
/// two stops never overlap (Go's worldsema); 1 = free.
extern std::atomic<uint32_t> worldsema;
/// Stops every P but the caller's at a safe point (mirrors stopTheWorldWithSema);
/// returns false if deadline_ns >= 0 passed first (the world is then restarted).
bool stop_the_world(StwReason reason, int64_t deadline_ns = -1);
/// Resizes the P set to newprocs (when > 0) and restarts the world.
void start_the_world(int32_t newprocs = 0);
/// Resizes allp (mirrors procresize); caller holds sched.lock with the world stopped;
/// returns the Ps that have local work, linked through link.
P* procresize(int32_t nprocs);

/// sysmon: starts/stops the monitor thread (sysmon.cpp).
void sysmon_start();
void sysmon_stop();
/// Wakes sysmon from its idle sleep when work resumes.
void sysmon_wake();
/// Wakes sysmon from a backed-off sleep or its all-Ps-idle sleep (a blocking
/// call needs watching).
void sysmon_kick();

// ---- timers.cpp ----
/// Runs pp's expired timers (mirrors checkTimers); returns how many ran.
/// Precondition: the calling M holds M.locks > 0 (no preemption inside).
int check_timers(P* pp, int64_t now);
/// True if pp has a timer that is due at now.
inline bool timers_due(P* pp, int64_t now) {
  const int64_t w = pp->timer0_when.load(std::memory_order_acquire);
  return w != 0 && w <= now;
}
/// Earliest timer over all Ps, 0 if none (mirrors timeSleepUntil).
int64_t next_timer_when();
/// Moves every timer of `from` to `to` (procresize, mirrors moveTimers).
/// Precondition: the world is stopped.
void move_timers(P* from, P* to);
/// Drops every armed timer (teardown).
void timers_clear_all();

/// Prints one GODEBUG=schedtrace report (schedtrace.cpp); start_ns is when the
/// runtime started.
void schedtrace(bool detailed, int64_t start_ns, bool sysmon_waiting);
/// How many schedtrace reports this process has printed; lets a test program
/// run until reports were made instead of for a guessed time.  Lock-free.
uint64_t schedtrace_reports();

/// Declares a deadlock if no goroutine can ever run again (mirrors checkdead):
/// no M running, no goroutine runnable, no timer pending.  Caller holds sched.lock.
void checkdead();

}  // namespace gort::runtime
