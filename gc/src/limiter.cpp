// limiter.cpp — the GC CPU limiter (mirrors gcCPULimiterState in mgclimit.go,
// Go 1.19).
//
// Model: a leaky bucket of CPU time.  Over each window since the last update,
// GC time (assists, plus 25% of all CPU while a mark runs for the background
// workers, plus all of it during stop-the-world pauses) fills the bucket and
// mutator time drains it; idle time counts for neither.  The bucket holds one
// second of CPU per P.  While it is full the limiter is "limiting": assists stop
// (allocation runs ahead of marking, the heap may pass its goal or the memory
// limit), so a program the memory limit would otherwise drive into continuous
// collection still gets at least about half of the CPU — Go's "death spiral"
// protection.  Updates come at most every 10 ms (gcCPULimiterUpdatePeriod)
// from mark workers and assists, and at each mark's start and end.
#include <atomic>
#include <mutex>

#include <gort/runtime/internal/gc_support.hpp>

#include "limiter.hpp"

namespace gort::gc::detail {

namespace {

/// Go's capacityPerProc: one second of CPU per P.
constexpr int64_t kCapacityPerProcNs = 1'000'000'000;
/// Go's gcCPULimiterUpdatePeriod.
constexpr int64_t kUpdatePeriodNs = 10'000'000;
/// Background workers' share of CPU while marking (gcBackgroundUtilization).
constexpr double kBackgroundUtilization = 0.25;

struct Limiter {
  std::mutex lock;
  /// Bucket fill and capacity in CPU-ns; guarded by lock.
  int64_t fill = 0;
  int64_t capacity = 0;
  int32_t procs = 0;
  /// Start of the current window; written under lock, read without it.
  std::atomic<int64_t> last_update{0};
  /// True while a mark runs (its 25% counts as GC time); guarded by lock.
  bool marking = false;
  /// GC and idle time reported since the last update, not yet accumulated.
  std::atomic<int64_t> assist_pool{0};
  std::atomic<int64_t> idle_pool{0};
  /// True while the bucket is full.
  std::atomic<bool> enabled{false};
  /// CPU-ns the bucket could not hold (Go's overflow; a metric).
  int64_t overflow = 0;
};

Limiter& limiter() {
  static auto* l = new Limiter();
  return *l;
}

// mirrors gcCPULimiterState.accumulate
void accumulate(Limiter& l, int64_t mutator, int64_t gc) {
  const int64_t change = gc - mutator;
  const int64_t headroom = l.capacity - l.fill;
  if (change > 0 && headroom <= change) {
    l.overflow += change - headroom;
    l.fill = l.capacity;
    l.enabled.store(true, std::memory_order_relaxed);
    return;
  }
  l.fill = std::max<int64_t>(0, l.fill + change);
  if (change != 0) l.enabled.store(l.fill == l.capacity && l.capacity > 0, std::memory_order_relaxed);
}

// mirrors gcCPULimiterState.updateLocked
void update_locked(Limiter& l, int64_t now) {
  const int64_t last = l.last_update.load(std::memory_order_relaxed);
  if (last == 0) {
    l.last_update.store(now, std::memory_order_relaxed);
    return;
  }
  if (now <= last) return;  // already accounted up to later than now
  int64_t total = (now - last) * l.procs;
  l.last_update.store(now, std::memory_order_relaxed);
  const int64_t assist = l.assist_pool.exchange(0, std::memory_order_relaxed);
  const int64_t idle = l.idle_pool.exchange(0, std::memory_order_relaxed);
  int64_t gc = assist;
  if (l.marking) gc += static_cast<int64_t>(static_cast<double>(total) * kBackgroundUtilization);
  total -= idle;
  accumulate(l, total - gc, gc);
}

void ensure_capacity(Limiter& l) {
  const int32_t procs = runtime::gc_gomaxprocs();
  if (procs != l.procs && procs > 0) {
    l.procs = procs;
    l.capacity = int64_t{procs} * kCapacityPerProcNs;
    l.fill = std::min(l.fill, l.capacity);
  }
}

}  // namespace

// mirrors startGCTransition/finishGCTransition: the window before the pause
// in the state it ran in, then the pause as all-GC time, then the new state
void limiter_transition(bool marking, int64_t now, int64_t stw_ns) {
  Limiter& l = limiter();
  std::lock_guard<std::mutex> guard(l.lock);
  ensure_capacity(l);
  update_locked(l, now - stw_ns);
  const int64_t last = l.last_update.load(std::memory_order_relaxed);
  if (now > last) accumulate(l, 0, (now - last) * l.procs);
  l.last_update.store(now, std::memory_order_relaxed);
  l.marking = marking;
}

void limiter_add_assist_time(int64_t ns) { limiter().assist_pool.fetch_add(ns, std::memory_order_relaxed); }

void limiter_add_idle_time(int64_t ns) { limiter().idle_pool.fetch_add(ns, std::memory_order_relaxed); }

// mirrors needUpdate + update
void limiter_update(int64_t now) {
  Limiter& l = limiter();
  if (now - l.last_update.load(std::memory_order_relaxed) < kUpdatePeriodNs) return;
  std::unique_lock<std::mutex> guard(l.lock, std::try_to_lock);
  if (!guard.owns_lock()) return;
  ensure_capacity(l);
  update_locked(l, now);
}

bool limiter_limiting() { return limiter().enabled.load(std::memory_order_relaxed); }

}  // namespace gort::gc::detail
