// bench_env.hpp — header-only helpers shared by the Google Benchmark binaries of bench/:
// gort_bench (bench/sched_bench.cpp) and the peers (bench/peers/boost_fiber_bench.cpp).
//
// What lives here is what must behave the same on every C++ side: the wall clock of a
// workload, the GORT_BENCH_PROCS contract (see bench/README.md), the fan-out workload's
// per-goroutine body, the `ns_per_op` counter and the benchmark main().  Workloads, sizes and
// per-side knobs (GORT_BENCH_WARMUP, the default CPU count) stay in the binaries.
//
// Include directory: bench/common (bench/CMakeLists.txt, bench/peers/CMakeLists.txt).

#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace bench_env {

/// The clock every workload is timed with (monotonic; wall time, not CPU time).
using Clock = std::chrono::steady_clock;

/// Largest P accepted in GORT_BENCH_PROCS.
inline constexpr unsigned kMaxProcs = 4096;

/// Returns the nanoseconds elapsed since `t0`; precondition: `t0` is a Clock::now() reading
/// taken earlier in this process.
inline int64_t ns_since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
}

/// Returns the P values for the `…/procs:P` benchmarks from GORT_BENCH_PROCS (a comma list
/// of integers in 1..kMaxProcs, blanks around each allowed, e.g. "1,2,8"), in order with
/// repeats dropped, or "1,default_cpus" if it is unset or empty, or — after one line on
/// stderr that starts with `program` and names the variable and the accepted form — if it is
/// malformed; preconditions: `program` is a non-null NUL-terminated string and
/// `default_cpus` >= 1.
inline std::vector<unsigned> procs_list(const char* program, unsigned default_cpus) {
  std::vector<unsigned> out;
  const char* env = std::getenv("GORT_BENCH_PROCS");
  if (env != nullptr && *env != '\0') {
    bool bad = false;
    const std::string s(env);
    size_t pos = 0;
    for (;;) {
      const size_t comma = s.find(',', pos);
      std::string tok = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      const size_t b = tok.find_first_not_of(" \t");
      const size_t e = tok.find_last_not_of(" \t");
      tok = b == std::string::npos ? std::string() : tok.substr(b, e - b + 1);
      if (tok.empty() || tok.size() > 6 || tok.find_first_not_of("0123456789") != std::string::npos) {
        bad = true;
        break;
      }
      const unsigned long v = std::stoul(tok);
      if (v == 0 || v > kMaxProcs) {
        bad = true;
        break;
      }
      out.push_back(static_cast<unsigned>(v));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (bad) {
      std::fprintf(stderr,
                   "%s: invalid GORT_BENCH_PROCS=\"%s\": want a comma-separated list of "
                   "integers in 1..%u (e.g. \"1,2,8\"); using the default \"1,%u\"\n",
                   program, env, kMaxProcs, default_cpus);
      out.clear();
    }
  }
  if (out.empty()) out = {1, default_cpus};
  std::vector<unsigned> dedup;
  for (unsigned p : out) {
    bool seen = false;
    for (unsigned q : dedup) seen = seen || q == p;
    if (!seen) dedup.push_back(p);
  }
  return dedup;
}

/// Sizes of the channel and sync workloads, the contract every C++ side reads from here
/// (bench/go/chan.go and sync.go spell the same numbers; bench/README.md defines the
/// workloads).  Round trips, messages and pairs are what ns_per_op divides by.
namespace sizes {
inline constexpr int kPingpongRoundTrips = 200'000;       // chan_unbuffered_pingpong
inline constexpr int64_t kStreamMessages = 1'000'000;     // chan_buffered_1, chan_buffered_1024
inline constexpr int kMpmcProducers = 4;                  // chan_mpmc_4x4
inline constexpr int kMpmcConsumers = 4;
inline constexpr int64_t kMpmcPerProducer = 250'000;
inline constexpr int kMpmcCapacity = 1024;
inline constexpr int64_t kSelectMessages = 1'000'000;     // select_N
inline constexpr int kSelectCapacity = 128;
inline constexpr int kUncontendedPairs = 10'000'000;      // mutex_uncontended
inline constexpr int kContendedWorkers = 4;               // mutex_contended
inline constexpr int kContendedPairs = 250'000;
inline constexpr int kFaninWorkers = 10'000;              // waitgroup_fanin

// Allocation and GC workloads (bench/go/alloc.go spells the same numbers). Objects are
// what ns_per_op divides by, except binary_trees and gctrace_retained_1k (one run).
inline constexpr int64_t kSmallObjects = 10'000'000;      // alloc_24, alloc_64_noscan
inline constexpr int64_t kKibObjects = 1'000'000;         // alloc_1k, gctrace_retained_1k
inline constexpr std::size_t kKib = 1024;
inline constexpr int64_t kBigObjects = 50'000;            // alloc_64k
inline constexpr std::size_t kBigBytes = 64 * 1024;
inline constexpr int kLiveRingSlots = 64;                 // live references: most objects die young
inline constexpr int kTreeMaxDepth = 16;                  // binary_trees (benchmarks-game size)
inline constexpr int kTreeMinDepth = 4;

/// 0 + 1 + ... + (n - 1): what one producer of the checked workloads sends in total.
constexpr int64_t sum_below(int64_t n) { return n * (n - 1) / 2; }
}  // namespace sizes

/// One fan-out goroutine's (fiber's) result, on a cache line of its own so that the
/// workers of BM_fanout_cpu do not share lines.
struct alignas(64) ResultSlot {
  uint64_t value = 0;
};

/// Runs the BM_fanout_cpu body of worker `i` — `steps` steps of a 64-bit LCG seeded with
/// `i` — and stores the result in `slot` where the optimiser cannot drop it; preconditions:
/// `steps` >= 0 and no other thread accesses `slot` meanwhile.
inline void fanout_lcg(ResultSlot& slot, int i, int steps) {
  uint64_t x = static_cast<uint64_t>(i);
  for (int k = 0; k < steps; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  slot.value = x;
  benchmark::DoNotOptimize(slot.value);
}

/// Sets the `ns_per_op` counter of `state` to `total_ns` / (iterations × `units`), the mean
/// wall time of one operation; preconditions: the benchmark loop of `state` has finished,
/// `state.iterations()` > 0 and `units` > 0.
inline void set_ns_per_op(benchmark::State& state, double total_ns, double units) {
  state.counters["ns_per_op"] =
      benchmark::Counter(total_ns / (static_cast<double>(state.iterations()) * units));
}

/// How Google Benchmark repeats a manual-time benchmark: exactly `iterations` iterations
/// if that is > 0, else as many as add up to `min_time_s` seconds of manual time.
struct Timing {
  int64_t iterations;
  double min_time_s;
};

/// Returns a Timing of exactly `n` iterations; precondition: `n` > 0.
inline constexpr Timing fixed_iterations(int64_t n) { return {n, 0.0}; }

/// Returns a Timing that repeats until `seconds` of manual time are measured; precondition:
/// `seconds` > 0.
inline constexpr Timing min_time(double seconds) { return {0, seconds}; }

/// Applies `timing`, UseManualTime() and the millisecond unit to the registered benchmark
/// `b` and returns `b`; precondition: `b` is non-null, as returned by RegisterBenchmark.
inline benchmark::internal::Benchmark* manual_time(benchmark::internal::Benchmark* b, Timing timing) {
  if (timing.iterations > 0) {
    b->Iterations(timing.iterations);
  } else {
    b->MinTime(timing.min_time_s);
  }
  return b->UseManualTime()->Unit(benchmark::kMillisecond);
}

/// One `…/procs:P` workload of a binary: its benchmark name (BM_<key>), whatever the binary
/// needs to run it (`payload`: a function, an enum key, …) and `units`, the divisor that
/// turns the wall ns of one run into ns_per_op.
template <class Payload>
struct PerProcs {
  const char* name;
  Payload payload;
  double units;
};

/// Registers, for each workload in order and for each P in `procs` in order, one benchmark
/// `name/procs:P` whose body is `make_body(payload, units)` (the body reads P as
/// `state.range(0)`), with `timing` as in manual_time(); preconditions: every `name` is a
/// non-null string that outlives the registration (a literal) and `make_body` returns a
/// copyable callable `void(benchmark::State&)`.
template <class Payload, std::size_t N, class MakeBody>
void register_per_procs(const PerProcs<Payload> (&workloads)[N], const std::vector<unsigned>& procs,
                        const MakeBody& make_body, Timing timing) {
  for (const PerProcs<Payload>& w : workloads) {
    for (unsigned p : procs) {
      manual_time(benchmark::RegisterBenchmark(w.name, make_body(w.payload, w.units))->ArgNames({"procs"})->Arg(p),
                  timing);
    }
  }
}

/// Runs the benchmark binary — parses Google Benchmark's flags (returning 1 on an
/// unrecognised one), calls `register_all`, runs the selected benchmarks — and returns
/// main()'s exit status; preconditions: `argc`/`argv` are main()'s, `register_all` is
/// non-null, and it is called once per process.
inline int run_main(int argc, char** argv, void (*register_all)()) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench_env
