// gc_stack_scan.cpp — scanning goroutine stacks while the world runs (mirrors
// suspendG/resumeG in preempt.go, the stack jobs of markroot and gcscandone in
// mgcmark.go).
//
// Model.  Each mark scans every goroutine's stack exactly once, with that
// goroutine stopped, and never rescans it: the hybrid write barrier shades
// whatever a goroutine could hide from a stack already scanned (gc/README.md).
//   - begin_stack_scans (world stopped) opens cycle c: goroutines alive then owe
//     a scan (stacks_pending counts them); dead records count as scanned, and a
//     goroutine created during the mark is born scanned — its `go` closure, the
//     only thing on its stack, is shaded by newproc instead (Go shades the
//     closure through the write barrier on newg.sched.ctxt).
//   - A scanner (a mark worker on g0, an assist on a goroutine) claims a
//     goroutine with gc_scan_lock (Go's _Gscan bit), reads its status and, if it
//     is not running, scans [saved SP, stack top) and its closure, then records
//     gc_scanned_cycle = c.  A running goroutine is left alone: it is asked to
//     stop at its next safe point (preempt) and will be scanned as it resumes.
//   - execute, switching to a goroutine during the mark, scans it first if this
//     cycle has not (scan_before_resume).  Its status is already Running then,
//     so a scanner arriving later leaves it; a scanner that claimed it earlier
//     saw it stopped and is scanning: execute waits for its lock.  A goroutine
//     that never ran is bound to its stack only after that (execute_prep), so
//     no scanner reads stack fields while they are written.
//   - exitsyscall, returning into frames a scanner may be reading, waits for
//     the lock too (Go's exitsyscall spins on _Gscansyscall).
// The status store of the resumer and the claim of the scanner are ordered by
// sequentially consistent operations (a store-load pair on each side: status then
// lock, lock then status), so at least one of them sees the other.  Only
// while the scheduler's gc_marking flag is up, which changes with the world
// stopped, do resumers pay for the fence.
//
// Rejected: Go's status bit (_Gscan) inside the status word — it would make every
// owner-only status change in the switch path a CAS loop; a separate lock word
// costs nothing outside a mark.
// Rejected: stopping a running goroutine and waiting for it (Go's suspendG spins
// until the G stops) — a scanner on g0 would hold its P idle; scanning at the
// next resume does the same work without waiting.
#include "gc_stack_scan.hpp"

#include <gort/runtime/internal/gc_support.hpp>

#include "current.hpp"
#include "nanotime.hpp"
#include "proc.hpp"

namespace gort::runtime {

namespace {

/// The current mark cycle; a goroutine with gc_scanned_cycle == it is scanned.
std::atomic<uint32_t> scan_cycle{0};
/// Goroutines owing a scan this cycle.
std::atomic<int64_t> pending{0};
/// Where scan_pending_stacks resumes its walk of allg (guarded by allglock;
/// G records are never freed, so the pointer stays valid).
G* scan_cursor = nullptr;
/// When scan_pending_stacks last asked running goroutines to stop.
std::atomic<int64_t> last_preempt_ns{0};

void scan_roots_of(G* gp, GStatus st) {
  const GoroutineRoots roots = goroutine_roots(gp, st);
  if (roots.nranges == 0) return;
  gc_hooks()->scan_goroutine(roots.ranges, roots.nranges, roots.stack_bytes);
}

/// Claims gp and scans it unless this cycle did; resuming: the caller is about
/// to run gp (its Running status is then the caller's, not a reason to skip).
/// Returns true when gp counts as scanned; false when another scanner holds it
/// or it runs.
bool scan_once(G* gp, bool resuming) {
  const uint32_t cycle = scan_cycle.load(std::memory_order_relaxed);
  if (gp->gc_scanned_cycle.load(std::memory_order_acquire) == cycle) return true;
  uint32_t unlocked = 0;
  if (!gp->gc_scan_lock.compare_exchange_strong(unlocked, 1, std::memory_order_seq_cst)) return false;
  bool scanned = gp->gc_scanned_cycle.load(std::memory_order_relaxed) == cycle;
  if (!scanned) {
    const GStatus st = gp->status.load(std::memory_order_seq_cst);
    if (st != GStatus::Running || resuming) {
      scan_roots_of(gp, st);
      gp->gc_scanned_cycle.store(cycle, std::memory_order_release);
      pending.fetch_sub(1, std::memory_order_acq_rel);
      scanned = true;
    }
  }
  gp->gc_scan_lock.store(0, std::memory_order_release);
  return scanned;
}

}  // namespace

// mirrors the stack roots of scanstack, conservatively (see gc_support.cpp)
GoroutineRoots goroutine_roots(const G* gp, GStatus st) {
  GoroutineRoots r;
  if (st == GStatus::Dead || st == GStatus::Idle) return r;
  r.ranges[0] = gp->closure_buf;
  r.ranges[1] = gp->closure_buf + sizeof(gp->closure_buf);
  r.nranges = 2;
  if (gp->stack_hi == nullptr) return r;
  const char* sp = nullptr;
  if (st == GStatus::Syscall) {
    sp = gp->syscall_sp;
  } else if (gp->fiber.fctx != nullptr) {
    sp = static_cast<const char*>(gp->fiber.fctx);
  } else if (gp->closure != nullptr && gp->closure >= static_cast<void*>(gp->stack_lo) &&
             gp->closure < static_cast<void*>(gp->stack_hi)) {
    sp = static_cast<const char*>(gp->closure);  // never ran: only its closure is live
  }
  if (sp == nullptr || sp < gp->stack_lo || sp >= gp->stack_hi) return r;
  r.ranges[2] = sp;
  r.ranges[3] = gp->stack_hi;
  r.nranges = 4;
  r.stack_bytes = static_cast<uint64_t>(gp->stack_hi - sp);
  return r;
}

// mirrors gcMarkRootPrepare's snapshot of allgs
void begin_stack_scans() {
  const uint32_t cycle = scan_cycle.load(std::memory_order_relaxed) + 1;
  int64_t live = 0;
  {
    LockGuard guard(sched.allglock);
    for (G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
      gp->gc_assist_bytes = 0;  // every goroutine starts the mark debt-free (gcResetMarkState)
      const GStatus st = readgstatus(gp);
      if (st == GStatus::Dead || st == GStatus::Idle) {
        gp->gc_scanned_cycle.store(cycle, std::memory_order_relaxed);
      } else {
        ++live;
      }
    }
    scan_cursor = sched.allg;
  }
  pending.store(live, std::memory_order_relaxed);
  scan_cycle.store(cycle, std::memory_order_relaxed);
  sched.gc_marking.store(true, std::memory_order_release);
}

void end_stack_scans() { sched.gc_marking.store(false, std::memory_order_release); }

int64_t stacks_pending() { return pending.load(std::memory_order_acquire); }

int64_t scan_pending_stacks(int max, bool preempt_running) {
  if (pending.load(std::memory_order_acquire) == 0) return 0;
  // Collect candidates under allglock, scan them without it: a scan takes
  // microseconds and newproc needs the lock to register goroutines.
  constexpr int kBatch = 32;
  G* batch[kBatch];
  int n = 0;
  const uint32_t cycle = scan_cycle.load(std::memory_order_relaxed);
  {
    LockGuard guard(sched.allglock);
    G* gp = scan_cursor;
    int64_t walked = 0;
    const int64_t total = sched.allglen.load(std::memory_order_relaxed);
    while (n < max && n < kBatch && walked < total) {
      if (gp == nullptr) gp = sched.allg;  // wrap: running ones are retried
      if (gp->gc_scanned_cycle.load(std::memory_order_relaxed) != cycle) batch[n++] = gp;
      gp = gp->alllink;
      ++walked;
    }
    scan_cursor = gp;
  }
  bool running_seen = false;
  for (int i = 0; i < n; ++i) {
    if (!scan_once(batch[i], /*resuming=*/false)) running_seen = true;
  }
  if (running_seen && preempt_running) {
    // Every P's scheduler pass may land here while a goroutine runs on: ask
    // at most every kPreemptIntervalNs, not on every pass.
    constexpr int64_t kPreemptIntervalNs = 100'000;
    const int64_t now = nanotime();
    int64_t last = last_preempt_ns.load(std::memory_order_relaxed);
    if (now - last >= kPreemptIntervalNs && last_preempt_ns.compare_exchange_strong(last, now)) {
      preempt_all_goroutines();
    }
  }
  return pending.load(std::memory_order_acquire);
}

void scan_before_resume(G* gp) {
  std::atomic_thread_fence(std::memory_order_seq_cst);  // status (Running) before the lock
  while (!scan_once(gp, /*resuming=*/true)) procyield(30);
}

void wait_for_stack_scan(G* gp) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  while (gp->gc_scan_lock.load(std::memory_order_acquire) != 0) procyield(30);
}

void goroutine_created_during_mark(G* gp) {
  gp->gc_scanned_cycle.store(scan_cycle.load(std::memory_order_relaxed), std::memory_order_release);
  scan_roots_of(gp, GStatus::Runnable);
}

void mark_new_g_scanned(G* gp) {
  gp->gc_scanned_cycle.store(scan_cycle.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

void goroutine_exited_during_mark(G* gp) {
  // Status is Dead already: scan_once records it without scanning.
  while (!scan_once(gp, /*resuming=*/true)) procyield(30);
}

int64_t* current_goroutine_assist_credit() {
  M* mp = current_m();
  if (mp == nullptr || mp->curg == nullptr) return nullptr;
  return &mp->curg->gc_assist_bytes;
}

bool gc_worker_should_yield() {
  M* mp = current_m();
  if (mp == nullptr || mp->p == nullptr) return true;
  return mp->p->preempt.load(std::memory_order_relaxed) || sched.gcwaiting.load(std::memory_order_relaxed);
}

bool runnable_work_waiting() {
  P* pp = current_p();
  return sched.runqsize.load(std::memory_order_relaxed) > 0 || (pp != nullptr && !runqempty(pp));
}

void wake_idle_p() { wakep(); }

}  // namespace gort::runtime
