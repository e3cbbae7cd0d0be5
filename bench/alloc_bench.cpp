// alloc_bench.cpp — gort's allocation and collection benchmarks (a suite of gort_bench).
//
// The same workloads exist in bench/go (alloc.go) and bench/peers (boehm_gc_bench.cpp);
// bench/compare.py joins the sides on the key and the `ns_per_op` counter.  Keys, sizes
// and units MUST stay identical on all sides (sizes: bench_env::sizes).  GOMAXPROCS is the
// number of CPUs; every time includes the collections the run causes.
//
//   BM_alloc_24          10,000,000 gc::make of a 24-byte object with a pointer field
//                        (struct {Ptr next; int64 a, b}) pointing at one long-lived anchor,
//                        64 kept live in a ring of Roots-free locals.     ns_per_op / object
//   BM_alloc_64_noscan   the same with a 64-byte pointer-free object (int64[8]).  / object
//   BM_alloc_1k          1,000,000 gc::make_slice<uint8_t>(1024), 64 kept live.   / buffer
//   BM_alloc_64k         50,000 gc::make_slice<uint8_t>(65536), 64 kept live.      / buffer
//   BM_binary_trees      benchmarks-game binary-trees, max depth 16 (stretch tree 17,
//                        long-lived tree 16, depths 4..16 step 2); node counts checked. / run
//   BM_gctrace_retained_1k  1,000,000 × 1 KiB buffers, all reachable from one slice.  / run
//   BM_gc_pause_live64m  GOMAXPROCS=2: a binary-trees tree of depth 21 (64 MiB in Go, 96 MiB
//                        here with the 8-byte header) reachable all run while 2 goroutines
//                        each run the binary-trees depth loop twice; node counts checked.
//                        Counters: the stop-the-world pauses of the timed run (read_gc_pauses
//                        after − before, Go's "/gc/pauses:seconds"): pause_p50_ns,
//                        pause_p99_ns, pause_max_ns as bucket upper bounds
//                        (bench_env::summarize_pauses, the method of every side), gc_pauses,
//                        and gc_cpu_fraction (bench_env::gc_cpu_fraction_between).   / run
//   BM_gc_mark_throughput  GOMAXPROCS=1: a tree of depth 22 of 24-byte nodes (left, right,
//                        v; 32 B with the header), one untimed gc::collect, then 4 timed
//                        ones.  Counters: marked_bytes (HeapAlloc right after a collection,
//                        what the mark found live) and mark_bytes_per_s = marked_bytes /
//                        collection wall time.                              / collection
//   BM_gc_memlimit_100mbs  set_memory_limit(512 MiB), set_gc_percent(-1) (GOMEMLIMIT=512MiB
//                        GOGC=off): 1..8 KiB buffers at 100 MB/s for 8 s in 10 ms steps,
//                        ≈ 64 MiB live in a ring.  Counters: peak_heap_bytes (the highest
//                        HeapInuse read after a step), gc_cpu_fraction.              / run
//
// The 64-slot ring lives in a managed array (gc::Slice<Ptr<T>>) so the objects in it are
// reachable exactly as Go's ring of pointers is.  Counters per iteration: gc_cycles
// (MemStats.NumGC delta) and gc_pause_ns (PauseTotalNs delta), as the Go side reports them.
//
// Method: gort_harness.hpp (one gort::run per iteration, warm-up, 50 ms of samples), and
// an untimed gc::collect() before the timed run, as bench/go runs runtime.GC() before
// each rep and peer_boehm_gc GC_gcollect(): every side starts from a collected heap.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gort_harness.hpp"

namespace {

namespace gc = gort::gc;
using bench_env::Clock;
using bench_env::ns_since;
using namespace bench_env::sizes;

/// A 24-byte object with a pointer field (alloc_24): 8 bytes of header make it a 32-byte
/// allocation, in the same size class Go uses for its 24-byte node plus nothing.
struct Node {
  gc::Ptr<Node> next;
  int64_t a, b;
  void trace(gc::Tracer& t) const { t.visit(next); }
};
static_assert(sizeof(Node) == 24);

/// A 64-byte pointer-free object (alloc_64_noscan).
struct Words {
  int64_t w[8];
};
static_assert(sizeof(Words) == 64);

/// A binary-trees node.
struct TreeNode {
  gc::Ptr<TreeNode> left, right;
  void trace(gc::Tracer& t) const {
    t.visit(left);
    t.visit(right);
  }
};

int64_t workload_alloc_24(std::string*) {
  auto anchor = gc::make<Node>();
  auto ring = gc::make_slice<gc::Ptr<Node>>(kLiveRingSlots);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < kSmallObjects; ++i) {
    auto n = gc::make<Node>();
    n->next = anchor;
    n->a = i;
    ring[static_cast<std::size_t>(i % kLiveRingSlots)] = n;
  }
  const int64_t ns = ns_since(t0);
  benchmark::DoNotOptimize(ring.data());
  return ns;
}

int64_t workload_alloc_64_noscan(std::string*) {
  auto ring = gc::make_slice<gc::Ptr<Words>>(kLiveRingSlots);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < kSmallObjects; ++i) {
    auto w = gc::make<Words>();
    w->w[0] = i;
    ring[static_cast<std::size_t>(i % kLiveRingSlots)] = w;
  }
  const int64_t ns = ns_since(t0);
  benchmark::DoNotOptimize(ring.data());
  return ns;
}

/// Allocates `count` byte slices of `bytes`, writing the first byte, 64 kept live.
int64_t alloc_bytes(int64_t count, std::size_t bytes) {
  auto ring = gc::make_slice<gc::Slice<uint8_t>>(kLiveRingSlots);
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < count; ++i) {
    auto b = gc::make_slice<uint8_t>(bytes);
    b[0] = static_cast<uint8_t>(i);
    ring[static_cast<std::size_t>(i % kLiveRingSlots)] = b;
  }
  const int64_t ns = ns_since(t0);
  benchmark::DoNotOptimize(ring.data());
  return ns;
}

int64_t workload_alloc_1k(std::string*) { return alloc_bytes(kKibObjects, kKib); }
int64_t workload_alloc_64k(std::string*) { return alloc_bytes(kBigObjects, kBigBytes); }

gc::Ref<TreeNode> build_tree(int depth) {
  auto t = gc::make<TreeNode>();
  if (depth > 0) {
    t->left = build_tree(depth - 1);
    t->right = build_tree(depth - 1);
  }
  return t;
}

int64_t count(const TreeNode* t) { return t->left ? 1 + count(t->left.get()) + count(t->right.get()) : 1; }

constexpr int64_t tree_nodes(int depth) { return (int64_t{1} << (depth + 1)) - 1; }

int64_t workload_binary_trees(std::string* error) {
  const auto t0 = Clock::now();
  int64_t got = count(build_tree(kTreeMaxDepth + 1).get());
  int64_t want = tree_nodes(kTreeMaxDepth + 1);
  auto long_lived = build_tree(kTreeMaxDepth);
  for (int d = kTreeMinDepth; d <= kTreeMaxDepth; d += 2) {
    const int64_t iters = int64_t{1} << (kTreeMaxDepth - d + kTreeMinDepth);
    for (int64_t i = 0; i < iters; ++i) got += count(build_tree(d).get());
    want += iters * tree_nodes(d);
  }
  got += count(long_lived.get());
  want += tree_nodes(kTreeMaxDepth);
  const int64_t ns = ns_since(t0);
  if (got != want) {
    *error = "binary_trees: " + std::to_string(got) + " nodes, want " + std::to_string(want);
    return -1;
  }
  return ns;
}

int64_t workload_gctrace_retained_1k(std::string*) {
  const auto t0 = Clock::now();
  auto keep = gc::make_slice<gc::Slice<uint8_t>>(static_cast<std::size_t>(kKibObjects));
  for (int64_t i = 0; i < kKibObjects; ++i) keep[static_cast<std::size_t>(i)] = gc::make_slice<uint8_t>(kKib);
  const int64_t ns = ns_since(t0);
  benchmark::DoNotOptimize(keep.data());
  return ns;
}

/// One iteration of a GC workload: a gort::run that collects, warms up on a goroutine of
/// its own, collects again and times fn; adds the timed run's cycles and pause to the
/// totals.  Returns the timed ns, or -1 with *error set.
int64_t run_gc_iteration(unsigned ncpu, bool warmup, gort_bench::WorkloadFn fn, std::string* error,
                         double& cycles, double& pause_ns) {
  int64_t ns = -1;
  gort::run([&] {
    gort::gomaxprocs(static_cast<int>(ncpu));
    // The heap outlives gort::run: what the previous repetition left goes first
    // (bench/go collects before every rep too).
    gc::collect();
    if (warmup) {
      // On a goroutine of its own: its stack dies with it, so no stale word there can
      // keep the warm-up's heap alive through the conservative stack scan (gc/README.md).
      int64_t warm = 0;
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        warm = fn(error);
        wg.done();
      });
      wg.wait();
      if (warm < 0) return;
    }
    gc::collect();  // start from a collected heap, as bench/go does
    const gort::MemStats before = gort::read_mem_stats();
    ns = fn(error);
    const gort::MemStats after = gort::read_mem_stats();
    cycles += after.NumGC - before.NumGC;
    pause_ns += static_cast<double>(after.PauseTotalNs - before.PauseTotalNs);
  });
  return ns;
}

/// Registers a GC workload: gort_harness's timing loop over run_gc_iteration, plus the
/// per-iteration counters gc_cycles and gc_pause_ns.
void register_gc_workload(const char* name, gort_bench::WorkloadFn fn, double units) {
  const unsigned ncpu = gort_bench::num_cpus();
  const bool warmup = gort_bench::warmup_enabled();
  bench_env::manual_time(
      benchmark::RegisterBenchmark(name,
                                   [ncpu, warmup, fn, units](benchmark::State& st) {
                                     double cycles = 0, pause_ns = 0;
                                     gort_bench::time_iterations(st, units, [&](std::string* error) {
                                       return run_gc_iteration(ncpu, warmup, fn, error, cycles, pause_ns);
                                     });
                                     if (st.error_occurred()) return;
                                     st.counters["gc_cycles"] =
                                         benchmark::Counter(cycles, benchmark::Counter::kAvgIterations);
                                     st.counters["gc_pause_ns"] =
                                         benchmark::Counter(pause_ns, benchmark::Counter::kAvgIterations);
                                   }),
      bench_env::min_time(gort_bench::kMinTimeSeconds));
}

// ---- gc_pause_live64m, gc_mark_throughput, gc_memlimit_100mbs --------------------------
//
// These report more than cycles and pause, so each has an iteration function of its own
// (the same steps as run_gc_iteration) that fills a GcExtras; register_gc_extras_workload
// turns those into counters.

/// What one timed run of an extended GC workload measured, beyond its wall time.
struct GcExtras {
  double cycles = 0;              // NumGC delta
  double pause_ns = 0;            // PauseTotalNs delta
  std::vector<uint64_t> pauses;   // read_gc_pauses() counts, after − before
  std::vector<double> buckets;    // its bucket bounds (seconds)
  double gc_cpu_fraction = -1;    // -1: not measured by this workload
  double marked_bytes = -1;       // gc_mark_throughput
  double peak_heap_bytes = -1;    // gc_memlimit_100mbs
};

/// Unix time in ns (MemStats.LastGC's clock).
int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Fills the cycle, pause and pause-histogram deltas of `x` from two readings around a run,
/// and gc_cpu_fraction from their GCCPUFraction (runtime_start_unix_ns: when this gort::run
/// began, the origin gort's fraction is measured from).
void fill_gc_deltas(GcExtras& x, const gort::MemStats& m0, const gort::Float64Histogram& h0, const gort::MemStats& m1,
                    const gort::Float64Histogram& h1, int64_t runtime_start_unix_ns) {
  x.cycles = m1.NumGC - m0.NumGC;
  x.pause_ns = static_cast<double>(m1.PauseTotalNs - m0.PauseTotalNs);
  x.buckets = h1.buckets;
  x.pauses.assign(h1.counts.size(), 0);
  for (std::size_t i = 0; i < h1.counts.size(); ++i) x.pauses[i] = h1.counts[i] - (i < h0.counts.size() ? h0.counts[i] : 0);
  x.gc_cpu_fraction = bench_env::gc_cpu_fraction_between(
      m0.GCCPUFraction, static_cast<double>(static_cast<int64_t>(m0.LastGC) - runtime_start_unix_ns), m1.GCCPUFraction,
      static_cast<double>(static_cast<int64_t>(m1.LastGC) - runtime_start_unix_ns));
}

/// gc_pause_live64m: the long-lived tree is built inside the timed run (as binary_trees
/// builds its long-lived tree), then kPauseWorkers goroutines run the depth loop
/// kPausePasses times each; all node counts are checked.  Returns the timed ns or -1.
int64_t pause_live64m_run(std::string* error) {
  const auto t0 = Clock::now();
  auto live = build_tree(kLiveTreeDepth);
  int64_t got[kPauseWorkers] = {};
  gort::WaitGroup wg;
  wg.add(kPauseWorkers);
  for (int w = 0; w < kPauseWorkers; ++w) {
    gort::go([&got, &wg, w] {
      int64_t sum = 0;
      for (int pass = 0; pass < kPausePasses; ++pass) {
        for (int d = kTreeMinDepth; d <= kTreeMaxDepth; d += 2) {
          const int64_t iters = int64_t{1} << (kTreeMaxDepth - d + kTreeMinDepth);
          for (int64_t i = 0; i < iters; ++i) sum += count(build_tree(d).get());
        }
      }
      got[w] = sum;
      wg.done();
    });
  }
  wg.wait();
  int64_t total = count(live.get());
  int64_t want = tree_nodes(kLiveTreeDepth);
  for (int w = 0; w < kPauseWorkers; ++w) total += got[w];
  for (int d = kTreeMinDepth; d <= kTreeMaxDepth; d += 2)
    want += int64_t{kPauseWorkers} * kPausePasses * (int64_t{1} << (kTreeMaxDepth - d + kTreeMinDepth)) * tree_nodes(d);
  const int64_t ns = ns_since(t0);
  if (total != want) {
    *error = "gc_pause_live64m: " + std::to_string(total) + " nodes, want " + std::to_string(want);
    return -1;
  }
  return ns;
}

/// A gc_mark_throughput node: 24 bytes (two pointers and a word), as Go's
/// struct{left, right *node; v int}; 32 with gort's header.
struct MarkNode {
  gc::Ptr<MarkNode> left, right;
  int64_t v;
  void trace(gc::Tracer& t) const {
    t.visit(left);
    t.visit(right);
  }
};
static_assert(sizeof(MarkNode) == 24);

gc::Ref<MarkNode> build_mark_tree(int depth) {
  auto t = gc::make<MarkNode>();
  t->v = depth;
  if (depth > 0) {
    t->left = build_mark_tree(depth - 1);
    t->right = build_mark_tree(depth - 1);
  }
  return t;
}

/// Pacing and buffer sizes of gc_memlimit_100mbs: returns the next size in
/// [kLimitMinBuf, kLimitMaxBuf] from the LCG state `x` (the same LCG and mapping in
/// bench/go/gcpause.go).
std::size_t next_buf_size(uint64_t& x) {
  x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return kLimitMinBuf + static_cast<std::size_t>((x >> 33) % (kLimitMaxBuf - kLimitMinBuf + 1));
}

/// gc_memlimit_100mbs: allocates kLimitBytesPerStep bytes of buffers per kLimitStepNs step,
/// sleeping to each step's absolute deadline, for kLimitSteps steps; HeapInuse is read
/// after every step (read_mem_stats, a brief stop-the-world, as Go's ReadMemStats) and the
/// highest kept in *peak.  Returns the timed ns.
int64_t memlimit_run(double* peak) {
  auto ring = gc::make_slice<gc::Slice<uint8_t>>(kLimitRingSlots);
  uint64_t lcg = 1;
  std::size_t slot = 0;
  uint64_t hi = 0;
  const auto t0 = Clock::now();
  for (int64_t step = 0; step < kLimitSteps; ++step) {
    for (int64_t bytes = 0; bytes < kLimitBytesPerStep;) {
      const std::size_t n = next_buf_size(lcg);
      auto b = gc::make_slice<uint8_t>(n);
      b[0] = static_cast<uint8_t>(step);
      ring[slot] = b;
      slot = slot + 1 == kLimitRingSlots ? 0 : slot + 1;
      bytes += static_cast<int64_t>(n);
    }
    const uint64_t inuse = gort::read_mem_stats().HeapInuse;
    if (inuse > hi) hi = inuse;
    const auto deadline = t0 + std::chrono::nanoseconds((step + 1) * kLimitStepNs);
    const auto now = Clock::now();
    if (now < deadline) gort::sleep(deadline - now);
  }
  const int64_t ns = ns_since(t0);
  benchmark::DoNotOptimize(ring.data());
  *peak = static_cast<double>(hi);
  return ns;
}

enum class Extended { kPauseLive64m, kMarkThroughput, kMemLimit };

/// One iteration of an extended GC workload: a gort::run at the workload's GOMAXPROCS that
/// collects, warms up (pause, memlimit: the whole run on a goroutine of its own; mark: one
/// untimed collection of the built tree), collects, and runs the timed part; fills `x`.
/// Returns the timed ns (mark: per collection), or -1 with *error set.
int64_t run_extended_iteration(Extended which, unsigned ncpu, bool warmup, std::string* error, GcExtras& x) {
  int64_t ns = -1;
  gort::run([&] {
    const int64_t start_unix = unix_now_ns();
    const int procs = which == Extended::kPauseLive64m    ? kPauseProcs
                      : which == Extended::kMarkThroughput ? kMarkProcs
                                                            : static_cast<int>(ncpu);
    gort::gomaxprocs(procs);
    int prev_percent = 0;
    int64_t prev_limit = 0;
    if (which == Extended::kMemLimit) {
      prev_percent = gc::set_gc_percent(-1);
      prev_limit = gc::set_memory_limit(kMemLimitBytes);
    }
    gc::collect();
    if (which == Extended::kMarkThroughput) {
      auto tree = build_mark_tree(kMarkTreeDepth);
      gc::collect();  // untimed warm-up collection (and the heap is now exactly the tree)
      int64_t total = 0;
      double marked = 0;
      for (int i = 0; i < kMarkCollections; ++i) {
        const auto t0 = Clock::now();
        gc::collect();
        total += ns_since(t0);
        marked += static_cast<double>(gort::read_mem_stats().HeapAlloc);
      }
      benchmark::DoNotOptimize(tree.get());
      x.marked_bytes = marked / kMarkCollections;
      ns = total / kMarkCollections;
      return;
    }
    double peak = 0;
    if (warmup) {
      // On a goroutine of its own, as in run_gc_iteration.
      int64_t warm = 0;
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        warm = which == Extended::kPauseLive64m ? pause_live64m_run(error) : memlimit_run(&peak);
        wg.done();
      });
      wg.wait();
      if (warm < 0) return;
    }
    gc::collect();
    const gort::MemStats m0 = gort::read_mem_stats();
    const gort::Float64Histogram h0 = gort::read_gc_pauses();
    ns = which == Extended::kPauseLive64m ? pause_live64m_run(error) : memlimit_run(&peak);
    const gort::MemStats m1 = gort::read_mem_stats();
    const gort::Float64Histogram h1 = gort::read_gc_pauses();
    fill_gc_deltas(x, m0, h0, m1, h1, start_unix);
    if (which == Extended::kMemLimit) {
      x.peak_heap_bytes = peak;
      gc::set_memory_limit(prev_limit);
      gc::set_gc_percent(prev_percent);
    }
  });
  return ns;
}

/// Registers an extended GC workload: gort_harness's timing loop over
/// run_extended_iteration, plus its counters (per iteration means, except the pause
/// percentiles, taken over all the pauses of all timed iterations).
void register_gc_extras_workload(const char* name, Extended which) {
  const unsigned ncpu = gort_bench::num_cpus();
  const bool warmup = gort_bench::warmup_enabled();
  bench_env::manual_time(
      benchmark::RegisterBenchmark(
          name,
          [ncpu, warmup, which](benchmark::State& st) {
            double cycles = 0, pause_ns = 0, cpu = 0, marked = 0, peak = 0;
            std::vector<uint64_t> pauses;
            std::vector<double> buckets;
            gort_bench::time_iterations(st, 1, [&](std::string* error) {
              GcExtras x;
              const int64_t ns = run_extended_iteration(which, ncpu, warmup, error, x);
              cycles += x.cycles;
              pause_ns += x.pause_ns;
              cpu += x.gc_cpu_fraction;
              marked += x.marked_bytes;
              if (x.peak_heap_bytes > peak) peak = x.peak_heap_bytes;
              if (pauses.size() < x.pauses.size()) pauses.resize(x.pauses.size(), 0);
              for (std::size_t i = 0; i < x.pauses.size(); ++i) pauses[i] += x.pauses[i];
              if (!x.buckets.empty()) buckets = x.buckets;
              return ns;
            });
            if (st.error_occurred()) return;
            const auto avg = [](double v) { return benchmark::Counter(v, benchmark::Counter::kAvgIterations); };
            const double iters = static_cast<double>(st.iterations());
            if (which == Extended::kMarkThroughput) {
              st.counters["marked_bytes"] = avg(marked);
              // ns_per_op is the mean ns per collection; bytes per second follow from it.
              st.counters["mark_bytes_per_s"] = marked / iters / (st.counters["ns_per_op"].value * 1e-9);
              return;
            }
            st.counters["gc_cycles"] = avg(cycles);
            st.counters["gc_pause_ns"] = avg(pause_ns);
            st.counters["gc_cpu_fraction"] = avg(cpu);
            if (which == Extended::kMemLimit) {
              st.counters["peak_heap_bytes"] = peak;  // the highest of all timed iterations
              return;
            }
            const bench_env::PauseSummary s = bench_env::summarize_pauses(pauses, buckets);
            st.counters["gc_pauses"] = s.count / iters;
            st.counters["pause_p50_ns"] = s.p50_ns;
            st.counters["pause_p99_ns"] = s.p99_ns;
            st.counters["pause_max_ns"] = s.max_ns;
          }),
      bench_env::min_time(gort_bench::kMinTimeSeconds));
}

}  // namespace

void gort_bench::register_alloc_benchmarks() {
  register_gc_workload("BM_alloc_24", &workload_alloc_24, kSmallObjects);
  register_gc_workload("BM_alloc_64_noscan", &workload_alloc_64_noscan, kSmallObjects);
  register_gc_workload("BM_alloc_1k", &workload_alloc_1k, kKibObjects);
  register_gc_workload("BM_alloc_64k", &workload_alloc_64k, kBigObjects);
  register_gc_workload("BM_binary_trees", &workload_binary_trees, 1);
  register_gc_workload("BM_gctrace_retained_1k", &workload_gctrace_retained_1k, 1);
  register_gc_extras_workload("BM_gc_pause_live64m", Extended::kPauseLive64m);
  register_gc_extras_workload("BM_gc_mark_throughput", Extended::kMarkThroughput);
  register_gc_extras_workload("BM_gc_memlimit_100mbs", Extended::kMemLimit);
}

int64_t gort_bench::workload_alloc_24_profiled_twin(std::string* error) { return workload_alloc_24(error); }
