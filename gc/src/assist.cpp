// assist.cpp — mark assists (mirrors deductAssistCredit in malloc.go and
// gcAssistAlloc, gcAssistAlloc1, gcParkAssist and gcFlushBgCredit in
// mgcmark.go).
//
// Model.  While a mark runs, a goroutine that allocates pays for it in scan
// work: each byte allocated costs assist_work_per_byte bytes of scanning
// (pacer.cpp), so allocation cannot outrun the mark and push the heap past its
// goal however few CPUs the background workers get.  A goroutine keeps a credit
// (G.gc_assist_bytes); allocation spends it; in debt, the goroutine first takes
// credit the background workers earned (bgScanCredit), then marks itself —
// at least gcOverAssistWork (64 KiB of scanning) at a time, so assists are few
// and long rather than one per allocation.  When there is no work to take
// (everything is in other markers' hands or the mark is about to end), the
// goroutine parks until background work arrives or the mark ends.  While the
// GC CPU limiter is limiting, assists are skipped (limiter.cpp).
#include <algorithm>

#include <gort/runtime.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "assist.hpp"
#include "limiter.hpp"
#include "mgcwork.hpp"
#include "mwbbuf.hpp"
#include "pacer.hpp"
#include "tracing.hpp"

namespace gort::gc::detail {

namespace {

/// Go's gcOverAssistWork: the least scan work an assist does (64 KiB).
constexpr int64_t kOverAssistWork = 64 << 10;

/// Goroutines parked in an assist (Go's work.assistQueue).
GoroutineWaitQueue& assist_queue() {
  static auto* q = new GoroutineWaitQueue();
  return *q;
}

bool assist_should_stop() { return runtime::gc_worker_should_yield() || !allocate_black.load(std::memory_order_relaxed); }

// mirrors gcAssistAlloc1: scan up to work bytes, stacks first; returns the work done
int64_t assist_mark(int64_t work) {
  ActiveMarker active;
  if (runtime::stacks_pending() != 0) runtime::scan_pending_stacks(4, /*preempt_running=*/false);
  return thread_marker().drain_concurrent(work, &assist_should_stop);
}

}  // namespace

void wake_parked_assists() {
  if (assist_queue().has_waiters()) assist_queue().wake_all();
}

// mirrors deductAssistCredit + gcAssistAlloc
void assist_for_allocation(std::size_t bytes) {
  int64_t* credit = runtime::current_goroutine_assist_credit();
  if (credit == nullptr || !runtime::on_goroutine_with_p()) return;
  *credit -= static_cast<int64_t>(bytes);
  if (*credit >= 0) return;
  MarkCounters& c = mark_counters();
  for (;;) {
    if (!allocate_black.load(std::memory_order_relaxed) || limiter_limiting()) return;
    pacer_revise();
    // The debt in scan work, rounded up to the minimum assist.
    const double bytes_per_work = assist_bytes_per_work();
    const int64_t work = std::max(
        static_cast<int64_t>(assist_work_per_byte() * static_cast<double>(-*credit)), kOverAssistWork);
    // Steal background credit first.
    int64_t left = work;
    int64_t available = c.bg_scan_credit.load(std::memory_order_relaxed);
    while (available > 0) {
      const int64_t take = std::min(available, work);
      if (c.bg_scan_credit.compare_exchange_weak(available, available - take, std::memory_order_relaxed)) {
        *credit += static_cast<int64_t>(bytes_per_work * static_cast<double>(take));
        left -= take;
        break;
      }
    }
    if (*credit >= 0) return;
    const int64_t start = runtime::gc_nanotime();
    trace_event(&TraceHooks::assist_start);
    const int64_t done = assist_mark(left);
    trace_event(&TraceHooks::assist_done);
    const int64_t elapsed = runtime::gc_nanotime() - start;
    c.assist_ns.fetch_add(elapsed, std::memory_order_relaxed);
    limiter_add_assist_time(elapsed);
    limiter_update(start + elapsed);
    *credit += static_cast<int64_t>(bytes_per_work * static_cast<double>(done));
    if (mark_work_exhausted()) {
      // This assist may have been the mark's last worker (gcAssistAlloc1's
      // "signal a completion point"): Go then runs gcMarkDone on this very
      // goroutine.  Here the signal readied the mark-termination goroutine into
      // this P's runnext; yield so it runs now, not when this goroutine's time
      // slice ends (10 ms on a P nobody else frees).
      runtime::yield_to_readied();
      continue;
    }
    if (*credit >= 0) return;
    if (runtime::gc_worker_should_yield()) {
      gort::gosched();  // preempted mid-assist: let the stop or the scheduler happen, then retry
      continue;
    }
    if (done > 0) continue;
    // No work to take: wait for background work, credit or the mark's end.
    assist_queue().wait(runtime::WaitReason::GCAssistWait, [&] {
      return !allocate_black.load(std::memory_order_relaxed) || !grey_pool_empty() ||
             c.bg_scan_credit.load(std::memory_order_relaxed) > 0;
    });
  }
}

}  // namespace gort::gc::detail
