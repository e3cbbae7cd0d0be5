// gort_harness.hpp — how every suite of the gort_bench binary measures a workload.
//
// gort_bench is one Google Benchmark binary built from several suites (sched_bench.cpp,
// chan_bench.cpp, sync_bench.cpp, alloc_bench.cpp), each registering its workloads through the functions
// declared at the bottom of this file; gort_bench_main.cpp calls them all.  This header
// holds what the suites share: one gort::run per measured iteration, GOMAXPROCS set inside
// it, an untimed warm-up (GORT_BENCH_WARMUP), the steady-clock time of the workload only,
// and the ns_per_op counter (bench_env.hpp).  See sched_bench.cpp's header for the method.
#pragma once

#include <benchmark/benchmark.h>

#include <gort/gort.hpp>

#include "bench_env.hpp"

#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace gort_bench {

/// Google Benchmark's MinTime for the compared workloads: most timed runs take longer and
/// get one iteration; short ones get enough iterations — each a gort::run of its own — to
/// add up to this much measured time.
inline constexpr double kMinTimeSeconds = 0.05;

/// Returns GORT_BENCH_WARMUP: "1" (default) or "0"; malformed -> one line on stderr, then 1.
inline bool warmup_enabled() {
  const char* env = std::getenv("GORT_BENCH_WARMUP");
  if (env == nullptr || *env == '\0') return true;
  const std::string v(env);
  if (v == "1") return true;
  if (v == "0") return false;
  std::fprintf(stderr, "gort_bench: invalid GORT_BENCH_WARMUP=\"%s\": want 0 or 1; using the default 1\n", env);
  return true;
}

/// Returns the CPUs this process may run on (Go's runtime.NumCPU; gort's default GOMAXPROCS).
inline unsigned num_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

/// A workload: runs once on the main goroutine and returns its wall time in ns, or -1 with
/// *error set when it detected a wrong result.
using Workload = std::function<int64_t(std::string* error)>;

/// Runs one iteration: boots gort, sets GOMAXPROCS to procs, runs the workload once untimed
/// if warmup, then once timed; returns the timed ns or -1 (error set).
inline int64_t run_once(unsigned procs, bool warmup, const Workload& workload, std::string* error) {
  int64_t ns = -1;
  gort::run([&] {
    gort::gomaxprocs(static_cast<int>(procs));
    if (warmup && workload(error) < 0) return;  // untimed
    ns = workload(error);
  });
  return ns;
}

/// The body of a benchmark: iterations of run_once; ns_per_op = wall ns / units per run.
/// The timing loop of every benchmark: iteration(&error) runs one measured iteration and
/// returns its ns, or -1 with error set (the benchmark is then skipped with it); ns_per_op =
/// wall ns / units per iteration.
template <class Iteration>
void time_iterations(benchmark::State& state, double units, Iteration&& iteration) {
  double total_ns = 0;
  for (auto _ : state) {
    std::string error;
    const int64_t ns = iteration(&error);
    if (ns < 0) {
      state.SkipWithError((error.empty() ? std::string("workload failed") : error).c_str());
      break;
    }
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    total_ns += static_cast<double>(ns);
  }
  if (state.iterations() > 0 && !state.error_occurred()) bench_env::set_ns_per_op(state, total_ns, units);
}

inline void run_benchmark(benchmark::State& state, unsigned procs, bool warmup, double units,
                          const Workload& workload) {
  time_iterations(state, units, [&](std::string* error) { return run_once(procs, warmup, workload, error); });
}

/// A workload function as the suites define them.
using WorkloadFn = int64_t (*)(std::string*);

/// Registers `name` run with GOMAXPROCS = number of CPUs; `name` must be a literal.
inline void register_at_ncpu(const char* name, WorkloadFn fn, double units) {
  const unsigned ncpu = num_cpus();
  const bool warmup = warmup_enabled();
  bench_env::manual_time(
      benchmark::RegisterBenchmark(name, [ncpu, warmup, fn, units](benchmark::State& st) {
        run_benchmark(st, ncpu, warmup, units, fn);
      }),
      bench_env::min_time(kMinTimeSeconds));
}

/// Registers `name/procs:P` for every P of GORT_BENCH_PROCS (bench_env::procs_list).
template <std::size_t N>
void register_per_procs(const bench_env::PerProcs<WorkloadFn> (&workloads)[N]) {
  const bool warmup = warmup_enabled();
  bench_env::register_per_procs(
      workloads, bench_env::procs_list("gort_bench", num_cpus()),
      [warmup](WorkloadFn fn, double units) {
        return [fn, units, warmup](benchmark::State& st) {
          run_benchmark(st, static_cast<unsigned>(st.range(0)), warmup, units, fn);
        };
      },
      bench_env::min_time(kMinTimeSeconds));
}

/// Where a recorded run (a trace, a CPU profile) writes its file: the temporary
/// directory, named by this process and `suffix`.
inline std::string recording_path(const char* suffix) {
  return std::string(std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp") + "/gort_bench_" +
         std::to_string(::getpid()) + suffix;
}

/// Fn, run between Start(path) and Stop() of a recorder writing a scratch file
/// (gort::trace, gort::pprof's CPU profile); the file is removed afterwards.
/// The twins of the trace and profiler suites are this over their workloads.
template <WorkloadFn Fn, void (*Start)(const std::string&), void (*Stop)(), const char* Suffix>
int64_t recorded(std::string* error) {
  const std::string path = recording_path(Suffix);
  Start(path);
  const int64_t ns = Fn(error);
  Stop();
  std::remove(path.c_str());
  return ns;
}

// The suites.  Each registers its benchmarks; gort_bench_main.cpp calls them in this order.

/// Scheduler and timer workloads (sched_bench.cpp).
void register_sched_benchmarks();
/// Channel and select workloads (chan_bench.cpp).
void register_chan_benchmarks();
/// Mutex and WaitGroup workloads (sync_bench.cpp).
void register_sync_benchmarks();
/// Allocation and collection workloads (alloc_bench.cpp).
void register_alloc_benchmarks();
/// The execution tracer's cost: traced twins of two workloads (trace_bench.cpp).
void register_trace_benchmarks();
/// The CPU profiler's cost: profiled twins of three workloads (cpuprof_bench.cpp).
void register_cpuprof_benchmarks();
/// What a goroutine profile costs to take (profile_bench.cpp).
void register_profile_benchmarks();

// Workloads the trace suite runs again with tracing on.
/// gosched_pingpong (sched_bench.cpp).
int64_t workload_gosched_pingpong(std::string* error);
/// chan_unbuffered_pingpong (chan_bench.cpp).
int64_t workload_unbuffered_pingpong(std::string* error);
/// alloc_24 (alloc_bench.cpp), for the CPU profiler's suite.
int64_t workload_alloc_24_profiled_twin(std::string* error);

}  // namespace gort_bench
