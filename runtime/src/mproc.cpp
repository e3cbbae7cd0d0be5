// mproc.cpp — Ms and Ps: idle lists, waking and parking threads, handing Ps
// between Ms (mirrors wakep, startm, stopm, handoffp, acquirep, releasep,
// pidleput/pidleget, mput/mget, newm and mstart in proc.go).
//
// Invariants (checked where cheap):
//   - An M runs a G only while holding a P; a P is held by at most one M.
//   - An idle P is on sched.pidle with status Idle and an empty run queue
//     (pidleput refuses a P with work, so work is never parked with a P).
//   - An M sleeping in stopm is on sched.midle and holds no P; it wakes only
//     when given one (nextp) or at shutdown.
//   - sched.nmspinning counts Ms with spinning set; wakep starts a spinning M only
//     when it can move nmspinning from 0 to 1.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include <gort/runtime/internal/callers.hpp>

#include "cpuprof.hpp"
#include "crash.hpp"
#include "current.hpp"
#include "fiber.hpp"
#include "sched.hpp"
#include "trace_runtime.hpp"

namespace gort::runtime {

void acquirep(P* pp) {
  M* mp = current_m();
  if (mp->p != nullptr || pp->m != nullptr) gothrow("acquirep: invalid p state");
  mp->p = pp;
  pp->m = mp;
  pp->status.store(PStatus::Running, std::memory_order_release);
  trace_simple(Ev::ProcStart, uint64_t(pp->id));
}

P* releasep() {
  M* mp = current_m();
  P* pp = mp->p;
  if (pp == nullptr || pp->m != mp) gothrow("releasep: invalid p state");
  trace_simple(Ev::ProcStop);
  pp->m = nullptr;
  pp->status.store(PStatus::Idle, std::memory_order_release);
  mp->p = nullptr;
  return pp;
}

void pidleput(P* pp) {
  if (!runqempty(pp)) gothrow("pidleput: P has non-empty run queue");
  pidleput_unchecked(pp);
}

void pidleput_unchecked(P* pp) {
  pp->link = sched.pidle;
  sched.pidle = pp;
  sched.npidle.fetch_add(1);
}

P* pidleget() {
  P* pp = sched.pidle;
  if (pp != nullptr) {
    sched.pidle = pp->link;
    sched.npidle.fetch_sub(1);
  }
  return pp;
}

void mput(M* mp) {
  mp->schedlink = sched.midle;
  sched.midle = mp;
  ++sched.nmidle;
}

M* mget() {
  M* mp = sched.midle;
  if (mp != nullptr) {
    sched.midle = mp->schedlink;
    --sched.nmidle;
  }
  return mp;
}

void wakep() {
  if (sched.npidle.load() == 0) return;
  // Be conservative about spinning threads: one at a time.
  int32_t zero = 0;
  if (sched.nmspinning.load() != 0 || !sched.nmspinning.compare_exchange_strong(zero, 1)) return;
  startm(nullptr, true);
}

void startm(P* pp, bool spinning) {
  sched.lock.lock();
  if (sched.shutdown.load(std::memory_order_relaxed)) {
    // The program is ending: no new work starts, no new threads are made.
    if (pp != nullptr) pidleput_unchecked(pp);
    sched.lock.unlock();
    if (spinning) sched.nmspinning.fetch_sub(1);
    return;
  }
  if (pp == nullptr) {
    pp = pidleget();
    if (pp == nullptr) {
      sched.lock.unlock();
      if (spinning) sched.nmspinning.fetch_sub(1);
      return;
    }
  }
  M* nmp = mget();
  sched.lock.unlock();
  sysmon_wake();
  if (nmp == nullptr) {
    newm(pp, spinning);
    return;
  }
  nmp->spinning = spinning;
  nmp->nextp = pp;
  notewakeup(&nmp->park);
}

bool stopm() {
  M* mp = current_m();
  if (mp->p != nullptr) gothrow("stopm holding p");
  if (mp->spinning) gothrow("stopm spinning");
  sched.lock.lock();
  if (sched.shutdown.load(std::memory_order_relaxed)) {
    sched.lock.unlock();
    return false;
  }
  mput(mp);
  checkdead();
  sched.lock.unlock();
  notesleep(&mp->park);
  noteclear(&mp->park);
  if (mp->nextp == nullptr) {
    if (!sched.shutdown.load(std::memory_order_acquire)) gothrow("stopm: woken without a P");
    return false;
  }
  acquirep(mp->nextp);
  mp->nextp = nullptr;
  return true;
}

void handoffp(P* pp) {
  // Local or global work: start an M for it right away.
  if (!runqempty(pp) || sched.runqsize.load() != 0) {
    startm(pp, false);
    return;
  }
  // No spinning or idle M to pick up work that appears soon: become one.
  int32_t zero = 0;
  if (sched.nmspinning.load() + sched.npidle.load() == 0 &&
      sched.nmspinning.compare_exchange_strong(zero, 1)) {
    startm(pp, true);
    return;
  }
  sched.lock.lock();
  if (sched.gcwaiting.load(std::memory_order_relaxed)) {
    pp->status.store(PStatus::GCStop, std::memory_order_release);
    if (--sched.stopwait == 0) notewakeup(&sched.stopnote);
    sched.lock.unlock();
    return;
  }
  if (sched.runqsize.load(std::memory_order_relaxed) != 0) {
    sched.lock.unlock();
    startm(pp, false);
    return;
  }
  // The last running P, and no M in the poller: whoever held it would have
  // become the poller on its way to sleep (find_runnable), so an M must now.
  // Without it every P is idle, sysmon sleeps for good, and goroutines parked
  // on the network wait for ever (NetpollLastPHandedOffStartsAPoller).
  if (sched.npidle.load(std::memory_order_relaxed) == gomaxprocs() - 1 &&
      sched.lastpoll.load(std::memory_order_seq_cst) != 0) {
    sched.lock.unlock();
    startm(pp, false);
    return;
  }
  // The P's timers must still fire: wake_for_timer takes locks of its own,
  // so it runs after sched.lock is released (Go's nobarrierWakeTime).
  const int64_t when = pp->timer0_when.load(std::memory_order_acquire);
  pidleput(pp);
  sched.lock.unlock();
  if (when != 0) wake_for_timer(when);
}

namespace {

/// Thread body of every M but m0 (mirrors mstart/mstart1).
void mstart(M* mp) {
  set_current_m(mp);
  mp->procid = static_cast<int32_t>(syscall(SYS_gettid));
  fiber_adopt_thread(&mp->g0.fiber);
  mp->eh = thread_eh_globals();
  signal_stack_init(mp);
  if (mp->nextp != nullptr) {
    P* pp = mp->nextp;
    mp->nextp = nullptr;
    acquirep(pp);
  }
  schedule_loop();
  set_thread_cpu_profiler(mp, 0);  // the timer dies with its thread (Go's mexit)
  sched.lock.lock();
  --sched.mcount;  // this thread is gone (locked goroutine exited, or shutdown)
  sched.lock.unlock();
  signal_stack_release(mp);
  mp->done.store(true, std::memory_order_release);
  set_current_m(nullptr);
}

}  // namespace

void newm(P* pp, bool spinning) {
  M* mp = new M();
  mp->g0.is_g0 = true;
  mp->g0.status.store(GStatus::Running, std::memory_order_relaxed);
  mp->nextp = pp;
  mp->spinning = spinning;
  sched.lock.lock();
  mp->id = sched.mnext++;
  ++sched.mcount;
  sched.lock.unlock();
  mp->fastrand_state = (0x9e3779b97f4a7c15ULL * uint64_t(mp->id + 1)) | 1;
  // Go records the creating stack in mcommoninit (callers(1, mp.createstack)).
  mp->ncreatestack = callers(0, mp->createstack, kCreateStackDepth);
  std::thread t(mstart, mp);
  // Linked into allm only with its thread handle in place, so teardown never
  // sees an M it cannot join.  Creators are Ms (joined at teardown themselves)
  // and sysmon (stopped before the joins), so an M created during shutdown is
  // still found and joined.  The thread
  // already runs: if the program began to exit meanwhile, the exit's wake-up
  // of every M in allm missed this one, which may already sleep in stopm;
  // wake it here (a woken note stays set, so this is safe at any point).
  sched.lock.lock();
  mp->thread = std::move(t);
  mp->alllink = sched.allm;
  sched.allm = mp;
  if (sched.shutdown.load(std::memory_order_relaxed)) notewakeup(&mp->park);
  sched.lock.unlock();
}

}  // namespace gort::runtime
