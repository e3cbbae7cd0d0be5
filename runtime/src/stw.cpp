// stw.cpp — stopping the world and resizing the P set (mirrors
// stopTheWorldWithSema, startTheWorldWithSema and procresize in proc.go, and
// runtime.GOMAXPROCS in debug.go).
//
// Stopping: under sched.lock, set gcwaiting and P.preempt on every P, take the
// caller's P and every idle P out of play (status GCStop), then wait, waking
// every 100 µs to re-request preemption, until the Ps still running reach a
// safe point and stop themselves (gcstopm in proc.cpp; handoffp for a P given
// up meanwhile).  Cost is proportional to the number of Ps, never to the number
// of goroutines.  A goroutine that never reaches a safe point (a loop with no
// runtime call and no preempt_point) delays the stop until it does, as in Go
// before asynchronous preemption.
//
// Starting: procresize to the (possibly new) GOMAXPROCS, then hand every P that
// has queued work to an M (an idle one or a new thread) and wake one spinning M
// for the rest.
//
// Resizing: a P beyond the new GOMAXPROCS is destroyed as Go's p.destroy does —
// its run queue and runnext go to the global queue, its free Gs, stacks and
// sudogs to the global lists, its timers to P 0, and the collector takes back
// its write-barrier buffer (greyed into the mark while one runs) and its mcache
// (spans to their mcentrals, counts into the heap statistics) through the hook
// gc/ registered (gc_cache.cpp).  A Dead P therefore holds no work and no
// cache: mark termination, which flushes the caches of the Ps below GOMAXPROCS,
// sees every cached span, and a P that comes back starts empty.  The P record
// itself stays (an M in a blocking call may still point at it), as in Go.
#include <gort/runtime.hpp>
#include <gort/runtime/internal/sema.hpp>

#include <cstdio>
#include <utility>

#include "crash.hpp"
#include "current.hpp"
#include "env.hpp"
#include "nanotime.hpp"
#include "netpoll_sched.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "stackcache.hpp"
#include "trace_runtime.hpp"

namespace gort::runtime {

void preemptall() {
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    if (pp->status.load(std::memory_order_relaxed) == PStatus::Running) preemptone(pp);
  }
}

namespace {

/// 100 µs: how long stop_the_world waits before asking again (Go's value).
constexpr int64_t kStopRetryNs = 100'000;
/// How long stop_the_world polls before it sleeps: one retry interval, so a P
/// that stops late is still seen at once rather than a futex wake-up later.
constexpr int64_t kStopSpinNs = kStopRetryNs;

}  // namespace

void preemptone(P* pp) {
  // Never the caller's own P (Go's preemptone skips getg().m): a stopper that
  // flagged itself would yield at its next safe point inside the stop.
  if (pp == current_p()) return;
  pp->preempt.store(true, std::memory_order_relaxed);
  preempt_async(pp);
}

std::atomic<uint32_t> worldsema{1};

namespace {
/// Whether the stop in progress wrote STWBegin (start_the_world then writes
/// STWEnd): a trace switched on while the world is stopped sees neither.
/// Under sched.lock (the stop at exit does not take worldsema).
bool stw_traced = false;
}  // namespace

bool stop_the_world(StwReason reason, int64_t deadline_ns) {
  M* mp = current_m();
  P* self = mp->p;
  sched.lock.lock();
  stw_traced = trace_on();
  if (stw_traced) trace_event(Ev::STWBegin, trace_string(reason));
  sched.stopwait = gomaxprocs();
  sched.gcwaiting.store(true, std::memory_order_release);
  preemptall();
  self->status.store(PStatus::GCStop, std::memory_order_release);
  --sched.stopwait;
  // Ps lent out by goroutines in blocking calls run nothing: take them now.
  for (int32_t i = 0; i < gomaxprocs(); ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    PStatus s = PStatus::Syscall;
    const uint64_t stamp = trace_stamp();
    if (pp->status.compare_exchange_strong(s, PStatus::GCStop)) {
      trace_proc_steal(stamp, pp);
      --sched.stopwait;
    }
  }
  while (P* pp = pidleget()) {
    pp->status.store(PStatus::GCStop, std::memory_order_release);
    --sched.stopwait;
  }
  const bool wait = sched.stopwait > 0;
  sched.lock.unlock();
  if (wait) {
    // The other Ps usually stop within microseconds (a safe point, a mark
    // worker's check), while a futex wake-up of this thread takes tens of µs
    // on a VM: poll the note for up to 100 µs before sleeping on it — only with a
    // CPU for the stopping Ps to run on meanwhile.  (Go sleeps at once; this is
    // what keeps gort's pauses under 100 µs at the 99th percentile.)
    if (ncpu() > 1) {
      const int64_t until = nanotime() + kStopSpinNs;
      while (sched.stopnote.key.load(std::memory_order_acquire) == 0 && nanotime() < until) procyield(10);
    }
    for (;;) {
      if (notetsleep(&sched.stopnote, kStopRetryNs)) {
        noteclear(&sched.stopnote);
        break;
      }
      if (deadline_ns >= 0 && nanotime() > deadline_ns) return false;
      preemptall();
    }
  }
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    if (allp[i].load()->status.load() != PStatus::GCStop) gothrow("stopTheWorld: not stopped");
  }
  return true;
}

P* procresize(int32_t nprocs) {
  const int32_t old = gomaxprocs();
  if (nprocs <= 0 || nprocs > kMaxGomaxprocs) gothrow("procresize: invalid arg");
  // Initialise new Ps (Ps are never freed while the runtime runs: a P beyond
  // GOMAXPROCS is Dead and comes back if GOMAXPROCS grows again).
  for (int32_t i = 0; i < nprocs; ++i) {
    if (allp[i].load(std::memory_order_relaxed) == nullptr) {
      P* pp = new P();
      pp->id = i;
      allp[i].store(pp, std::memory_order_release);
    }
    allp[i].load()->status.store(PStatus::GCStop, std::memory_order_relaxed);
  }
  // Retire Ps beyond nprocs (mirrors p.destroy): their queued Gs go to the
  // global queue, their dead Gs to the global free list, their caches back.
  for (int32_t i = nprocs; i < old; ++i) {
    P* pp = allp[i].load();
    runq_drain_to_global(pp);
    {
      LockGuard g(sched.gflock);
      while (G* gp = pp->gfree.pop()) {
        sched.gfree.push(gp);
        ++sched.ngfree;
      }
      pp->gfree_n = 0;
    }
    stackcache_flush(pp);
    sudogcache_flush(pp);
    move_timers(pp, allp[0].load());
    destroy_p_gc_state(pp);
    pp->status.store(PStatus::Dead, std::memory_order_release);
  }
  set_gomaxprocs_value(nprocs);
  if (nprocs != old) trace_simple(Ev::GoMaxProcs, uint64_t(nprocs));

  M* mp = current_m();
  if (mp->p != nullptr && mp->p->id < nprocs) {
    mp->p->status.store(PStatus::Running, std::memory_order_release);
  } else {
    // The caller's P is going away: it moves to P 0.  The trace shows its
    // goroutine stopping and starting again around the change of P, as Go's
    // procresize does.
    const bool traced = mp->p != nullptr && mp->curg != nullptr && trace_on();
    if (mp->p != nullptr) {
      if (traced) {
        trace_go_stop(TraceStopReason::Gosched);
        trace_event(Ev::ProcStop);
      }
      mp->p->m = nullptr;
      mp->p = nullptr;
    }
    P* pp = allp[0].load();
    pp->m = nullptr;
    pp->status.store(PStatus::Idle, std::memory_order_relaxed);
    acquirep(pp);
    if (traced) trace_go_start(mp->curg);
  }
  // Everything else becomes idle or, with work queued, runnable by some M.
  sched.pidle = nullptr;
  sched.npidle.store(0);
  P* runnable = nullptr;
  for (int32_t i = nprocs - 1; i >= 0; --i) {
    P* pp = allp[i].load();
    if (mp->p == pp) continue;
    pp->status.store(PStatus::Idle, std::memory_order_release);
    pp->m = nullptr;
    if (runqempty(pp)) {
      pidleput(pp);
    } else {
      pp->link = runnable;
      runnable = pp;
    }
  }
  return runnable;
}

void start_the_world(int32_t newprocs) {
  // Goroutines the network readied during the stop run from here (Go's
  // startTheWorldWithSema polls first too).
  GList ready_io;
  int32_t delta = 0;
  if (netpoll(0, &ready_io, &delta)) injectglist(&ready_io);
  netpoll_adjust_waiters(delta);
  sched.lock.lock();
  P* runnable = procresize(newprocs > 0 ? newprocs : gomaxprocs());
  sched.gcwaiting.store(false, std::memory_order_release);
  const bool end_traced = std::exchange(stw_traced, false);
  sched.lock.unlock();
  if (end_traced) trace_simple(Ev::STWEnd);
  while (runnable != nullptr) {
    P* pp = runnable;
    runnable = pp->link;
    startm(pp, false);
  }
  wakep();
  sysmon_wake();  // it sleeps through a stop; Ps run again without a startm
}

}  // namespace gort::runtime

namespace gort {

int gomaxprocs(int n) {
  using namespace runtime;
  const int prev = runtime::gomaxprocs();
  if (n <= 0 || n == prev) return prev;
  if (n > kMaxGomaxprocs) n = kMaxGomaxprocs;
  semacquire(&worldsema, WaitReason::Semacquire);
  stop_the_world(StwReason::GoMaxProcs);
  start_the_world(n);
  semrelease(&worldsema);
  return prev;
}

}  // namespace gort
