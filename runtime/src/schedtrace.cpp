// schedtrace.cpp — GODEBUG=schedtrace=N[,scheddetail=1] (mirrors schedtrace in
// proc.go, Go 1.19's format field for field).  sysmon calls it every N ms.
//
//   SCHED 1004ms: gomaxprocs=2 idleprocs=0 threads=5 spinningthreads=0 idlethreads=2 runqueue=0 [1 0]
//
// With scheddetail=1 the first line gains gcwaiting, nmidlelocked, stopwait and
// sysmonwait — and, gort's own, the network poller's backend (netpoll=uring or
// epoll) — and one line per P, M and G follows.  Fields gort does not have
// (mallocing, throwing, preemptoff, dying) print as Go prints them when unset.
// Values are read under sched.lock but many change concurrently, as in Go.
#include <atomic>
#include <cstdio>

#include <gort/runtime/internal/netpoll.hpp>

#include "nanotime.hpp"
#include "sched.hpp"

namespace gort::runtime {

namespace {
/// Reports printed so far; incremented after a report's last line.
std::atomic<uint64_t> reports_printed{0};

/// scheddetail's line per M and per G.  Caller holds sched.lock; racy reads as
/// in schedtrace.
__attribute__((no_sanitize("thread"))) void print_ms_and_gs(FILE* out) {
  for (M* mp = sched.allm; mp != nullptr; mp = mp->alllink) {
    if (mp->done.load(std::memory_order_acquire)) continue;
    P* pp = mp->p;
    G* gp = mp->curg;
    G* lockedg = mp->lockedg;
    std::fprintf(out,
                 "  M%lld: p=%d curg=%lld mallocing=0 throwing=0 preemptoff= locks=%d dying=0 spinning=%s "
                 "blocked=%s lockedg=%lld\n",
                 static_cast<long long>(mp->id), pp != nullptr ? pp->id : -1,
                 static_cast<long long>(gp != nullptr ? gp->goid : -1), mp->locks, mp->spinning ? "true" : "false",
                 mp->p == nullptr && mp->curg == nullptr ? "true" : "false",
                 static_cast<long long>(lockedg != nullptr ? lockedg->goid : -1));
  }
  LockGuard ag(sched.allglock);
  for (G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
    M* mp = gp->m.load(std::memory_order_relaxed);  // racy by design, like Go's
    std::fprintf(out, "  G%lld: status=%u(%s) m=%lld lockedm=%lld\n", static_cast<long long>(gp->goid),
                 static_cast<unsigned>(readgstatus(gp)), wait_reason_string(gp->waitreason),
                 static_cast<long long>(mp != nullptr ? mp->id : -1),
                 static_cast<long long>(gp->lockedm != nullptr ? gp->lockedm->id : -1));
  }
}

}  // namespace

uint64_t schedtrace_reports() { return reports_printed.load(std::memory_order_acquire); }

// Reads other threads' P, M and G fields without their owners' cooperation, as
// Go's schedtrace does; exempt from TSAN, which would report each such read.
__attribute__((no_sanitize("thread"))) void schedtrace(bool detailed, int64_t start_ns, bool sysmon_waiting) {
  const int64_t now = nanotime();
  FILE* out = stderr;
  LockGuard g(sched.lock);
  int32_t threads = sched.mcount;
  std::fprintf(out,
               "SCHED %lldms: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d idlethreads=%d "
               "runqueue=%d",
               static_cast<long long>((now - start_ns) / 1'000'000), gomaxprocs(), sched.npidle.load(), threads,
               sched.nmspinning.load(), sched.nmidle, sched.runqsize.load());
  if (detailed) {
    std::fprintf(out, " gcwaiting=%d nmidlelocked=%d stopwait=%d sysmonwait=%d netpoll=%s\n",
                 sched.gcwaiting.load() ? 1 : 0, sched.nmidlelocked, sched.stopwait, sysmon_waiting ? 1 : 0,
                 netpoll_backend_name());
  }
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    const uint32_t qlen = pp->runq.size();
    if (detailed) {
      M* mp = pp->m;
      // The heap's length under its lock: the exemption above covers this
      // function's own reads, not vector::size, which sanitizer builds (-O1)
      // leave out of line.  sched.lock, then a timers_lock: nothing holding a
      // timers_lock takes sched.lock (timers.cpp).
      std::size_t timers_len = 0;
      {
        LockGuard t(pp->timers_lock);
        timers_len = pp->timers.size();
      }
      std::fprintf(out, "  P%d: status=%u schedtick=%u syscalltick=%u m=%lld runqsize=%u gfreecnt=%d timerslen=%zu\n",
                   i, static_cast<unsigned>(pp->status.load()), pp->schedtick.load(), pp->syscalltick.load(),
                   static_cast<long long>(mp != nullptr ? mp->id : -1), qlen, pp->gfree_n, timers_len);
    } else {
      std::fprintf(out, "%s%u%s", i == 0 ? " [" : " ", qlen, i == procs - 1 ? "]\n" : "");
    }
  }
  if (detailed) print_ms_and_gs(out);
  reports_printed.fetch_add(1, std::memory_order_release);
}

}  // namespace gort::runtime
