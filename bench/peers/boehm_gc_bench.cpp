// boehm_gc_bench.cpp — the allocation and GC workloads of the gort benchmark suite written
// against the Boehm-Demers-Weiser conservative collector (libgc), binary peer_boehm_gc.
//
// Keys, units and sizes are those of bench/go/alloc.go (sizes from bench_env::sizes):
// alloc_24 and alloc_64_noscan (ns per object), alloc_1k and alloc_64k (ns per buffer),
// binary_trees and gctrace_retained_1k (ns per run). Objects with pointers come from
// GC_MALLOC, pointer-free ones from GC_MALLOC_ATOMIC. Every benchmark also reports the
// counters gc_cycles, the collections (GC_get_gc_no delta) per iteration, and gc_pause_ns,
// the time spent in collections (GC_get_full_gc_total_time delta) per iteration. libgc 8.2
// counts that time in whole milliseconds (carrying the sub-millisecond remainders), so the
// per-iteration figure has a resolution of 1 ms / iterations. Without incremental mode
// (the default, used here) every collection is a full stop-the-world one and is counted;
// the lazy sweep that follows it, done piecemeal by the allocator, is not.

#include <gc.h>

#include <cstdint>
#include <memory>

#include "bench_env.hpp"

namespace {

namespace sz = bench_env::sizes;

/// Every timed rep runs for at least 50 ms of manual time, as on the other sides
/// (minRepTime in bench/go/main.go, kMinTimeSeconds in bench/gort_harness.hpp).
constexpr double kMinTimeSeconds = 0.050;

/// A 24-byte object with a pointer field (alloc_24).
struct Node {
  Node* next;
  int64_t a, b;
};
static_assert(sizeof(Node) == 24);

/// A binary-trees node: both children null (a leaf) or both set.
struct TreeNode {
  TreeNode* left;
  TreeNode* right;
};

/// The object every alloc_24 node points to (a pointer to scan that chains nothing).
Node anchor;

/// Allocates sz::kSmallObjects Nodes with GC_MALLOC, each pointing to anchor and held in a
/// ring of sz::kLiveRingSlots live references; precondition: GC_INIT() has run.
void alloc_24() {
  Node* ring[sz::kLiveRingSlots] = {};
  for (int64_t i = 0; i < sz::kSmallObjects; ++i) {
    auto* n = static_cast<Node*>(GC_MALLOC(sizeof(Node)));
    n->next = &anchor;
    n->a = i;
    ring[i % sz::kLiveRingSlots] = n;
  }
  benchmark::DoNotOptimize(ring);
}

/// Allocates `count` pointer-free objects of `bytes` bytes with GC_MALLOC_ATOMIC, writing
/// the first byte of each and holding them in a ring of sz::kLiveRingSlots; preconditions:
/// GC_INIT() has run, count >= 0, bytes > 0.
void alloc_atomic(int64_t count, std::size_t bytes) {
  void* ring[sz::kLiveRingSlots] = {};
  for (int64_t i = 0; i < count; ++i) {
    auto* p = static_cast<unsigned char*>(GC_MALLOC_ATOMIC(bytes));
    p[0] = static_cast<unsigned char>(i);
    ring[i % sz::kLiveRingSlots] = p;
  }
  benchmark::DoNotOptimize(ring);
}

/// Allocates sz::kKibObjects 1 KiB pointer-free buffers, all reachable from one GC_MALLOC'd
/// array until the run ends (gctrace_retained_1k); precondition: GC_INIT() has run.
void retained_1k() {
  auto** keep = static_cast<void**>(GC_MALLOC(sizeof(void*) * sz::kKibObjects));
  for (int64_t i = 0; i < sz::kKibObjects; ++i) keep[i] = GC_MALLOC_ATOMIC(sz::kKib);
  benchmark::DoNotOptimize(keep);
}

/// Returns a complete binary tree of `depth` (>= 0) allocated with GC_MALLOC.
TreeNode* build_tree(int depth) {
  auto* t = static_cast<TreeNode*>(GC_MALLOC(sizeof(TreeNode)));
  if (depth > 0) {
    t->left = build_tree(depth - 1);
    t->right = build_tree(depth - 1);
  } else {
    t->left = t->right = nullptr;
  }
  return t;
}

/// Returns the node count of the tree rooted at `t` (non-null).
int64_t count(const TreeNode* t) { return t->left == nullptr ? 1 : 1 + count(t->left) + count(t->right); }

/// Returns the node count of a complete tree of `depth` (>= 0).
constexpr int64_t tree_nodes(int depth) { return (int64_t{1} << (depth + 1)) - 1; }

/// Runs binary-trees at sz::kTreeMaxDepth (stretch tree, long-lived tree, 2^(max - d + min)
/// trees of each depth d = min, min+2, ..., max) and returns whether the node counts add
/// up; precondition: GC_INIT() has run.
bool binary_trees() {
  int64_t got = count(build_tree(sz::kTreeMaxDepth + 1));
  int64_t want = tree_nodes(sz::kTreeMaxDepth + 1);
  TreeNode* long_lived = build_tree(sz::kTreeMaxDepth);
  for (int d = sz::kTreeMinDepth; d <= sz::kTreeMaxDepth; d += 2) {
    const int64_t iters = int64_t{1} << (sz::kTreeMaxDepth - d + sz::kTreeMinDepth);
    for (int64_t i = 0; i < iters; ++i) got += count(build_tree(d));
    want += iters * tree_nodes(d);
  }
  got += count(long_lived);
  want += tree_nodes(sz::kTreeMaxDepth);
  return got == want;
}

/// Returns a benchmark body that, after one untimed warm-up run the first time it is called
/// (as on the Go side), times `run` (returning false on a wrong result), sets ns_per_op to
/// wall ns / (iterations × `units`), and gc_cycles and gc_pause_ns per iteration;
/// preconditions: `run` is callable as bool() after GC_INIT() and
/// GC_start_performance_measurement(), and `units` > 0.
template <class Run>
auto body(Run run, double units) {
  auto warmed = std::make_shared<bool>(false);  // shared by the copies Google Benchmark keeps
  return [run, units, warmed](benchmark::State& state) {
    if (!*warmed) {
      *warmed = true;
      run();
    }
    double total_ns = 0;
    double cycles = 0;
    unsigned long pause_ms = 0;
    for (auto _ : state) {
      // Start from a collected heap, as bench/go (runtime.GC per rep) and gort do;
      // untimed, and left out of the cycle and pause counts.
      GC_gcollect();
      const auto gc0 = GC_get_gc_no();
      const unsigned long pause_ms0 = GC_get_full_gc_total_time();
      const auto t0 = bench_env::Clock::now();
      const bool ok = run();
      const int64_t ns = bench_env::ns_since(t0);
      if (!ok) {
        state.SkipWithError("wrong result (node counts do not add up)");
        return;
      }
      cycles += static_cast<double>(GC_get_gc_no() - gc0);
      // Unsigned subtraction: right across one wrap-around of the millisecond total.
      pause_ms += GC_get_full_gc_total_time() - pause_ms0;
      state.SetIterationTime(static_cast<double>(ns) * 1e-9);
      total_ns += static_cast<double>(ns);
    }
    bench_env::set_ns_per_op(state, total_ns, units);
    state.counters["gc_cycles"] = benchmark::Counter(cycles, benchmark::Counter::kAvgIterations);
    state.counters["gc_pause_ns"] =
        benchmark::Counter(static_cast<double>(pause_ms) * 1e6, benchmark::Counter::kAvgIterations);
  };
}

/// Wraps a workload that cannot detect a wrong result as a bool() callable.
template <class F>
auto unchecked(F f) {
  return [f] { f(); return true; };
}

/// Registers the workloads of this binary as BM_<key>, 50 ms minimum manual time each.
void register_all() {
  const auto reg = [](const char* name, auto b) {
    bench_env::manual_time(benchmark::RegisterBenchmark(name, b), bench_env::min_time(kMinTimeSeconds));
  };
  reg("BM_alloc_24", body(unchecked(alloc_24), static_cast<double>(sz::kSmallObjects)));
  reg("BM_alloc_64_noscan",
      body(unchecked([] { alloc_atomic(sz::kSmallObjects, 64); }), static_cast<double>(sz::kSmallObjects)));
  reg("BM_alloc_1k", body(unchecked([] { alloc_atomic(sz::kKibObjects, sz::kKib); }),
                          static_cast<double>(sz::kKibObjects)));
  reg("BM_alloc_64k", body(unchecked([] { alloc_atomic(sz::kBigObjects, sz::kBigBytes); }),
                           static_cast<double>(sz::kBigObjects)));
  reg("BM_binary_trees", body(binary_trees, 1.0));
  reg("BM_gctrace_retained_1k", body(unchecked(retained_1k), 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  GC_INIT();
  GC_start_performance_measurement();  // enables GC_get_full_gc_total_time (gc_pause_ns)
  return bench_env::run_main(argc, argv, register_all);
}
