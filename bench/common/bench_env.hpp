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
inline constexpr int kYieldsPerGoroutine = 1'000'000;      // gosched_pingpong, per goroutine
inline constexpr int64_t kStreamMessages = 1'000'000;     // chan_buffered_1, chan_buffered_1024
/// Bytes of each string chan_buffered_1024_string sends: past every std::string's inline
/// buffer (15 bytes in libstdc++), so each message is one malloc by the producer and one
/// free by the consumer, often on another thread (the C++ heap's cross-thread case).
inline constexpr int kStringMessageBytes = 64;
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

// GC pause, mark and memory-limit workloads (bench/go/gcpause.go spells the same numbers).
// gc_pause_live64m: a complete tree of this depth stays reachable the whole run:
// 2^22 - 1 nodes of two pointers, 16 B each in Go and libgc (64 MiB), 24 B in gort (its
// 8-byte object header: 96 MiB).  Meanwhile kPauseWorkers goroutines each run the
// binary-trees depth loop (kTreeMinDepth..kTreeMaxDepth) kPausePasses times: 2 workers,
// one per P of GOMAXPROCS=2, and 2 passes, which is about 60 M short-lived nodes (≈ 1 GB
// in Go) per run — enough for some 15 cycles, 30 pauses, at GOGC=100 over 64 MiB live.
inline constexpr int kLiveTreeDepth = 21;
inline constexpr int kPauseProcs = 2;
inline constexpr int kPauseWorkers = 2;
inline constexpr int kPausePasses = 2;
// gc_mark_throughput: a complete tree of depth 22 (2^23 - 1 ≈ 8.4 M nodes of 24 B in Go:
// 192 MiB; 32 B with gort's header or libgc's 16-byte granules: 256 MiB), then
// kMarkCollections forced full collections on one P, each timed; 4 keeps a gort run near
// a few seconds while averaging over more than one collection.
inline constexpr int kMarkTreeDepth = 22;
inline constexpr int kMarkProcs = 1;
inline constexpr int kMarkCollections = 4;
// gc_memlimit_100mbs: GOMEMLIMIT=512MiB with GOGC=off; buffers of 1..8 KiB (uniform,
// from a fixed LCG) at 100 MB/s for 3 s, paced in 10 ms steps of 1 MB each (absolute
// deadlines, so a late step is caught up), a ring of 64 MiB / 4.5 KiB (the mean size)
// slots keeping ≈ 64 MiB live.  HeapInuse is sampled after every step.
inline constexpr int64_t kMemLimitBytes = int64_t{512} << 20;
inline constexpr int64_t kLimitBytesPerStep = 1'000'000;       // 100 MB/s at 10 ms steps
inline constexpr int64_t kLimitStepNs = 10'000'000;
inline constexpr int64_t kLimitSteps = 800;                     // 8 s: 800 MB, past the 512 MiB limit
inline constexpr std::size_t kLimitMinBuf = 1024;
inline constexpr std::size_t kLimitMaxBuf = 8192;
inline constexpr std::size_t kLimitRingSlots = (std::size_t{64} << 20) / 4608;

// goroutine_profile_10k (profile_bench.cpp, bench/go/profile.go): one goroutine profile
// (proto, debug=0) written while this many goroutines wait in a channel receive — the size
// at which NOTES §14 first measured the stop-the-world walk (0.7 s).
inline constexpr int kProfiledGoroutines = 10'000;

/// 0 + 1 + ... + (n - 1): what one producer of the checked workloads sends in total.
constexpr int64_t sum_below(int64_t n) { return n * (n - 1) / 2; }
}  // namespace sizes

/// Returns the upper bound, in ns, of the bucket that holds a pause of `ns` (>= 0) in Go
/// 1.19's time histogram (runtime/metrics "/gc/pauses:seconds"; gort's read_gc_pauses uses
/// the same buckets): exact below 16 ns, then 16 linear sub-buckets per power of two.
/// peer_boehm_gc bins the pauses it times itself with it, so every side estimates the
/// percentiles from the same buckets.
inline double go_time_bucket_upper_ns(int64_t ns) {
  if (ns < 16) return static_cast<double>(ns + 1);
  const int high = 63 - __builtin_clzll(static_cast<unsigned long long>(ns));
  const int shift = high - 4;
  return static_cast<double>((((static_cast<uint64_t>(ns) >> shift) + 1) << shift));
}

/// A pause distribution: the values are bucket upper bounds (see pause_quantile_ns).
struct PauseSummary {
  double count = 0, p50_ns = 0, p99_ns = 0, max_ns = 0;
};

/// Summarises a histogram of pauses: counts[i] pauses fell in [bounds_s[i], bounds_s[i+1])
/// seconds (Float64Histogram shape; bounds_s.size() == counts.size() + 1).  The q-quantile
/// is the upper bound of the bucket holding the ceil(q × N)-th smallest pause (its lower
/// bound for the unbounded last bucket), max is q = 1 — the method of every side.
inline PauseSummary summarize_pauses(const std::vector<uint64_t>& counts, const std::vector<double>& bounds_s) {
  PauseSummary s;
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  s.count = static_cast<double>(n);
  if (n == 0) return s;
  const auto quantile = [&](double q) {
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(n));
    if (static_cast<double>(rank) < q * static_cast<double>(n)) ++rank;  // ceil
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      seen += counts[i];
      if (seen >= rank) {
        const double hi = bounds_s[i + 1];
        return (hi == hi && hi < 1e300 ? hi : bounds_s[i]) * 1e9;  // +Inf: lower bound
      }
    }
    return bounds_s[counts.size()] * 1e9;
  };
  s.p50_ns = quantile(0.50);
  s.p99_ns = quantile(0.99);
  s.max_ns = quantile(1.0);
  return s;
}

/// Returns the GC CPU time between two cycle ends over the CPU time available in between,
/// from runtime.MemStats' cumulative GCCPUFraction f0, f1 (GC CPU / CPU available since the
/// runtime started) read right after cycles that ended at t0_ns and t1_ns (LastGC, measured
/// from the runtime's start): (f1·t1 − f0·t0) / (t1 − t0) — the GOMAXPROCS factor of the
/// available CPU time cancels out; 0 when no cycle ended in between.  Needs GOMAXPROCS constant since the runtime started
/// (compare.py sets it in the environment where that matters).
inline double gc_cpu_fraction_between(double f0, double t0_ns, double f1, double t1_ns) {
  if (t1_ns <= t0_ns) return 0;
  return (f1 * t1_ns - f0 * t0_ns) / (t1_ns - t0_ns);
}

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
