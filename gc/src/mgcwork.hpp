// mgcwork.hpp — the concurrent mark's shared work (mgcwork.cpp; mirrors work.full,
// gcWork.dispose and the end-of-work test of mgcwork.go / gcMarkDone in mgc.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <gort/runtime/internal/sema.hpp>
#include <gort/runtime/internal/wait_reason.hpp>

#include "mark.hpp"

namespace gort::gc::detail {

/// What the running concurrent mark has done so far; zeroed at its start
/// (Go's work.bytesMarked, gcController's scan-work counters, bgScanCredit and
/// the mark-time accumulators behind gctrace's assist/background/idle CPU).
struct MarkCounters {
  /// Bytes of objects marked by markers (allocate-black bytes are per P).
  std::atomic<uint64_t> bytes_marked{0};
  /// Scan work, in bytes scanned: heap objects, stacks, globals (gc::Roots).
  std::atomic<uint64_t> heap_scan_work{0};
  std::atomic<uint64_t> stack_scan_work{0};
  std::atomic<uint64_t> globals_scan_work{0};
  /// Scan work background workers did that assists may claim (Go's bgScanCredit).
  std::atomic<int64_t> bg_scan_credit{0};
  /// CPU time of assists, dedicated, fractional and idle workers this mark.
  std::atomic<int64_t> assist_ns{0};
  std::atomic<int64_t> dedicated_ns{0};
  std::atomic<int64_t> fractional_ns{0};
  std::atomic<int64_t> idle_ns{0};
};
MarkCounters& mark_counters();

/// Empties the grey pool and zeroes the counters.  Precondition: world stopped.
void reset_mark_work();
/// Moves every object of objs into the global grey pool (objs ends empty).
void grey_pool_put(std::vector<GreyObject>& objs);
/// Moves up to max grey objects from the pool to out; false when it was empty.
bool grey_pool_take(std::vector<GreyObject>& out, std::size_t max);
/// True when the global pool holds no grey object.
bool grey_pool_empty();

/// The calling thread's concurrent marker.  It is empty between uses (every
/// user publishes before returning), and no use spans a goroutine switch, so
/// one per thread serves goroutines, g0 workers and barrier flushes alike.
MarkState& thread_marker();

/// Counts the caller as a marker holding grey objects for its lifetime (Go's
/// nproc - nwait); the last one out of a mark with no work left wakes the
/// mark-termination goroutine.
class ActiveMarker {
 public:
  ActiveMarker();
  ~ActiveMarker();
  ActiveMarker(const ActiveMarker&) = delete;
  ActiveMarker& operator=(const ActiveMarker&) = delete;
};

/// True when the mark has no work a marker could do: the pool is empty, no
/// marker holds grey objects and every stack is scanned (write-barrier
/// buffers are not looked at: mark termination flushes them).
bool mark_work_exhausted();
/// Wakes the mark-termination goroutine if the mark ran out of work; true when
/// it did (a scheduler caller must then look for goroutines again: the woken
/// one may be in its own run queue).
bool signal_if_mark_done();
/// Parks the mark-termination goroutine until a marker found the mark out of
/// work (returns at once if it already is).
void wait_for_mark_done();

/// A list of parked goroutines woken all at once (assists waiting for credit,
/// gc::collect waiting for a cycle).  Waiters re-check their condition after
/// waking; a wake-up can be spurious.
class GoroutineWaitQueue {
 public:
  /// Parks the caller unless done() holds once it is queued.
  template <class Done>
  void wait(runtime::WaitReason reason, Done&& done) {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    if (done()) return;  // a later wake_all leaves a spare permit: harmless
    runtime::semacquire(&sema_, reason);
  }
  /// Wakes every goroutine queued so far.
  void wake_all() {
    for (int32_t n = waiters_.exchange(0, std::memory_order_seq_cst); n > 0; --n) runtime::semrelease(&sema_);
  }
  /// True when someone may be waiting.
  bool has_waiters() const { return waiters_.load(std::memory_order_relaxed) > 0; }

 private:
  std::atomic<uint32_t> sema_{0};
  std::atomic<int32_t> waiters_{0};
};

}  // namespace gort::gc::detail
