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
//
// gc_pause_live64m and gc_mark_throughput (bench/go/gcpause.go defines them) report more:
//   gc_pause_live64m  the long-lived tree of depth 21 (16-byte nodes, 64 MiB) and 2 worker
//                     std::threads (registered with GC_register_my_thread) each running the
//                     binary-trees depth loop twice; libgc marks with GC_MARKERS threads
//                     (compare.py sets GC_MARKERS=2 for this process: GOMAXPROCS=2).  Each
//                     collection's stop-the-world pause is timed from GC_EVENT_PRE_STOP_WORLD
//                     to GC_EVENT_POST_START_WORLD (GC_set_on_collection_event), binned into
//                     Go's time-histogram buckets (bench_env::go_time_bucket_upper_ns) and
//                     summarised like the other sides (pause_p50_ns, pause_p99_ns,
//                     pause_max_ns, gc_pauses).  gc_pause_ns here is the sum of those timed
//                     pauses; gc_cpu_fraction is that sum over the run's wall time (the world
//                     is stopped throughout a collection, so every P's CPU is the GC's, as Go
//                     counts its stop-the-world phases).
//   gc_mark_throughput  a tree of depth 22 of 24-byte nodes (GC_MALLOC rounds them to 32:
//                     libgc's 16-byte granules), GC_gcollect once untimed, then 4 timed, with
//                     one marker (compare.py sets GC_MARKERS=1).  libgc has no marked-bytes
//                     figure; the reachable set is exactly the tree, so marked_bytes = nodes ×
//                     GC_size(node).  GC_gcollect leaves the sweep to the allocator (lazy),
//                     while Go's runtime.GC and gc::collect sweep before returning.
// gc_memlimit_100mbs has no Boehm side: libgc has no soft memory limit (GC_set_max_heap_size
// makes allocation fail instead) and GOGC=off would be GC_disable, which never collects.
// The counter gc_markers (GC_get_parallel() + 1) shows how many marker threads ran.

#define GC_THREADS
#include <gc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

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

// ---- gc_pause_live64m, gc_mark_throughput ------------------------------------------------

/// Stop-the-world pauses timed by on_gc_event: fixed storage (the callback runs with the
/// world stopped and must not allocate); pauses past kMaxPauses are dropped and counted.
constexpr std::size_t kMaxPauses = 1 << 16;
int64_t pause_ns_log[kMaxPauses];
std::atomic<std::size_t> pause_count{0};
std::atomic<std::size_t> pauses_dropped{0};
bench_env::Clock::time_point stop_begin;

/// GC_on_collection_event_proc: times each stop-the-world pause.
void GC_CALLBACK on_gc_event(GC_EventType e) {
  if (e == GC_EVENT_PRE_STOP_WORLD) {
    stop_begin = bench_env::Clock::now();
  } else if (e == GC_EVENT_POST_START_WORLD) {
    const std::size_t i = pause_count.load(std::memory_order_relaxed);
    if (i < kMaxPauses) {
      pause_ns_log[i] = bench_env::ns_since(stop_begin);
      pause_count.store(i + 1, std::memory_order_relaxed);
    } else {
      pauses_dropped.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

/// Runs gc_pause_live64m once and returns whether the node counts add up; precondition:
/// GC_INIT() and GC_allow_register_threads() have run.
bool pause_live64m() {
  TreeNode* live = build_tree(sz::kLiveTreeDepth);
  int64_t got[sz::kPauseWorkers] = {};
  std::vector<std::thread> workers;
  for (int w = 0; w < sz::kPauseWorkers; ++w) {
    workers.emplace_back([&got, w] {
      GC_stack_base sb;
      GC_get_stack_base(&sb);
      GC_register_my_thread(&sb);
      int64_t sum = 0;
      for (int pass = 0; pass < sz::kPausePasses; ++pass) {
        for (int d = sz::kTreeMinDepth; d <= sz::kTreeMaxDepth; d += 2) {
          const int64_t iters = int64_t{1} << (sz::kTreeMaxDepth - d + sz::kTreeMinDepth);
          for (int64_t i = 0; i < iters; ++i) sum += count(build_tree(d));
        }
      }
      got[w] = sum;
      GC_unregister_my_thread();
    });
  }
  for (auto& t : workers) t.join();
  int64_t total = count(live);
  int64_t want = tree_nodes(sz::kLiveTreeDepth);
  for (int w = 0; w < sz::kPauseWorkers; ++w) total += got[w];
  for (int d = sz::kTreeMinDepth; d <= sz::kTreeMaxDepth; d += 2)
    want += int64_t{sz::kPauseWorkers} * sz::kPausePasses * (int64_t{1} << (sz::kTreeMaxDepth - d + sz::kTreeMinDepth)) *
            tree_nodes(d);
  benchmark::DoNotOptimize(live);
  return total == want;
}

/// The benchmark body of gc_pause_live64m: body()'s method plus the pause distribution of
/// all timed iterations and gc_cpu_fraction.
void bm_pause_live64m(benchmark::State& state) {
  pause_live64m();  // untimed warm-up, as on the other sides
  double total_ns = 0, cycles = 0, pause_sum = 0;
  std::vector<int64_t> pauses;
  for (auto _ : state) {
    GC_gcollect();
    const auto gc0 = GC_get_gc_no();
    pause_count.store(0);
    const auto t0 = bench_env::Clock::now();
    const bool ok = pause_live64m();
    const int64_t ns = bench_env::ns_since(t0);
    if (!ok) {
      state.SkipWithError("wrong result (node counts do not add up)");
      return;
    }
    cycles += static_cast<double>(GC_get_gc_no() - gc0);
    const std::size_t n = pause_count.load();
    for (std::size_t i = 0; i < n; ++i) {
      pauses.push_back(pause_ns_log[i]);
      pause_sum += static_cast<double>(pause_ns_log[i]);
    }
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    total_ns += static_cast<double>(ns);
  }
  if (pauses_dropped.load() != 0) {
    state.SkipWithError("more stop-the-world pauses than kMaxPauses");
    return;
  }
  bench_env::set_ns_per_op(state, total_ns, 1.0);
  // Go's histogram shape: counts per bucket upper bound, bounds in seconds.
  std::vector<double> uppers;
  for (int64_t p : pauses) uppers.push_back(bench_env::go_time_bucket_upper_ns(p));
  std::sort(uppers.begin(), uppers.end());
  uppers.erase(std::unique(uppers.begin(), uppers.end()), uppers.end());
  std::vector<uint64_t> counts(uppers.size(), 0);
  for (int64_t p : pauses)
    ++counts[static_cast<std::size_t>(
        std::lower_bound(uppers.begin(), uppers.end(), bench_env::go_time_bucket_upper_ns(p)) - uppers.begin())];
  std::vector<double> bounds{0.0};
  for (double u : uppers) bounds.push_back(u * 1e-9);
  const bench_env::PauseSummary s = bench_env::summarize_pauses(counts, bounds);
  const double iters = static_cast<double>(state.iterations());
  state.counters["gc_cycles"] = benchmark::Counter(cycles, benchmark::Counter::kAvgIterations);
  state.counters["gc_pause_ns"] = benchmark::Counter(pause_sum, benchmark::Counter::kAvgIterations);
  state.counters["gc_cpu_fraction"] = pause_sum / total_ns;
  state.counters["gc_pauses"] = s.count / iters;
  state.counters["pause_p50_ns"] = s.p50_ns;
  state.counters["pause_p99_ns"] = s.p99_ns;
  state.counters["pause_max_ns"] = s.max_ns;
  state.counters["gc_markers"] = GC_get_parallel() + 1;
}

/// A gc_mark_throughput node: two pointers and a word, 24 bytes.
struct MarkNode {
  MarkNode* left;
  MarkNode* right;
  int64_t v;
};
static_assert(sizeof(MarkNode) == 24);

/// Returns a complete MarkNode tree of `depth` (>= 0) allocated with GC_MALLOC.
MarkNode* build_mark_tree(int depth) {
  auto* t = static_cast<MarkNode*>(GC_MALLOC(sizeof(MarkNode)));
  t->v = depth;
  if (depth > 0) {
    t->left = build_mark_tree(depth - 1);
    t->right = build_mark_tree(depth - 1);
  } else {
    t->left = t->right = nullptr;
  }
  return t;
}

/// The benchmark body of gc_mark_throughput: per iteration, build the tree, collect once
/// untimed, then time sz::kMarkCollections GC_gcollect calls; ns_per_op = ns per collection.
void bm_mark_throughput(benchmark::State& state) {
  double total_ns = 0, marked = 0;
  for (auto _ : state) {
    GC_gcollect();
    MarkNode* tree = build_mark_tree(sz::kMarkTreeDepth);
    GC_gcollect();  // untimed warm-up collection
    int64_t ns = 0;
    for (int i = 0; i < sz::kMarkCollections; ++i) {
      const auto t0 = bench_env::Clock::now();
      GC_gcollect();
      ns += bench_env::ns_since(t0);
    }
    marked += static_cast<double>(tree_nodes(sz::kMarkTreeDepth)) * static_cast<double>(GC_size(tree));
    benchmark::DoNotOptimize(tree);
    tree = nullptr;
    const double per_gc = static_cast<double>(ns) / sz::kMarkCollections;
    state.SetIterationTime(per_gc * 1e-9);
    total_ns += per_gc;
  }
  bench_env::set_ns_per_op(state, total_ns, 1.0);
  const double iters = static_cast<double>(state.iterations());
  state.counters["marked_bytes"] = marked / iters;
  state.counters["mark_bytes_per_s"] = marked / (total_ns * 1e-9);
  state.counters["gc_markers"] = GC_get_parallel() + 1;
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
  reg("BM_gc_pause_live64m", bm_pause_live64m);
  reg("BM_gc_mark_throughput", bm_mark_throughput);
}

}  // namespace

int main(int argc, char** argv) {
  GC_INIT();
  GC_start_performance_measurement();  // enables GC_get_full_gc_total_time (gc_pause_ns)
  GC_allow_register_threads();         // gc_pause_live64m's worker threads
  GC_set_on_collection_event(on_gc_event);
  return bench_env::run_main(argc, argv, register_all);
}
