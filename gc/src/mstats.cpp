// mstats.cpp — MemStats and the pause histogram (mirrors readmemstats_m,
// updatememstats and the GC pause parts of mstats.go, and timeHistogram in
// histogram.go as Go 1.19 defines it).
//
// Per-cycle figures are written by the goroutine that ran the cycle with the
// world stopped, under stats_lock; readers take the same lock.  Heap counters
// come from heap_stats() (mheap.hpp); they are exact once every mcache flushed,
// which read_mem_stats does with the world stopped when called on a goroutine.
#include <gort/memstats.hpp>

#include <cmath>
#include <limits>
#include <mutex>

#include <gort/gc/malloc.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "mgc.hpp"
#include "mstats.hpp"
#include "no_collection_scope.hpp"
#include "pacer.hpp"

namespace gort::gc::detail {

namespace {

/// Go 1.19's time histogram: 2^4 linear sub-buckets per power of two
/// (timeHistSubBucketBits), 45 powers (timeHistNumSuperBuckets), which reach
/// past 2^48 ns (3 days) — the last bucket takes everything above.
constexpr int kSubBucketBits = 4;
constexpr int kSubBuckets = 1 << kSubBucketBits;
constexpr int kSuperBuckets = 45;
constexpr int kTotalBuckets = kSuperBuckets * kSubBuckets;

struct CycleStats {
  std::mutex lock;
  uint32_t numgc = 0;
  uint32_t numforcedgc = 0;
  uint64_t pause_total_ns = 0;
  uint64_t last_gc_unix_ns = 0;
  std::array<uint64_t, 256> pause_ns{};
  std::array<uint64_t, 256> pause_end{};
  double gc_cpu_fraction = 0;
  std::array<uint64_t, kTotalBuckets> pause_hist{};
};

CycleStats& cycle_stats() {
  static auto* s = new CycleStats();
  return *s;
}

// mirrors timeHistogram.record in histogram.go
int pause_bucket(int64_t ns) {
  if (ns < kSubBuckets) return static_cast<int>(ns < 0 ? 0 : ns);
  const int super = 64 - __builtin_clzll(static_cast<uint64_t>(ns)) - kSubBucketBits;
  if (super >= kSuperBuckets) return kTotalBuckets - 1;
  const int sub = static_cast<int>((ns >> (super - 1)) % kSubBuckets);
  return super * kSubBuckets + sub;
}

/// Lower bound in ns of bucket i (the inverse of pause_bucket).
double bucket_lower_ns(int i) {
  const int super = i / kSubBuckets;
  const int sub = i % kSubBuckets;
  if (super == 0) return sub;
  return std::ldexp(static_cast<double>(kSubBuckets + sub), super - 1);
}

}  // namespace

void record_cycle(int64_t pause_ns, int64_t end_unix_ns, bool forced, double gc_cpu_fraction) {
  CycleStats& s = cycle_stats();
  std::lock_guard<std::mutex> guard(s.lock);
  s.pause_ns[s.numgc % 256] = static_cast<uint64_t>(pause_ns);
  s.pause_end[s.numgc % 256] = static_cast<uint64_t>(end_unix_ns);
  ++s.numgc;
  if (forced) ++s.numforcedgc;
  s.pause_total_ns += static_cast<uint64_t>(pause_ns);
  s.last_gc_unix_ns = static_cast<uint64_t>(end_unix_ns);
  s.gc_cpu_fraction = gc_cpu_fraction;
}

void record_stw_pause(int64_t pause_ns) {
  CycleStats& s = cycle_stats();
  std::lock_guard<std::mutex> guard(s.lock);
  ++s.pause_hist[pause_bucket(pause_ns)];
}

uint32_t num_gc() {
  CycleStats& s = cycle_stats();
  std::lock_guard<std::mutex> guard(s.lock);
  return s.numgc;
}

}  // namespace gort::gc::detail

namespace gort {

MemStats read_mem_stats() {
  using namespace gc::detail;
  const bool stop = runtime::on_goroutine_with_p() && !in_no_collection_scope();
  if (stop) {
    runtime::stop_the_world_gc(runtime::StwReason::ReadMemStats);
    flush_all_mcaches();
  }
  MemStats m;
  const gc::HeapStatsSnapshot h = gc::read_heap_stats();
  m.HeapAlloc = m.Alloc = h.heap_alloc;
  m.TotalAlloc = h.heap_alloc + gc::heap_stats().freed_bytes.load(std::memory_order_relaxed);
  m.Mallocs = h.mallocs;
  m.Frees = h.frees;
  m.HeapObjects = h.heap_objects;
  m.HeapSys = h.heap_sys;
  m.HeapInuse = h.heap_inuse;
  m.HeapIdle = h.heap_idle;
  m.HeapReleased = gc::heap_stats().released_bytes.load(std::memory_order_relaxed);
  const runtime::StackMemory stacks = runtime::read_stack_memory();
  m.StackInuse = stacks.inuse_bytes;
  m.StackSys = stacks.sys_bytes;
  // The stack slots' reserved address space replaces StackInuse's share: the
  // released slots in it are what Go's Sys counts as released heap.
  m.Sys = m.HeapSys + stacks.reserved_bytes + (stacks.sys_bytes - stacks.inuse_bytes);
  m.NextGC = heap_goal_bytes();
  {
    CycleStats& s = cycle_stats();
    std::lock_guard<std::mutex> guard(s.lock);
    m.NumGC = s.numgc;
    m.NumForcedGC = s.numforcedgc;
    m.PauseTotalNs = s.pause_total_ns;
    m.PauseNs = s.pause_ns;
    m.PauseEnd = s.pause_end;
    m.LastGC = s.last_gc_unix_ns;
    m.GCCPUFraction = s.gc_cpu_fraction;
  }
  if (stop) runtime::start_the_world_gc();
  return m;
}

Float64Histogram read_gc_pauses() {
  using namespace gc::detail;
  Float64Histogram out;
  out.counts.resize(kTotalBuckets);
  out.buckets.resize(kTotalBuckets + 1);
  {
    CycleStats& s = cycle_stats();
    std::lock_guard<std::mutex> guard(s.lock);
    for (int i = 0; i < kTotalBuckets; ++i) out.counts[i] = s.pause_hist[i];
  }
  for (int i = 0; i < kTotalBuckets; ++i) out.buckets[i] = bucket_lower_ns(i) / 1e9;
  out.buckets[kTotalBuckets] = std::numeric_limits<double>::infinity();
  return out;
}

}  // namespace gort
