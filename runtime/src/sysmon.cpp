// sysmon.cpp — the system monitor thread (mirrors sysmon and retake in proc.go).
//
// sysmon runs on its own OS thread without a P.  It sleeps 20 µs at first and,
// after 50 idle rounds (nothing to retake), doubles its sleep up to 10 ms, so a
// busy program is watched closely and a quiet one costs little.  When every P
// is idle it sleeps until woken by startm (the next time any M starts work), or
// by a goroutine that took an idle P back in exitsyscall or lends its P to a
// blocking call (neither goes through startm), so an idle runtime has no thread
// waking periodically.
//
// Unlike Go, a goroutine entering a blocking call while sysmon is backed off
// kicks it awake (sysmon_kick): otherwise a program that turns from computing
// to making many short blocking calls waits up to 10 ms per P hand-off until
// the backoff resets (measured: 66 µs vs 20 µs per call on bench
// blocking_call, 64 goroutines × nanosleep(50 µs) on 2 Ps).
//
// Each round it refreshes the coarse clock used to stamp parked goroutines,
// prints GODEBUG=schedtrace reports when due (schedtrace.cpp; sysmon then never
// sleeps through idleness, as in Go), polls the network if no M has for 10 ms
// (netpoll.cpp), and retakes:
//   - a P whose schedtick has not moved for 10 ms (forcePreemptNS) has run one
//     goroutine — or a runnext chain inheriting one time slice — that long: it
//     is asked to preempt at its next safe point, and signalled if its goroutine
//     is in an AsyncPreemptible region (preempt.cpp);
//   - a P lent out by a blocking call whose syscalltick has not moved for a
//     whole tick is handed to another M (syscall.cpp explains the protocol).
// Forced GC joins this loop with the collector.
#include <thread>

#include "env.hpp"
#include "nanotime.hpp"
#include "netpoll_sched.hpp"
#include "note.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "trace_runtime.hpp"

namespace gort::runtime {

namespace {

/// Go's forcePreemptNS: the time slice.
constexpr int64_t kForcePreemptNs = 10'000'000;
/// Go's sysmon delays: 20 µs minimum, 10 ms maximum, doubling after 50 idle rounds.
constexpr int64_t kMinDelayUs = 20;
constexpr int64_t kMaxDelayUs = 10'000;
constexpr int kIdleRoundsBeforeBackoff = 50;
/// Go's sysmon polls the network when nobody has for 10 ms.
constexpr int64_t kNetpollStaleNs = 10'000'000;

struct SysmonTick {
  uint32_t schedtick = 0;
  int64_t schedwhen = 0;
  uint32_t syscalltick = 0;
  int64_t syscallwhen = 0;
};

struct Sysmon {
  std::thread thread;
  Note stopnote;   // woken to stop sysmon, or to end its idle wait
  std::atomic<bool> stop{false};
  std::atomic<bool> waiting{false};  // in the all-Ps-idle sleep
  std::atomic<bool> backed_off{false};  // sleeping longer than the 20 µs minimum
  SysmonTick ticks[kMaxGomaxprocs];
};

std::atomic<Sysmon*> sysmon_state{nullptr};

/// Hands on a P lent out by a blocking call that has lasted a whole sysmon tick,
/// unless it has no work and others are idle anyway (mirrors retake's
/// _Psyscall branch: then it waits for 10 ms, as Go does).
bool retake_syscall(SysmonTick& pd, P* pp, int64_t now) {
  const uint32_t t = pp->syscalltick.load(std::memory_order_relaxed);
  if (pd.syscalltick != t) {
    pd.syscalltick = t;
    pd.syscallwhen = now;
    return false;
  }
  if (runqempty(pp) && sched.nmspinning.load() + sched.npidle.load() > 0 &&
      pp->timer0_when.load(std::memory_order_relaxed) == 0 && pd.syscallwhen + kForcePreemptNs > now) {
    return false;
  }
  PStatus s = PStatus::Syscall;
  const uint64_t stamp = trace_stamp();
  if (!pp->status.compare_exchange_strong(s, PStatus::Idle)) return false;
  trace_proc_steal(stamp, pp);
  handoffp(pp);
  return true;
}

/// Asks long-running Ps to yield and takes Ps back from long blocking calls;
/// returns how many it acted on (mirrors retake).
int retake(Sysmon& s, int64_t now) {
  int n = 0;
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    if (pp == nullptr) continue;
    const PStatus status = pp->status.load(std::memory_order_relaxed);
    SysmonTick& pd = s.ticks[i];
    if (status == PStatus::Syscall) {
      n += retake_syscall(pd, pp, now);
      continue;
    }
    if (status != PStatus::Running) continue;
    const uint32_t t = pp->schedtick.load(std::memory_order_relaxed);
    if (pd.schedtick != t) {
      pd.schedtick = t;
      pd.schedwhen = now;
    } else if (pd.schedwhen + kForcePreemptNs <= now) {
      preemptone(pp);
      ++n;
    }
  }
  return n;
}

void sysmon_loop(Sysmon* s) {
  int64_t delay = 0;
  int idle = 0;
  const int64_t start = nanotime();
  int64_t last_trace = 0;  // Go prints the first report at once ("SCHED 0ms")
  for (;;) {
    if (idle == 0) {
      delay = kMinDelayUs;
    } else if (idle > kIdleRoundsBeforeBackoff) {
      delay *= 2;
    }
    if (delay > kMaxDelayUs) delay = kMaxDelayUs;
    s->backed_off.store(delay > kMinDelayUs, std::memory_order_relaxed);
    if (notetsleep(&s->stopnote, delay * 1000)) {
      noteclear(&s->stopnote);
      idle = 0;  // kicked: work that needs watching has started
    }
    if (s->stop.load(std::memory_order_acquire)) return;
    const int64_t now = nanotime();
    coarse_nanotime_update(now);
    if (debug.schedtrace > 0 && last_trace + int64_t(debug.schedtrace) * 1'000'000 <= now) {
      last_trace = now;
      schedtrace(debug.scheddetail > 0, start, false);
    }
    // With schedtrace on, sysmon never sleeps through idleness (Go's rule).
    if (debug.schedtrace <= 0 &&
        (sched.gcwaiting.load(std::memory_order_relaxed) || sched.npidle.load() == gomaxprocs())) {
      s->waiting.store(true, std::memory_order_seq_cst);
      // Re-check after publishing `waiting`: startm reads it after taking a P.
      if (sched.npidle.load() == gomaxprocs() || sched.gcwaiting.load()) {
        notesleep(&s->stopnote);
        noteclear(&s->stopnote);
      }
      s->waiting.store(false, std::memory_order_relaxed);
      if (s->stop.load(std::memory_order_acquire)) return;
      idle = 0;
      continue;
    }
    // Nobody polled the network for 10 ms (every P busy): poll, so goroutines
    // waiting on it do not wait for a P to run out of work (Go's sysmon).
    int64_t lastpoll = sched.lastpoll.load(std::memory_order_relaxed);
    if (lastpoll != 0 && lastpoll + kNetpollStaleNs < now) {
      sched.lastpoll.compare_exchange_strong(lastpoll, now);
      GList list;
      int32_t delta = 0;
      if (netpoll(0, &list, &delta)) injectglist(&list);
      netpoll_adjust_waiters(delta);  // only now: sysmon is no M, checkdead may run meanwhile
    }
    if (retake(*s, now) != 0) {
      idle = 0;
    } else {
      ++idle;
    }
  }
}

}  // namespace

void sysmon_start() {
  auto* s = new Sysmon();
  coarse_nanotime_update(nanotime());
  s->thread = std::thread(sysmon_loop, s);
  sysmon_state.store(s, std::memory_order_release);
}

void sysmon_stop() {
  Sysmon* s = sysmon_state.exchange(nullptr, std::memory_order_acq_rel);
  if (s == nullptr) return;
  s->stop.store(true, std::memory_order_release);
  notewakeup(&s->stopnote);
  s->thread.join();
  delete s;
}

void sysmon_wake() {
  Sysmon* s = sysmon_state.load(std::memory_order_acquire);
  if (s != nullptr && s->waiting.load(std::memory_order_seq_cst)) notewakeup(&s->stopnote);
}

}  // namespace gort::runtime

namespace gort::runtime {

void sysmon_kick() {
  Sysmon* s = sysmon_state.load(std::memory_order_acquire);
  if (s == nullptr) return;
  // Asleep because every P was idle: this P left the idle list without a
  // startm (exitsyscall took it back), so nothing else wakes sysmon to hand it
  // on (mirrors entersyscall_sysmon).  The caller published the P's Syscall
  // status seq_cst before this load, and sysmon publishes `waiting` before
  // re-reading npidle, so one of the two sees the other.
  if (s->waiting.load(std::memory_order_seq_cst)) {
    notewakeup(&s->stopnote);
    return;
  }
  if (s->backed_off.exchange(false, std::memory_order_relaxed)) notewakeup(&s->stopnote);
}

}  // namespace gort::runtime
