// mark_worker.cpp — background and idle mark workers and the stack-scan hook
// (mirrors gcBgMarkWorker and findRunnableGCWorker in mgc.go / mgcpacer.go,
// gcDrain's modes in mgcmark.go, and scanstack's caller side).
//
// Model.  Go runs each P's mark worker as a goroutine the scheduler picks
// first when the pacer wants one.  gort runs the same work directly on the
// M's scheduler context (g0) at the same decision point, the top of
// find_runnable, with no goroutine to create, park or count: while a mark runs,
// every goroutine switch passes through g0 (proc.cpp), so each P asks:
//   - dedicated: the pacer still wants a dedicated worker (25% of GOMAXPROCS in
//     whole Ps): it takes one and marks until its P is asked to preempt (sysmon,
//     stop-the-world) or the work runs out;
//   - fractional: this P's fractional mark time is below its goal share of the
//     time since the mark started: mark until it passes 1.2 times the goal
//     (pollFractionalWorkerExit);
//   - idle (find_runnable's idle_work hook, through sweep.cpp): the P has nothing to run: mark until a
//     goroutine becomes runnable.
// A worker first flushes its P's write-barrier buffer (the P's goroutine is
// switched out), scans stacks still owed, then drains; its scan work becomes
// background credit assists may claim.  Every pass also checks whether the mark
// ran out of work, so a mark whose last stack was scanned by a resuming M still
// reaches termination.
#include <gort/runtime/internal/gc_support.hpp>

#include "assist.hpp"
#include "limiter.hpp"
#include "mark.hpp"
#include "mark_worker.hpp"
#include "mgcwork.hpp"
#include "mwbbuf.hpp"
#include "pacer.hpp"
#include "tracing.hpp"

namespace gort::gc::detail {

namespace {

enum class WorkerMode { Dedicated, Fractional, Idle };

/// The running worker of this thread, for its stop test (a plain function).
struct WorkerContext {
  WorkerMode mode;
  PMarkState* pm;
  int64_t start_ns;
  int64_t mark_start_ns;
  double fractional_goal;
};
thread_local WorkerContext* current_worker = nullptr;

/// Scan work a worker does between looks at stacks and credit flushes: ~50 µs.
constexpr int64_t kWorkerChunkBytes = 256 << 10;
/// Goroutines a worker tries to scan per pass.
constexpr int kStacksPerPass = 16;

// mirrors pollFractionalWorkerExit and gcDrain's preemption checks
bool worker_should_stop() {
  if (runtime::gc_worker_should_yield() || !allocate_black.load(std::memory_order_relaxed)) return true;
  const WorkerContext& w = *current_worker;
  switch (w.mode) {
    case WorkerMode::Dedicated:
      return false;
    case WorkerMode::Idle:
      return runtime::runnable_work_waiting();
    case WorkerMode::Fractional: {
      const int64_t now = runtime::gc_nanotime();
      const int64_t delta = now - w.mark_start_ns;
      if (delta <= 0) return false;
      const double self = static_cast<double>(w.pm->fractional_ns + (now - w.start_ns));
      constexpr double kFractionalOvershoot = 1.2;  // Go's: stop 20% past the goal
      return self / static_cast<double>(delta) > kFractionalOvershoot * w.fractional_goal;
    }
  }
  return true;
}

/// Marks as `mode` on the calling M's P until told to stop or out of work;
/// returns true when it did any work.
bool run_worker(WorkerMode mode, PMarkState* pm, int64_t now) {
  const MarkWorkerPlan& plan = mark_worker_plan();
  WorkerContext ctx{mode, pm, now, plan.mark_start_ns.load(std::memory_order_relaxed),
                    plan.fractional_goal.load(std::memory_order_relaxed)};
  current_worker = &ctx;
  bool worked = false;
  {
    ActiveMarker active;
    MarkCounters& c = mark_counters();
    for (;;) {
      const int64_t pending_before = runtime::stacks_pending();
      const int64_t pending_after =
          pending_before == 0 ? 0 : runtime::scan_pending_stacks(kStacksPerPass, /*preempt_running=*/true);
      const int64_t done = thread_marker().drain_concurrent(kWorkerChunkBytes, &worker_should_stop);
      if (done > 0) {
        c.bg_scan_credit.fetch_add(done, std::memory_order_relaxed);
        wake_parked_assists();
      }
      const bool progress = done > 0 || pending_after < pending_before;
      worked |= progress;
      if (!progress || worker_should_stop()) break;
    }
  }
  current_worker = nullptr;
  const int64_t elapsed = runtime::gc_nanotime() - now;
  MarkCounters& c = mark_counters();
  switch (mode) {
    case WorkerMode::Dedicated:
      c.dedicated_ns.fetch_add(elapsed, std::memory_order_relaxed);
      mark_worker_plan().dedicated_needed.fetch_add(1, std::memory_order_relaxed);
      break;
    case WorkerMode::Fractional:
      c.fractional_ns.fetch_add(elapsed, std::memory_order_relaxed);
      pm->fractional_ns += elapsed;
      break;
    case WorkerMode::Idle:
      c.idle_ns.fetch_add(elapsed, std::memory_order_relaxed);
      limiter_add_idle_time(elapsed);
      break;
  }
  return worked;
}

/// True when a worker could find something to do (mirrors gcMarkWorkAvailable).
bool work_available() { return !grey_pool_empty() || runtime::stacks_pending() != 0; }

/// What both workers do around their mark: flush this P's barrier buffer (its
/// goroutine is switched out; mark termination's ragged barrier relies on it),
/// and, if the mark has work, run the worker choose(pm, now) picks (false: no
/// worker here now).  Returns true when it did something the scheduler should
/// look at again: work, or readying a goroutine (a parked assist, the
/// termination goroutine) that may be in this P's queue now.
template <class Choose>
bool run_worker_if_work(Choose choose) {
  if (!allocate_black.load(std::memory_order_relaxed)) return false;
  PMarkState* pm = current_p_mark_state();
  if (pm == nullptr) return false;
  flush_write_barrier_buffer(*pm);
  if (!work_available()) return signal_if_mark_done();
  const int64_t now = runtime::gc_nanotime();
  WorkerMode mode;
  if (!choose(*pm, now, &mode)) return false;
  trace_event(&TraceHooks::mark_worker_start, static_cast<uint8_t>(mode));
  const bool worked = run_worker(mode, pm, now);
  trace_event(&TraceHooks::mark_worker_done);
  return worked | signal_if_mark_done() | runtime::runnable_work_waiting();
}

}  // namespace

// mirrors findRunnableGCWorker + gcBgMarkWorker
bool background_mark_worker() {
  return run_worker_if_work([](const PMarkState& pm, int64_t now, WorkerMode* mode) {
    limiter_update(now);
    MarkWorkerPlan& plan = mark_worker_plan();
    int64_t dedicated = plan.dedicated_needed.load(std::memory_order_relaxed);
    while (dedicated > 0 && !plan.dedicated_needed.compare_exchange_weak(dedicated, dedicated - 1)) {
    }
    if (dedicated > 0) {
      *mode = WorkerMode::Dedicated;
      return true;
    }
    const double goal = plan.fractional_goal.load(std::memory_order_relaxed);
    if (goal == 0) return false;
    const int64_t delta = now - plan.mark_start_ns.load(std::memory_order_relaxed);
    if (delta > 0 && static_cast<double>(pm.fractional_ns) / static_cast<double>(delta) > goal) return false;
    *mode = WorkerMode::Fractional;
    return true;
  });
}

// mirrors scanstack, conservatively: grey a stopped goroutine's roots
void scan_goroutine(const void* const* ranges, int nranges, uint64_t stack_bytes) {
  MarkState& m = thread_marker();
  for (int i = 0; i + 1 < nranges; i += 2) m.scan_conservative(ranges[i], ranges[i + 1]);
  mark_counters().stack_scan_work.fetch_add(stack_bytes, std::memory_order_relaxed);
  m.publish();
}

bool idle_mark_worker() {
  return run_worker_if_work([](const PMarkState&, int64_t, WorkerMode* mode) {
    *mode = WorkerMode::Idle;
    return true;
  });
}

}  // namespace gort::gc::detail
