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
//
// The 64-slot ring lives in a managed array (gc::Slice<Ptr<T>>) so the objects in it are
// reachable exactly as Go's ring of pointers is.  Counters per iteration: gc_cycles
// (MemStats.NumGC delta) and gc_pause_ns (PauseTotalNs delta), as the Go side reports them.
//
// Method: gort_harness.hpp (one gort::run per iteration, warm-up, 50 ms of samples), and
// an untimed gc::collect() before the timed run, as bench/go runs runtime.GC() before
// each rep and peer_boehm_gc GC_gcollect(): every side starts from a collected heap.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

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

}  // namespace

void gort_bench::register_alloc_benchmarks() {
  register_gc_workload("BM_alloc_24", &workload_alloc_24, kSmallObjects);
  register_gc_workload("BM_alloc_64_noscan", &workload_alloc_64_noscan, kSmallObjects);
  register_gc_workload("BM_alloc_1k", &workload_alloc_1k, kKibObjects);
  register_gc_workload("BM_alloc_64k", &workload_alloc_64k, kBigObjects);
  register_gc_workload("BM_binary_trees", &workload_binary_trees, 1);
  register_gc_workload("BM_gctrace_retained_1k", &workload_gctrace_retained_1k, 1);
}
