// proc.cpp — the goroutine scheduler (mirrors golang/go src/runtime/proc.go).
//
// The model is Go's GMP:
//   G  a goroutine: a fiber with its own stack (g.hpp, stack.hpp).
//   M  an OS thread executing Gs.  Each M has a g0 context on the thread's own
//      stack where the scheduler's blocking steps run (m.hpp).
//   P  a processor: the right to execute Gs.  GOMAXPROCS Ps exist; an M must
//      hold one to run a G.  Each P has a local run queue of 256 Gs plus a
//      runnext slot, so the common scheduling decisions take no lock (p.hpp,
//      runq.hpp).  Gs no P has are on the global run queue under sched.lock.
//
// Finding work (find_runnable, mirrors findrunnable): every 61st tick one G from
// the global queue (fairness), then runnext and the local ring, then a batch
// from the global queue, then stealing: 4 passes over all Ps in a random order
// generated from a random start and a stride coprime with GOMAXPROCS (every P
// visited once per pass, a different order each time), taking half of a
// victim's ring; runnext is stolen only on the last pass, which also runs the
// victims' expired timers (as Go's stealWork does).  The P's own expired timers
// run before the pick (run_own_timers, Go's checkTimers).  Before stealing it
// polls the network without blocking while goroutines wait on it.  An M that
// finds nothing gives its P back, re-checks, and sleeps (stopm), except one:
// it blocks in the network poller until the earliest timer (netpoll.cpp).
//
// Spinning Ms (mirrors wakep/resetspinning).  An M looking for work without
// having found any is "spinning".  When work appears (go, ready, gosched) and a
// P is idle, wakep starts one M spinning unless one already spins: there is at
// most one extra spinning M while work is scarce, so idle cores are not burned.
// A `go` before the main goroutine has started wakes no one (Go's mainStarted):
// m0 is on its way to the scheduler and runs goroutine 1 itself (run.cpp).
// A spinning M that finds work stops spinning and, if it was the last spinner,
// wakes another to look for the rest.  An M that stops spinning without work
// re-checks every run queue after decrementing nmspinning, because a producer
// that saw nmspinning > 0 did not wake anyone: no wakeup is lost.
//
// Switching (the handoff).  Go leaves a goroutine through mcall: switch to g0,
// then on g0 record the G's new state (park_m, goschedImpl, goexit0) and call
// schedule.  The state change must happen only after the G's registers are
// saved, or another M could resume the G on the stack we are still running on.
// gort keeps that rule but saves a switch: the leaving goroutine builds a
// Handoff record on its own stack and, if the next G is at hand (runnext, local
// ring, global queue), switches straight to it; whoever runs first on the M
// after the switch (the next G, or g0) completes the Handoff before anything
// else: saves the old context handle, then parks/requeues/frees the old G
// (complete_handoff).  Only when no G is at hand, or the M must block (stop the
// world, locked threads, shutdown), does the goroutine switch to g0, which
// completes the Handoff and runs the full find_runnable.  One fcontext jump per
// goroutine switch instead of Go's two.
//   Rejected: running find_runnable entirely on the goroutine's stack — it can
//   block the thread, and a parked G's stack may be resumed elsewhere meanwhile.
//   Rejected: a lock per G to make state changes before the switch safe — the
//   handoff makes them safe without any lock.
//
// Safe points.  sysmon sets P.preempt when a G has run 10 ms without a
// schedule tick (a G taken from runnext inherits its predecessor's slice, so a
// ping-pong pair is caught too), and stop-the-world sets it on every P.  The G
// yields at its next safe point: preempt_point(), go, ready, gosched, and any
// runtime call that can block.  Safe points are refused while the M holds
// runtime locks (M.locks), including while a handoff is being completed.
//
// Locked threads (lock_os_thread, mirrors startlockedm/stoplockedm): a locked G
// runs only on its M.  When another M picks it, that M hands its P to the
// locked M and sleeps; when the locked G leaves, its M hands its P away and
// sleeps until the G is runnable again.  Locked Gs always leave through g0, and
// every way one becomes runnable ends with it running on its own M:
//   - readied (channels, semaphores, timers) or preempted: it is queued like
//     any G, locally or globally; the M that picks it runs startlockedm.
//   - runnable again before its M slept — back from a blocking call with an
//     idle P found on the way to g0 (exitsyscall0): the handoff leaves it in
//     its own M's nextg and schedule runs it at once, never through
//     stoplockedm, which would sleep with the G in hand.
//   - its blocking call's P retaken (sysmon, stop-the-world): it returns as
//     any G does, on its own thread, with an idle P or through the global
//     queue and stoplockedm (syscall.cpp).
//   - stop-the-world: its M in stoplockedm hands the P on with handoffp, which
//     stops it for the stopper; procresize moves the queues of retired Ps,
//     locked Gs included, to the global queue, and start_the_world wakes Ms
//     for them.  A locked G that itself stops the world keeps its M.
//   - exit while locked (goexit0): its M hands the P on and the thread ends
//     (Go's mexit); m0 is only unwired, as it must return from gort::run.
#include <gort/runtime.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/park.hpp>

#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "cpuprof.hpp"
#include "crash.hpp"
#include "current.hpp"
#include "gc_stack_scan.hpp"
#include "nanotime.hpp"
#include "netpoll_sched.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "stack.hpp"
#include "trace_runtime.hpp"

namespace gort::runtime {

Sched sched;
std::atomic<P*> allp[kMaxGomaxprocs];

namespace {
std::atomic<int32_t> gomaxprocs_value{0};

/// What the leaving goroutine wants done once it is off its stack.
enum class HandoffKind : uint8_t {
  Run,    // g0 starting a G: nothing to do but save g0's context
  Park,   // -> Waiting, then unlockf (park_m)
  Yield,  // -> Runnable on the global queue (goschedImpl, gopreempt_m)
  YieldLocal,  // -> Runnable at the tail of this P's ring (goyield_m)
  Exit,   // -> Dead, G cached for reuse (goexit0)
  ExitSyscall,  // back from a blocking call with no P free: -> Runnable, global queue (exitsyscall0)
};

/// Built on the leaving G's stack; valid until complete_handoff returns.
struct Handoff {
  HandoffKind kind;
  G* from;
  UnlockFn unlockf = nullptr;
  void* arg = nullptr;
  /// Yield and YieldLocal: why the goroutine stops, as the trace names it.
  TraceStopReason stop_reason = TraceStopReason::Gosched;
  /// Yield only: the M already holds sched.lock (taken to pick the next G),
  /// so the G goes onto the global queue without a second lock round trip.
  bool holds_sched_lock = false;
  /// Park only: leave() skipped this P's timers because the G still held the
  /// lock its unlockf releases; complete_handoff runs them after unlockf.
  bool timers_deferred = false;
  /// The M switching.  The context that completes the handoff runs on the same
  /// thread, so it takes the M from here instead of reading TLS again.
  M* m = nullptr;
};

/// Switches from `from` to `to` on the current M; when `from` is resumed later,
/// completes the handoff of whoever switched to it.
void switch_to(G* from, G* to, Handoff* h) {
  if (!from->stack_guarded && !from->is_g0) check_stack_canary(from);
  // The C++ exception state goes with the goroutine (eh_globals.hpp).  Nearly
  // always both sides are empty: then nothing is written, so switches do not
  // dirty the C++ runtime's thread-local line or a dying G's record.
  const EhGlobals& thread_eh = *h->m->eh;
  if (h->kind != HandoffKind::Exit) from->eh_saved = thread_eh;
  transfer_t t = fiber_switch(&from->fiber, &to->fiber, h, h->kind == HandoffKind::Exit);
  M* now = complete_handoff(t);
  EhGlobals& eh = *now->eh;
  if (eh.caught_exceptions != from->eh_saved.caught_exceptions ||
      eh.uncaught_exceptions != from->eh_saved.uncaught_exceptions) {
    eh = from->eh_saved;
  }
}

/// The part of execute (proc.go) done before the switch: gp becomes mp's running G.
/// Always inlined (into leave and execute): one call and its frame fewer on every switch.
__attribute__((always_inline)) inline void execute_prep(M* mp, G* gp, bool inherit_time) {
  P* pp = mp->p;
  check_thread_cpu_profiler(mp);
  mp->curg = gp;
  gp->m.store(mp, std::memory_order_relaxed);
  setgstatus(gp, GStatus::Runnable, GStatus::Running);
  trace_go_start(gp);
  if (sched.gc_marking.load(std::memory_order_relaxed)) scan_before_resume(gp);
  // First run: bind a stack only now.  A stack scanner that claimed gp while it
  // was Runnable is done (scan_before_resume waited for it) and any later one
  // sees it Running, so none reads the stack fields while they are written.
  if (gp->fiber.fctx == nullptr) start_fiber(pp, gp);
  pp->preempt.store(false, std::memory_order_relaxed);
  if (!inherit_time) pp->schedtick.store(pp->schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

/// Switches g0 to gp (mirrors execute).  Returns when gp's M switches back to g0.
void execute(M* mp, G* gp, bool inherit_time) {
  execute_prep(mp, gp, inherit_time);
  Handoff h{HandoffKind::Run, &mp->g0};
  h.m = mp;
  switch_to(&mp->g0, gp, &h);
}

/// The cheap part of find_runnable, safe on a goroutine's stack: never blocks.
/// locked: the caller already holds sched.lock.  Always inlined (into leave and
/// find_runnable): one call and its frame fewer on every switch.
__attribute__((always_inline)) inline G* pick_fast(P* pp, bool* inherit_time, bool locked) {
  *inherit_time = false;
  auto global = [&](int32_t max) {
    if (locked) return globrunqget(pp, max);
    LockGuard g(sched.lock);
    return globrunqget(pp, max);
  };
  if (pp->schedtick.load(std::memory_order_relaxed) % 61 == 0 &&
      sched.runqsize.load(std::memory_order_relaxed) > 0) {
    if (G* gp = global(1)) return gp;
  }
  if (G* gp = runqget(pp, inherit_time)) return gp;
  if (sched.runqsize.load(std::memory_order_relaxed) > 0) return global(0);
  return nullptr;
}

/// run_own_timers' work once the P has a timer: out of line, so every switch
/// that finds none pays one load and one branch, not a call.
__attribute__((noinline)) void run_own_timers_slow(M* mp, P* pp) {
  ++mp->locks;  // a readied goroutine must not preempt us mid-switch
  check_timers(pp, nanotime());
  --mp->locks;
}

/// Runs the expired timers of mp's P (Go's checkTimers at the top of schedule).
/// A timer readies goroutines into this P's queue, so it runs before the pick.
inline void run_own_timers(M* mp) {
  P* pp = mp->p;
  if (pp->timer0_when.load(std::memory_order_relaxed) == 0) return;
  run_own_timers_slow(mp, pp);
}

/// Records why the running goroutine leaves its M (the GoStop, GoBlock or
/// GoDestroy of the trace); before any switch, so it precedes the next GoStart.
void trace_leave(const Handoff* h) {
  if (!trace_on()) [[likely]] return;
  switch (h->kind) {
    case HandoffKind::Park: trace_go_block(h->from->waitreason); break;
    case HandoffKind::Yield:
    case HandoffKind::YieldLocal: trace_go_stop(h->stop_reason); break;
    case HandoffKind::Exit: trace_simple(Ev::GoDestroy); break;
    case HandoffKind::Run:
    case HandoffKind::ExitSyscall: break;
  }
}

/// Leaves the running goroutine as h describes: straight to the next G when one
/// is at hand, else to g0.  Returns when the goroutine is resumed (not for Exit).
void leave(M* mp, Handoff* h) {
  h->m = mp;
  G* gp = h->from;
  trace_leave(h);
  G* next = nullptr;
  bool inherit = false;
  // A goroutine parking with a lock its unlockf will release (a channel's)
  // must not run timers here: a timer's function may take that same lock
  // (after/tick send on their channel).  complete_handoff runs them instead,
  // once unlockf has released it.
  if (mp->locks == 0) {
    run_own_timers(mp);
  } else {
    h->timers_deferred = true;
  }
  // While the collector marks, every switch passes through g0: mark workers
  // run there, and the stack scan of the next G does not run on this one's.
  const bool may_switch_directly = mp->lockedg == nullptr &&
                                   !sched.gcwaiting.load(std::memory_order_relaxed) &&
                                   !sched.gc_marking.load(std::memory_order_relaxed) &&
                                   !sched.shutdown.load(std::memory_order_relaxed);
  if (may_switch_directly) {
    // A yielding G goes onto the global queue right after the switch: take
    // sched.lock once for both the pick and that put, held across the switch.
    const bool lock_once = h->kind == HandoffKind::Yield;
    if (lock_once) sched.lock.lock();
    next = pick_fast(mp->p, &inherit, lock_once);
    if (next != nullptr && next->lockedm == nullptr) {
      h->holds_sched_lock = lock_once;
      execute_prep(mp, next, inherit);
      switch_to(gp, next, h);
      return;
    }
    if (lock_once) sched.lock.unlock();
  }
  // g0 runs `next` (it may need startlockedm) or searches and blocks for work.
  mp->nextg = next;
  mp->nextg_inherit = inherit;
  mp->curg = nullptr;
  switch_to(gp, &mp->g0, h);
}

}  // namespace

/// Puts the G that left on its way: runs on the next context of the same M,
/// before anything else.  Holds M.locks so nothing here can be preempted.
M* complete_handoff(transfer_t t) {
  auto* h = static_cast<Handoff*>(t.data);
  G* gp = h->from;
  gp->fiber.fctx = t.fctx;
  M* mp = h->m;
  ++mp->locks;
  switch (h->kind) {
    case HandoffKind::Run:
      break;
    case HandoffKind::Yield:
      // mirrors goschedImpl: the G goes to the global queue, so on a busy P it
      // waits its turn behind everything else instead of behind runnext.
      gp->m.store(nullptr, std::memory_order_relaxed);
      setgstatus(gp, GStatus::Running, GStatus::Runnable);
      if (!h->holds_sched_lock) sched.lock.lock();
      globrunqput(gp);
      sched.lock.unlock();
      if (--mp->locks != 0) gothrow("schedule: holding locks");
      wakep();
      return mp;
    case HandoffKind::YieldLocal:
      // mirrors goyield_m: behind this P's queued work, not the global queue's,
      // so the G readied into runnext just before runs first on this P.
      gp->m.store(nullptr, std::memory_order_relaxed);
      setgstatus(gp, GStatus::Running, GStatus::Runnable);
      runqput(mp->p, gp, false);
      break;
    case HandoffKind::Park: {
      // mirrors park_m.  unlockf may fail (the wait condition already holds):
      // then the G is made runnable again through runnext — it runs right after
      // the G now on this M rather than instead of it.
      // Read h first: once unlockf ran, gp may run elsewhere and h (on its
      // stack) is gone.
      UnlockFn unlockf = h->unlockf;
      void* arg = h->arg;
      const bool timers_deferred = h->timers_deferred;
      gp->m.store(nullptr, std::memory_order_relaxed);
      setgstatus(gp, GStatus::Running, GStatus::Waiting);
      if (unlockf != nullptr && !unlockf(gp, arg)) {
        setgstatus(gp, GStatus::Waiting, GStatus::Runnable);
        trace_go_unblock(gp);
        runqput(mp->p, gp, true);
      }
      if (mp->locks > 1) gothrow("park: unlockf returned holding locks");
      if (timers_deferred && mp->p != nullptr) run_own_timers(mp);
      break;
    }
    case HandoffKind::Exit:
      goexit0(gp);
      break;
    case HandoffKind::ExitSyscall: {
      // mirrors exitsyscall0: look for an idle P and queue the G globally under
      // one lock, so a P going idle meanwhile (it checks the global queue under
      // that lock first) cannot miss it.
      gp->m.store(nullptr, std::memory_order_relaxed);
      setgstatus(gp, GStatus::Syscall, GStatus::Runnable);
      mp->trace_seq.fetch_add(1, std::memory_order_release);  // begun in exitsyscall_wait_for_p
      sched.lock.lock();
      P* idle = sched.gcwaiting.load(std::memory_order_relaxed) ? nullptr : pidleget();
      if (idle == nullptr) globrunqput(gp);
      sched.lock.unlock();
      if (idle != nullptr) {
        acquirep(idle);
        mp->nextg = gp;  // g0 runs it next (schedule_loop), locked to this M or not
        mp->nextg_inherit = false;
      }
      break;
    }
  }
  // Every runtime lock the leaving G held was released by now (by unlockf):
  // nothing may carry a lock across a goroutine switch.
  if (--mp->locks != 0) gothrow("schedule: holding locks");
  return mp;
}

namespace {

/// Stops being a spinning M after finding work (mirrors resetspinning).
void resetspinning(M* mp) {
  mp->spinning = false;
  int32_t n = sched.nmspinning.fetch_sub(1) - 1;
  if (n < 0) gothrow("findrunnable: negative nmspinning");
  // The last spinner found work: there may be more, so wake another to look.
  wakep();
}

/// Stops the calling M for a stop-the-world (mirrors gcstopm).
void gcstopm(M* mp) {
  if (mp->spinning) {
    mp->spinning = false;
    sched.nmspinning.fetch_sub(1);
  }
  sched.lock.lock();
  if (!sched.gcwaiting.load(std::memory_order_relaxed)) {
    sched.lock.unlock();  // the stop was called off; keep the P
    return;
  }
  P* pp = releasep();
  pp->status.store(PStatus::GCStop, std::memory_order_release);
  if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
  sched.lock.unlock();
  stopm();
}

/// Random visiting order over the Ps (mirrors randomOrder in proc.go): a start
/// and a stride coprime with the P count visit every P exactly once.
class StealOrder {
 public:
  void reset(uint32_t count) {
    count_ = count;
    ncoprimes_ = 0;
    for (uint32_t i = 1; i <= count && ncoprimes_ < kMaxGomaxprocs; ++i) {
      if (gcd(i, count) == 1) coprimes_[ncoprimes_++] = i;
    }
  }
  uint32_t count() const { return count_; }
  struct Enum {
    uint32_t i, count, pos, inc;
    bool done() const { return i == count; }
    void next() {
      ++i;
      pos = (pos + inc) % count;
    }
  };
  Enum start(uint32_t r) const {
    return Enum{0, count_, r % count_, coprimes_[(r / count_) % ncoprimes_]};
  }

 private:
  static uint32_t gcd(uint32_t a, uint32_t b) {
    while (b != 0) {
      uint32_t t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
  uint32_t count_ = 0;
  uint32_t ncoprimes_ = 0;
  uint32_t coprimes_[kMaxGomaxprocs] = {};
};

StealOrder steal_order;

/// Tries to steal from every other P (mirrors stealWork).
G* steal_work(M* mp, P* pp) {
  constexpr int kStealTries = 4;
  for (int i = 0; i < kStealTries; ++i) {
    // The last pass also takes runnext and runs other Ps' expired timers: a
    // P busy with one long goroutine, or idle, does not run its own.
    const bool last_pass = i == kStealTries - 1;
    for (auto e = steal_order.start(fastrand(mp)); !e.done(); e.next()) {
      if (sched.gcwaiting.load(std::memory_order_relaxed)) return nullptr;
      P* p2 = allp[e.pos].load(std::memory_order_acquire);
      if (p2 == pp) continue;
      if (last_pass && p2->timer0_when.load(std::memory_order_relaxed) != 0) {
        ++mp->locks;
        const int ran = check_timers(p2, nanotime());
        --mp->locks;
        bool inherit;
        if (ran > 0) {
          if (G* gp = runqget(pp, &inherit)) return gp;
        }
      }
      if (p2->status.load(std::memory_order_relaxed) == PStatus::Idle) continue;
      if (G* gp = runqsteal(pp, p2, last_pass)) return gp;
    }
  }
  return nullptr;
}

/// Runs every P's expired timers from an M (with or without a P).
void run_all_timers(M* mp) {
  const int64_t now = nanotime();
  const int32_t procs = gomaxprocs();
  ++mp->locks;
  for (int32_t i = 0; i < procs; ++i) check_timers(allp[i].load(std::memory_order_acquire), now);
  --mp->locks;
}

/// Marks a goroutine the poller readied runnable, with its trace event.
void poll_readied(G* gp) {
  casgstatus(gp, GStatus::Waiting, GStatus::Runnable);
  gp->waitreason = WaitReason::Zero;
  trace_go_unblock(gp);
}

/// Returns the first goroutine the poller readied, to run now, injects the
/// rest and then applies the poll's waiter change (findrunnable's list.pop,
/// injectglist and netpollAdjustWaiters).  Runs on g0 with a P.
G* take_first_inject_rest(GList* list, int32_t waiters_delta) {
  G* gp = list->pop();
  injectglist(list);
  poll_readied(gp);
  netpoll_adjust_waiters(waiters_delta);
  return gp;
}

/// Finds a runnable goroutine, blocking the M until there is one (mirrors
/// findrunnable).  Returns null only at shutdown.  Runs on g0 with a P.
G* find_runnable(M* mp, bool* inherit_time) {
top:
  if (sched.shutdown.load(std::memory_order_acquire)) return nullptr;
  P* pp = mp->p;
  if (pp == nullptr) {
    if (!stopm()) return nullptr;
    goto top;
  }
  if (sched.gcwaiting.load(std::memory_order_acquire)) {
    gcstopm(mp);
    goto top;
  }
  run_own_timers(mp);
  // The collector's background mark worker for this P, when the pacer wants
  // one here now (mirrors findRunnableGCWorker at the top of findRunnable).
  if (sched.gc_marking.load(std::memory_order_relaxed)) {
    // A preemption request was for the goroutine that already left; the
    // worker starts a fresh slice (sysmon asks again after 10 ms of it).
    pp->preempt.store(false, std::memory_order_relaxed);
    if (const GcHooks* hooks = gc_hooks(); hooks != nullptr && hooks->mark_worker()) goto top;
  }
  if (G* gp = pick_fast(pp, inherit_time, false)) return gp;

  // Poll the network without blocking before stealing: an optimisation, the
  // blocking poll below would find the same goroutines (Go's findrunnable).
  if (netpoll_waiters() > 0 && sched.lastpoll.load(std::memory_order_relaxed) != 0) {
    GList list;
    int32_t delta = 0;
    if (netpoll(0, &list, &delta)) {
      *inherit_time = false;
      return take_first_inject_rest(&list, delta);
    }
  }

  // Steal, but not if half the busy Ps already have a spinning M looking:
  // that is enough searchers (Go's limit, keeps CPU use proportional to work).
  {
    const int32_t procs = gomaxprocs();
    if (mp->spinning || 2 * sched.nmspinning.load() < procs - sched.npidle.load()) {
      if (!mp->spinning) {
        mp->spinning = true;
        sched.nmspinning.fetch_add(1);
      }
      if (G* gp = steal_work(mp, pp)) {
        *inherit_time = false;
        return gp;
      }
    }
  }

  // Nothing to run: idle-priority collector work (marking during a mark,
  // sweeping after it) before the P goes idle (Go runs its idle GC workers at
  // this point of findRunnable).
  if (const GcHooks* hooks = gc_hooks(); hooks != nullptr) {
    pp->preempt.store(false, std::memory_order_relaxed);  // as for the mark worker above
    if (hooks->idle_work()) goto top;
  }

  // Nothing: give the P back.
  sched.lock.lock();
  if (sched.gcwaiting.load(std::memory_order_relaxed) || sched.shutdown.load(std::memory_order_relaxed)) {
    sched.lock.unlock();
    goto top;
  }
  if (sched.runqsize.load(std::memory_order_relaxed) != 0) {
    G* gp = globrunqget(pp, 0);
    sched.lock.unlock();
    *inherit_time = false;
    return gp;
  }
  releasep();
  pidleput(pp);
  sched.lock.unlock();

  if (mp->spinning) {
    // Drop spinning before the re-check: a producer that saw us spinning did
    // not call wakep, so we must look at every queue once more ourselves.
    mp->spinning = false;
    if (sched.nmspinning.fetch_sub(1) - 1 < 0) gothrow("findrunnable: negative nmspinning");
    const int32_t procs = gomaxprocs();
    for (int32_t i = 0; i < procs; ++i) {
      P* p2 = allp[i].load(std::memory_order_acquire);
      if (p2 != nullptr && !runqempty(p2)) {
        sched.lock.lock();
        P* idle = pidleget();
        sched.lock.unlock();
        if (idle != nullptr) {
          acquirep(idle);
          mp->spinning = true;
          sched.nmspinning.fetch_add(1);
          goto top;
        }
        break;
      }
    }
  }
  // Goroutines wait on the network or timers are pending: one M blocks in the
  // poller until the earliest timer (Go's findrunnable).  Woken, it takes an
  // idle P if there is one and runs what the poll readied, or goes round again
  // for the timers.  Without a P it hands the readied goroutines on, runs the
  // due timers itself (their goroutines go to the global queue) and, unlike
  // Go's, stays the poller while timers are pending: every P may be held by a
  // goroutine that never reaches a schedule point, and then no other M would
  // run a timer of theirs (Go's sysmon would preempt them first).
  int64_t poll_until = next_timer_when();
  if ((netpoll_waiters() > 0 || poll_until != 0) && sched.lastpoll.exchange(0, std::memory_order_seq_cst) != 0) {
    for (;;) {
      sched.poll_until.store(poll_until, std::memory_order_seq_cst);
      int64_t now = nanotime();
      int64_t delay = -1;
      if (poll_until != 0) delay = poll_until > now ? poll_until - now : 0;
      GList list;
      int32_t delta = 0;
      // Timers added after poll_until was read saw lastpoll == 0 and broke
      // the wait (timers.cpp wake_for_timer); shutdown breaks it too.
      if (!sched.shutdown.load(std::memory_order_acquire)) netpoll(delay, &list, &delta);
      now = nanotime();
      sched.poll_until.store(0, std::memory_order_seq_cst);
      sched.lastpoll.store(now, std::memory_order_seq_cst);
      sched.lock.lock();
      const bool stopping =
          sched.gcwaiting.load(std::memory_order_relaxed) || sched.shutdown.load(std::memory_order_relaxed);
      P* idle = stopping ? nullptr : pidleget();
      sched.lock.unlock();
      if (idle != nullptr) {
        acquirep(idle);
        if (!list.empty()) {
          *inherit_time = false;
          return take_first_inject_rest(&list, delta);
        }
        goto top;
      }
      injectglist(&list);
      netpoll_adjust_waiters(delta);
      run_all_timers(mp);
      if (stopping) break;
      poll_until = next_timer_when();
      if (poll_until == 0 && netpoll_waiters() == 0) break;
      if (sched.lastpoll.exchange(0, std::memory_order_seq_cst) == 0) break;  // another M polls now
    }
  } else if (poll_until != 0) {
    // Another M is in the poller: make sure it wakes for our earliest timer.
    const int64_t until = sched.poll_until.load(std::memory_order_seq_cst);
    if (until == 0 || until > poll_until) netpoll_break();
  }
  if (!stopm()) return nullptr;
  goto top;
}

/// Hands the current P to gp's locked M and sleeps (mirrors startlockedm).
bool startlockedm(M* mp, G* gp) {
  M* lm = gp->lockedm;
  P* pp = releasep();
  lm->nextp = pp;
  notewakeup(&lm->park);
  return stopm();
}

/// A locked M whose G left: give the P away and sleep until the G is runnable
/// and some M hands us a P (mirrors stoplockedm).  False at shutdown.
bool stoplockedm(M* mp) {
  if (mp->p != nullptr) handoffp(releasep());
  sched.lock.lock();
  ++sched.nmidlelocked;
  checkdead();
  sched.lock.unlock();
  for (;;) {
    if (sched.shutdown.load(std::memory_order_acquire)) break;
    notesleep(&mp->park);
    noteclear(&mp->park);
    if (mp->nextp != nullptr) break;
  }
  sched.lock.lock();
  --sched.nmidlelocked;
  sched.lock.unlock();
  if (mp->nextp == nullptr) return false;  // shutdown
  acquirep(mp->nextp);
  mp->nextp = nullptr;
  return true;
}

/// Asks whoever runs on this M's P to yield, if requested, at a safe point.
inline bool preempt_requested(M* mp) {
  return mp->p != nullptr && mp->p->preempt.load(std::memory_order_relaxed) && mp->locks == 0 &&
         mp->curg != nullptr;
}

void yield_current(M* mp, TraceStopReason why) {
  Handoff h{HandoffKind::Yield, mp->curg};
  h.stop_reason = why;
  leave(mp, &h);
}

}  // namespace

int32_t gomaxprocs() { return gomaxprocs_value.load(std::memory_order_relaxed); }
void set_gomaxprocs_value(int32_t n) {
  gomaxprocs_value.store(n, std::memory_order_relaxed);
  steal_order.reset(static_cast<uint32_t>(n));
}

P* current_p() {
  M* mp = current_m();
  return mp != nullptr ? mp->p : nullptr;
}

void schedule_loop() {
  M* mp = current_m();  // g0 never migrates
  for (;;) {
    if (mp->exiting) {
      // Its locked goroutine exited: the thread goes with it (Go's mexit).
      if (mp->p != nullptr) handoffp(releasep());
      return;
    }
    if (mp->lockedg != nullptr) {
      // mirrors schedule's stoplockedm branch, and exitsyscall0 running a
      // locked G at once: when the handoff that brought this M here already
      // made its G runnable with a P in hand (nextg), run it now; otherwise
      // give the P away and sleep until some M hands one over with the G.
      G* gp = std::exchange(mp->nextg, nullptr);
      if (gp != nullptr && gp != mp->lockedg) gothrow("schedule: locked M given another goroutine");
      if (gp == nullptr && !stoplockedm(mp)) return;
      execute(mp, mp->lockedg, false);
      continue;
    }
    G* gp = mp->nextg;
    bool inherit = mp->nextg_inherit;
    mp->nextg = nullptr;
    if (gp != nullptr && sched.gcwaiting.load(std::memory_order_relaxed)) {
      runqput(mp->p, gp, inherit);  // let the stop happen first
      gp = nullptr;
    }
    if (gp == nullptr) {
      gp = find_runnable(mp, &inherit);
      if (gp == nullptr) return;  // shutdown
    }
    if (mp->spinning) resetspinning(mp);
    if (gp->lockedm != nullptr && gp->lockedm != mp) {
      if (!startlockedm(mp, gp)) return;
      continue;
    }
    execute(mp, gp, inherit);
  }
}

// ---- the blocking primitive -------------------------------------------------

G* current_g() { return current_m()->curg; }

void park(WaitReason reason, UnlockFn unlockf, void* arg) {
  M* mp = current_m();
  G* gp = mp->curg;
  gp->waitreason = reason;
  gp->waitsince = coarse_nanotime();
  Handoff h{HandoffKind::Park, gp, unlockf, arg};
  leave(mp, &h);
}

void ready(G* gp) {
  casgstatus(gp, GStatus::Waiting, GStatus::Runnable);
  gp->waitreason = WaitReason::Zero;
  trace_go_unblock(gp);
  M* mp = current_m();
  if (mp != nullptr && mp->p != nullptr) {
    runqput(mp->p, gp, true);
    wakep();
    if (preempt_requested(mp)) yield_current(mp, TraceStopReason::Preempted);
  } else {
    sched.lock.lock();
    globrunqput(gp);
    sched.lock.unlock();
    wakep();
  }
}

// mirrors injectglist
void injectglist(GList* list) {
  if (list->empty()) return;
  GQueue q;
  int32_t n = 0;
  while (G* gp = list->pop()) {
    poll_readied(gp);
    q.push_back(gp);
    ++n;
  }
  auto start_idle = [](int32_t k) {
    for (; k > 0 && sched.npidle.load() != 0; --k) startm(nullptr, false);
  };
  M* mp = current_m();
  P* pp = mp != nullptr ? mp->p : nullptr;
  if (pp == nullptr) {
    sched.lock.lock();
    globrunqputbatch(q.head, q.tail, n);
    sched.lock.unlock();
    start_idle(n);
    return;
  }
  // As many as there are idle Ps go to the global queue, with an M started
  // for each; the rest to this P.
  const int32_t npidle = sched.npidle.load();
  GQueue globq;
  int32_t g = 0;
  for (; g < npidle && !q.empty(); ++g) {
    G* gp = q.head;
    q.head = gp->schedlink;
    if (q.head == nullptr) q.tail = nullptr;
    globq.push_back(gp);
  }
  if (g > 0) {
    sched.lock.lock();
    globrunqputbatch(globq.head, globq.tail, g);
    sched.lock.unlock();
    start_idle(g);
  }
  for (G* gp = q.head; gp != nullptr;) {
    G* next = gp->schedlink;
    runqput(pp, gp, false);
    gp = next;
  }
}

void exitsyscall_wait_for_p(M* mp) {
  // No P: the goroutine goes to the global queue and this thread to g0, where
  // find_runnable (without a P) stops the M until one is handed over.
  Handoff h{HandoffKind::ExitSyscall, mp->curg};
  h.m = mp;
  // From the trace check to the status change complete_handoff makes, a
  // trace::start that began meanwhile must not read the old status: it waits
  // for trace_seq to be even (trace.cpp, wait_for_status_changes).
  mp->trace_seq.fetch_add(1, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);  // the increment before the trace check
  trace_go_syscall_end_blocked(mp->curg, mp);
  mp->curg = nullptr;
  switch_to(h.from, &mp->g0, &h);
}

void goyield() {
  M* mp = current_m();
  Handoff h{HandoffKind::YieldLocal, mp->curg};
  h.stop_reason = TraceStopReason::Yield;
  leave(mp, &h);
}

void goexit1() {
  M* mp = current_m();
  Handoff h{HandoffKind::Exit, mp->curg};
  leave(mp, &h);
  gothrow("goexit: dead goroutine resumed");
}

int current_p_id() { return current_p()->id; }
int64_t current_m_id() { return current_m()->id; }

// preempt_point's body; the collector calls it between the chunks of a long
// copy and needs to know whether it yielded (gc_support.hpp)
bool yield_if_preempted() {
  M* mp = current_m();
  if (mp == nullptr || !preempt_requested(mp)) return false;
  yield_current(mp, TraceStopReason::Preempted);
  return true;
}

}  // namespace gort::runtime

namespace gort {

using namespace runtime;

void gosched() {
  M* mp = current_m();
  P* pp = mp->p;
  // Nothing else runnable: Go would queue us globally and pick us straight
  // back; skip the round trip but count the tick as that schedule would.
  if (!pp->preempt.load(std::memory_order_relaxed) && mp->lockedg == nullptr &&
      pp->timer0_when.load(std::memory_order_relaxed) == 0 && runqempty(pp) &&
      sched.runqsize.load(std::memory_order_relaxed) == 0 &&
      !sched.gcwaiting.load(std::memory_order_relaxed)) {
    pp->schedtick.store(pp->schedtick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return;
  }
  yield_current(mp, TraceStopReason::Gosched);
}

void preempt_point() { runtime::yield_if_preempted(); }

int64_t goid() { return current_m()->curg->goid; }

int num_goroutine() {
  int64_t n = sched.gcount_base.load(std::memory_order_relaxed);
  for (int32_t i = 0; i < kMaxGomaxprocs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    if (pp == nullptr) break;
    n += pp->gcount_delta.load(std::memory_order_relaxed);
  }
  return static_cast<int>(n);
}

void lock_os_thread() {
  M* mp = current_m();
  G* gp = mp->curg;
  ++gp->lock_count;
  gp->lockedm = mp;
  mp->lockedg = gp;
}

void unlock_os_thread() {
  M* mp = current_m();
  G* gp = mp->curg;
  if (gp->lock_count == 0 || --gp->lock_count != 0) return;
  gp->lockedm = nullptr;
  mp->lockedg = nullptr;
}

}  // namespace gort
