// scavenge.cpp — returning free heap pages to the OS (mirrors gcPaceScavenger,
// bgscavenge and debug.FreeOSMemory in mgcscavenge.go).
//
// Model.  Free pages the heap keeps after a collection still occupy physical
// memory until the scavenger releases them with madvise(MADV_DONTNEED)
// (heap_scavenge in mheap.cpp; HeapReleased counts them, and a released page
// reads as zero when reused, so it is never zeroed again).  The background
// scavenger is a thread that wakes after every cycle and releases 64 KiB chunks
// while the retained heap (HeapSys - HeapReleased) exceeds its goal, sleeping
// 99 times as long as each chunk took: about 1% of one CPU, Go's
// scavengePercent.  Goals as Go 1.19 computes them: retain at most the heap
// goal + 10% (gcPercentGoal), and keep mapped memory under 95% of GOMEMLIMIT
// (memoryLimitGoal), whichever is lower.
//
// Rejected: running on idle Ps through the runtime's idle hook (it never runs on
// a busy program, whose memory is exactly what needs returning), and a
// goroutine (Go's bgscavenge) — it would show in deadlock reports and
// NumGoroutine, as a permanent system goroutine does not in Go.
#include <gort/gc/collector.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include <gort/gc/mheap.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "pacer.hpp"
#include "scavenge.hpp"

namespace gort::gc::detail {

namespace {

/// Retain at most the heap goal plus this percentage (Go's retainExtraPercent).
constexpr uint64_t kRetainExtraPercent = 10;
/// Keep mapped memory under this fraction of the memory limit (Go's
/// reduceExtraPercent = 5: 95%).
constexpr uint64_t kMemoryLimitPercent = 95;
/// Sleep this many times the work just done: 1% of a CPU (Go's scavengePercent).
constexpr int64_t kSleepRatio = 99;
/// Longest single sleep, so a raised goal is noticed promptly.
constexpr auto kMaxSleep = std::chrono::milliseconds(10);

struct Scavenger {
  std::mutex lock;
  std::condition_variable wake;
  /// Bumped by every collection; the thread runs when it changed.
  uint64_t generation = 0;
  bool started = false;
};

Scavenger& scavenger() {
  static auto* s = new Scavenger();  // its thread outlives static destruction
  return *s;
}

/// Bytes of heap memory held from the OS and not released.
uint64_t heap_retained() {
  const HeapStats& hs = heap_stats();
  return hs.sys_bytes.load(std::memory_order_relaxed) - hs.released_bytes.load(std::memory_order_relaxed);
}

/// The retained-heap goal (mirrors gcPaceScavenger): the lower of the GOGC goal
/// + 10% and 95% of the memory limit minus the stacks.
uint64_t retained_goal() {
  uint64_t goal = UINT64_MAX;
  const uint64_t heap_goal = heap_goal_bytes();
  if (heap_goal != UINT64_MAX) goal = heap_goal + heap_goal * kRetainExtraPercent / 100;
  const int64_t limit = set_memory_limit(-1);
  if (limit != INT64_MAX) {
    const uint64_t stacks = runtime::read_stack_memory().inuse_bytes;
    const uint64_t cap = static_cast<uint64_t>(limit) / 100 * kMemoryLimitPercent;
    goal = std::min(goal, cap > stacks ? cap - stacks : 0);
  }
  return goal;
}

// mirrors bgscavenge in mgcscavenge.go
void scavenger_loop() {
  Scavenger& s = scavenger();
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> guard(s.lock);
      s.wake.wait(guard, [&] { return s.generation != seen; });
      seen = s.generation;
    }
    while (heap_retained() > retained_goal()) {
      const auto t0 = std::chrono::steady_clock::now();
      if (heap_scavenge(kScavengeChunk) == 0) break;
      const auto work = std::chrono::steady_clock::now() - t0;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(work * kSleepRatio, kMaxSleep));
    }
  }
}

}  // namespace

void scavenger_wake() {
  Scavenger& s = scavenger();
  std::lock_guard<std::mutex> guard(s.lock);
  if (!s.started) {
    s.started = true;
    std::thread(&scavenger_loop).detach();
  }
  ++s.generation;
  s.wake.notify_one();
}

}  // namespace gort::gc::detail

namespace gort::gc {

// mirrors debug.FreeOSMemory in runtime/debug
void free_os_memory() {
  collect();
  heap_scavenge(SIZE_MAX);
}

}  // namespace gort::gc
