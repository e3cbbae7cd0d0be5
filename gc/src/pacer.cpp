// pacer.cpp — when the next cycle starts (mirrors gcControllerState.commit,
// heapGoalInternal and trigger in mgcpacer.go; GOGC and GOMEMLIMIT are parsed by
// the runtime when gort::run starts, runtime/src/env.cpp, as Go's gcinit does).
//
// Heap goal (Go 1.19, GOGC part): the live heap of the last mark plus GOGC% of
// everything the next mark must scan — that live heap, the stack bytes it
// scanned and the globals (here: the gc::Roots, 8 bytes each):
//     goal = marked + (marked + stacks + globals) * GOGC / 100,
// never below the minimum heap 4 MiB * GOGC / 100 (defaultHeapMinimum).  GOGC=off
// (or a negative percentage) disables collection unless forced.
//
// Trigger (Go 1.19): the cycle starts a runway before the goal, long enough for
// the mark to finish as the heap reaches the goal while background workers use
// 25% of the CPU.  The runway comes from the cons/mark ratio — bytes the program
// allocates per byte the collector scans, per unit of CPU each has — measured at
// the end of every cycle (endCycle) and smoothed by Go's PI controller:
//     runway = consMark * (1 - 0.25) / 0.25 * (heap scan + stack scan + globals)
//     trigger = goal - runway, clamped between 0.7 and 0.95 of the way from the
//     marked heap to the goal (and at most goal - 4 MiB for large heaps).
//
// Assists (revise): while marking, every byte allocated owes
//     assist_work_per_byte = scan work remaining / heap remaining before the goal
// bytes of scanning, so the mark finishes by the goal even if the background
// workers fall behind; past the expected work the goal is extended up to the
// hard goal (1 + GOGC/100) * goal, as Go does.
//
// Mark workers (startCycle): 25% of GOMAXPROCS as dedicated workers, rounded to
// the nearest whole P unless that is more than 30% off, in which case the rest
// is fractional: on 2 Ps no dedicated worker and each P's fractional worker
// aims at 25% of that P.
//
// Memory limit (Go 1.19's memoryLimitHeapGoal): the heap goal is also capped by
// what GOMEMLIMIT leaves after the memory that is not heap objects; the lower
// goal wins, and with GOGC=off only the limit triggers cycles.  The goal moves
// with the process's memory, so the trigger is recomputed at each check while a
// limit is set (current_trigger).  The GC CPU limiter is limiter.cpp.
#include <gort/gc/collector.hpp>

#include <algorithm>
#include <cmath>
#include <climits>
#include <mutex>
#include <string>

#include <gort/gc/mheap.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "mgcwork.hpp"
#include "pacer.hpp"
#include "tracing.hpp"

namespace gort::gc::detail {

std::atomic<uint64_t> heap_live{0};

namespace {

/// heap_live at which the next cycle starts under GOGC alone (UINT64_MAX with
/// GOGC=off); current_trigger() also weighs the memory limit.
std::atomic<uint64_t> heap_trigger{0};

/// Go's defaultHeapMinimum: the goal never drops below 4 MiB * GOGC/100.
constexpr uint64_t kDefaultHeapMinimum = uint64_t{4} << 20;
/// Trigger clamps as fractions of the runway, over Go's denominator 64
/// (triggerRatioDen, minTriggerRatioNum = 45 ≈ 0.7, maxTriggerRatioNum = 61 ≈ 0.95).
constexpr uint64_t kTriggerRatioDen = 64;
constexpr uint64_t kMinTriggerRatioNum = 45;
constexpr uint64_t kMaxTriggerRatioNum = 61;

/// Pacer state; written under pacer_lock, read with relaxed loads.
std::mutex pacer_lock;
std::atomic<int32_t> gogc{100};
std::atomic<int64_t> memory_limit{INT64_MAX};
std::atomic<uint64_t> heap_marked{0};
std::atomic<uint64_t> heap_goal{kDefaultHeapMinimum};
std::atomic<uint64_t> last_stack_scan{0};
std::atomic<uint64_t> globals_scan{0};
/// Heap scan work of the last mark (Go's lastHeapScan): what the next must scan.
std::atomic<uint64_t> last_heap_scan{0};

/// gcBackgroundUtilization = gcGoalUtilization: background workers' CPU share.
constexpr double kBackgroundUtilization = 0.25;
/// Go's maxUtilError: rounding the dedicated workers may miss 25% by this much.
constexpr double kMaxUtilError = 0.3;

/// The cons/mark ratio and its PI controller (Go's consMark and
/// consMarkController: kp 0.9, ti 4.0, tt 1000, output clamped to ±1000).
/// Guarded by pacer_lock.
struct ConsMarkController {
  static constexpr double kp = 0.9, ti = 4.0, tt = 1000, min = -1000, max = 1000;
  double err_integral = 0;
  /// Mirrors piController.next: one step towards setpoint; false (and reset)
  /// on an overflow.
  bool next(double input, double setpoint, double period, double* out) {
    const double prop = kp * (setpoint - input);
    const double raw = prop + err_integral;
    double output = raw;
    if (!std::isfinite(output)) {
      err_integral = 0;
      *out = min;
      return false;
    }
    output = std::clamp(output, min, max);
    err_integral += (kp * period / ti) * (setpoint - input) + (period / tt) * (output - raw);
    if (!std::isfinite(err_integral)) {
      err_integral = 0;
      *out = min;
      return false;
    }
    *out = output;
    return true;
  }
};
ConsMarkController cons_mark_controller;
double cons_mark = 0;
/// Heap the program may allocate during a mark (Go's runway).
std::atomic<uint64_t> runway{0};
/// heap_live when the running cycle started (Go's triggered), UINT64_MAX between cycles.
std::atomic<uint64_t> triggered{UINT64_MAX};
/// Assist ratios of the running mark (Go's assistWorkPerByte / assistBytesPerWork).
std::atomic<double> work_per_byte{0};
std::atomic<double> bytes_per_work{0};
/// When the running mark started (Go's markStartTime).
std::atomic<int64_t> mark_start_ns{0};

/// Go 1.19's memoryLimitHeapGoalHeadroom: the memory-limit goal stays 1 MiB
/// under what the limit leaves for the heap, for pacing inaccuracies.
constexpr uint64_t kMemoryLimitHeadroom = uint64_t{1} << 20;

/// The trigger for goal (mirrors gcControllerState.trigger): goal - runway,
/// clamped between 0.7 and 0.95 of the way from the marked heap to the goal.
uint64_t trigger_for(uint64_t goal, uint64_t marked) {
  if (goal == UINT64_MAX) return UINT64_MAX;
  if (marked >= goal) return goal;
  const uint64_t min_trigger = (goal - marked) / kTriggerRatioDen * kMinTriggerRatioNum + marked;
  uint64_t max_trigger = (goal - marked) / kTriggerRatioDen * kMaxTriggerRatioNum + marked;
  if (goal > kDefaultHeapMinimum && goal - kDefaultHeapMinimum > max_trigger) max_trigger = goal - kDefaultHeapMinimum;
  if (max_trigger < min_trigger) max_trigger = min_trigger;
  const uint64_t r = runway.load(std::memory_order_relaxed);
  const uint64_t trigger = r > goal ? min_trigger : goal - r;
  return std::clamp(trigger, min_trigger, max_trigger);
}

/// The heap goal the memory limit allows (mirrors memoryLimitHeapGoal, Go 1.19):
/// the limit minus the memory that is not heap objects (free unreleased pages
/// excluded: the scavenger can return them) and minus any overage, less 1 MiB of
/// headroom, never below the marked heap.  UINT64_MAX without a limit.
uint64_t memory_limit_goal() {
  const int64_t limit_signed = memory_limit.load(std::memory_order_relaxed);
  if (limit_signed == INT64_MAX) return UINT64_MAX;
  const uint64_t limit = static_cast<uint64_t>(limit_signed);
  const HeapStats& hs = heap_stats();
  const uint64_t sys = hs.sys_bytes.load(std::memory_order_relaxed);
  const uint64_t released = hs.released_bytes.load(std::memory_order_relaxed);
  const uint64_t inuse = hs.inuse_bytes.load(std::memory_order_relaxed);
  const uint64_t heap_alloc = hs.alloc_bytes.load(std::memory_order_relaxed);
  const uint64_t mapped_ready = sys - released + runtime::read_stack_memory().inuse_bytes;
  const uint64_t heap_free = sys - inuse - released;
  const uint64_t non_heap = mapped_ready > heap_free + heap_alloc ? mapped_ready - heap_free - heap_alloc : 0;
  const uint64_t overage = mapped_ready > limit ? mapped_ready - limit : 0;
  const uint64_t marked = heap_marked.load(std::memory_order_relaxed);
  if (non_heap + overage >= limit) return marked;
  uint64_t goal = limit - (non_heap + overage);
  if (goal < kMemoryLimitHeadroom || goal - kMemoryLimitHeadroom < kMemoryLimitHeadroom) {
    goal = kMemoryLimitHeadroom;
  } else {
    goal -= kMemoryLimitHeadroom;
  }
  return goal < marked ? marked : goal;
}

/// Recomputes the GOGC goal and its trigger (mirrors commit).  Caller holds pacer_lock.
void commit_locked() {
  const int32_t percent = gogc.load(std::memory_order_relaxed);
  if (percent < 0) {
    heap_goal.store(UINT64_MAX, std::memory_order_relaxed);
    heap_trigger.store(UINT64_MAX, std::memory_order_relaxed);
    return;
  }
  const uint64_t marked = heap_marked.load(std::memory_order_relaxed);
  uint64_t goal = marked + (marked + last_stack_scan.load(std::memory_order_relaxed) +
                            globals_scan.load(std::memory_order_relaxed)) *
                               static_cast<uint64_t>(percent) / 100;
  const uint64_t minimum = kDefaultHeapMinimum * static_cast<uint64_t>(percent) / 100;
  if (goal < minimum) goal = minimum;
  heap_goal.store(goal, std::memory_order_relaxed);
  const double scan_total = static_cast<double>(last_heap_scan.load(std::memory_order_relaxed) +
                                                last_stack_scan.load(std::memory_order_relaxed) +
                                                globals_scan.load(std::memory_order_relaxed));
  runway.store(static_cast<uint64_t>(std::max(0.0, cons_mark * (1 - kBackgroundUtilization) /
                                                       kBackgroundUtilization * scan_total)),
               std::memory_order_relaxed);
  heap_trigger.store(trigger_for(goal, marked), std::memory_order_relaxed);
}

std::once_flag init_once;

}  // namespace

void pacer_init() {
  std::call_once(init_once, [] {
    std::lock_guard<std::mutex> guard(pacer_lock);
    // Parsed and checked by the runtime when gort::run started (env.cpp).
    gogc.store(runtime::env_gogc(), std::memory_order_relaxed);
    memory_limit.store(runtime::env_memory_limit(), std::memory_order_relaxed);
    commit_locked();
  });
}

void pacer_commit(uint64_t marked, uint64_t heap_scan, uint64_t stack_scan, uint64_t globals) {
  pacer_init();
  std::lock_guard<std::mutex> guard(pacer_lock);
  heap_marked.store(marked, std::memory_order_relaxed);
  last_heap_scan.store(heap_scan, std::memory_order_relaxed);
  last_stack_scan.store(stack_scan, std::memory_order_relaxed);
  globals_scan.store(globals, std::memory_order_relaxed);
  triggered.store(UINT64_MAX, std::memory_order_relaxed);
  commit_locked();
}

MarkWorkerPlan& mark_worker_plan() {
  static MarkWorkerPlan plan;
  return plan;
}

// mirrors gcControllerState.startCycle
void pacer_start_cycle(int64_t now, int32_t procs, uint64_t live) {
  pacer_init();
  {
    std::lock_guard<std::mutex> guard(pacer_lock);
    triggered.store(std::min(live, current_trigger()), std::memory_order_relaxed);
  }
  mark_start_ns.store(now, std::memory_order_relaxed);
  MarkWorkerPlan& plan = mark_worker_plan();
  const double total_goal = static_cast<double>(procs) * kBackgroundUtilization;
  int64_t dedicated = static_cast<int64_t>(total_goal + 0.5);
  const double util_error = static_cast<double>(dedicated) / total_goal - 1;
  double fractional = 0;
  if (util_error < -kMaxUtilError || util_error > kMaxUtilError) {
    if (static_cast<double>(dedicated) > total_goal) --dedicated;
    fractional = (total_goal - static_cast<double>(dedicated)) / static_cast<double>(procs);
  }
  plan.dedicated_needed.store(dedicated, std::memory_order_relaxed);
  plan.fractional_goal.store(fractional, std::memory_order_relaxed);
  plan.mark_start_ns.store(now, std::memory_order_relaxed);
  pacer_revise();
}

// mirrors gcControllerState.revise
void pacer_revise() {
  const int32_t percent_raw = gogc.load(std::memory_order_relaxed);
  const double percent = percent_raw < 0 ? 100000 : percent_raw;
  const uint64_t live = heap_live.load(std::memory_order_relaxed);
  const MarkCounters& c = mark_counters();
  const int64_t work = static_cast<int64_t>(c.heap_scan_work.load(std::memory_order_relaxed) +
                                            c.stack_scan_work.load(std::memory_order_relaxed) +
                                            c.globals_scan_work.load(std::memory_order_relaxed));
  int64_t goal = static_cast<int64_t>(std::min<uint64_t>(heap_goal_bytes(), INT64_MAX));
  const uint64_t trig = std::min<uint64_t>(triggered.load(std::memory_order_relaxed), live);
  int64_t expected = static_cast<int64_t>(last_heap_scan.load(std::memory_order_relaxed) +
                                          last_stack_scan.load(std::memory_order_relaxed) +
                                          globals_scan.load(std::memory_order_relaxed));
  // Go's heapScan counts the scannable heap including what was allocated since
  // the last mark; gort does not split allocation by scan/noscan, so everything
  // allocated since is counted (an upper bound, used only past the expectation).
  const uint64_t marked = heap_marked.load(std::memory_order_relaxed);
  const int64_t heap_scan = static_cast<int64_t>(last_heap_scan.load(std::memory_order_relaxed) +
                                                 (live > marked ? live - marked : 0));
  const int64_t max_scan = heap_scan + static_cast<int64_t>(runtime::read_stack_memory().inuse_bytes +
                                                            globals_scan.load(std::memory_order_relaxed));
  if (work > expected) {
    // The first cycle expects no work at all (nothing was scanned before it,
    // and gort has no data segment to count as globals): any work is past the
    // expectation and the extrapolation is unbounded, so the hard goal holds —
    // as in Go, whose first expectation is only its small globals estimate.
    const auto hard_goal = static_cast<int64_t>((1.0 + percent / 100.0) * static_cast<double>(goal));
    int64_t ext_goal = hard_goal;
    if (expected > 0) {
      ext_goal = static_cast<int64_t>(static_cast<double>(goal - static_cast<int64_t>(trig)) /
                                      static_cast<double>(expected) * static_cast<double>(max_scan)) +
                 static_cast<int64_t>(trig);
    }
    expected = max_scan;
    goal = std::min(ext_goal, hard_goal);
  }
  if (static_cast<int64_t>(live) > goal) {
    constexpr double kMaxOvershoot = 1.1;  // Go's: past the goal, aim 10% higher
    goal = static_cast<int64_t>(static_cast<double>(goal) * kMaxOvershoot);
    expected = max_scan;
  }
  const int64_t remaining_work = std::max<int64_t>(expected - work, 1000);
  const int64_t remaining_heap = std::max<int64_t>(goal - static_cast<int64_t>(live), 1);
  work_per_byte.store(static_cast<double>(remaining_work) / static_cast<double>(remaining_heap),
                      std::memory_order_relaxed);
  bytes_per_work.store(static_cast<double>(remaining_heap) / static_cast<double>(remaining_work),
                       std::memory_order_relaxed);
}

double assist_work_per_byte() { return work_per_byte.load(std::memory_order_relaxed); }
double assist_bytes_per_work() { return bytes_per_work.load(std::memory_order_relaxed); }

// mirrors gcControllerState.endCycle
void pacer_end_cycle(int64_t now, int32_t procs) {
  std::lock_guard<std::mutex> guard(pacer_lock);
  const MarkCounters& c = mark_counters();
  const int64_t duration = now - mark_start_ns.load(std::memory_order_relaxed);
  double utilization = kBackgroundUtilization;
  double idle_utilization = 0;
  if (duration > 0) {
    utilization += static_cast<double>(c.assist_ns.load()) / static_cast<double>(duration * procs);
    idle_utilization = static_cast<double>(c.idle_ns.load()) / static_cast<double>(duration * procs);
  }
  const uint64_t live = heap_live.load(std::memory_order_relaxed);
  const uint64_t trig = triggered.load(std::memory_order_relaxed);
  if (live <= trig) return;  // forced or instant cycle: nothing learned
  const double scan_work = static_cast<double>(c.heap_scan_work.load() + c.stack_scan_work.load() +
                                               c.globals_scan_work.load());
  if (scan_work <= 0 || utilization >= 1) return;
  const double current = static_cast<double>(live - trig) * (utilization + idle_utilization) /
                         (scan_work * (1 - utilization));
  double next = 0;
  if (!cons_mark_controller.next(cons_mark, current, 1.0, &next)) next = 0;
  cons_mark = next;
}

// mirrors heapGoalInternal: the lower of the GOGC goal and the memory-limit goal
uint64_t heap_goal_bytes() {
  pacer_init();
  return std::min(heap_goal.load(std::memory_order_relaxed), memory_limit_goal());
}

uint64_t current_trigger() {
  pacer_init();
  if (memory_limit.load(std::memory_order_relaxed) == INT64_MAX) return heap_trigger.load(std::memory_order_relaxed);
  const uint64_t limit_goal = memory_limit_goal();
  if (limit_goal >= heap_goal.load(std::memory_order_relaxed)) return heap_trigger.load(std::memory_order_relaxed);
  return trigger_for(limit_goal, heap_marked.load(std::memory_order_relaxed));
}

}  // namespace gort::gc::detail

namespace gort::gc {

int set_gc_percent(int percent) {
  detail::pacer_init();
  std::lock_guard<std::mutex> guard(detail::pacer_lock);
  const int prev = detail::gogc.exchange(percent < 0 ? -1 : percent, std::memory_order_relaxed);
  detail::commit_locked();
  detail::trace_event(&TraceHooks::heap_goal, detail::heap_goal_bytes());
  return prev;
}

int64_t set_memory_limit(int64_t limit) {
  detail::pacer_init();
  if (limit < 0) return detail::memory_limit.load(std::memory_order_relaxed);
  const int64_t prev = detail::memory_limit.exchange(limit, std::memory_order_relaxed);
  detail::trace_event(&TraceHooks::heap_goal, detail::heap_goal_bytes());
  return prev;
}

// mirrors parseByteCount in runtime/string.go, which the runtime parses GOMEMLIMIT with
std::optional<int64_t> parse_memory_limit(std::string_view s) { return runtime::parse_byte_count(s); }

}  // namespace gort::gc
