// boost_fiber_harness.hpp — how every suite of the peer_boost_fiber binary measures a workload.
//
// peer_boost_fiber is one Google Benchmark binary built from several suites, the Boost.Fiber
// twins of gort_bench's: boost_fiber_bench.cpp (scheduler), boost_fiber_chan.cpp (channels),
// boost_fiber_sync.cpp (mutex, wait group). Each registers its workloads through the
// functions below; main() (boost_fiber_harness.cpp) calls the suites' register functions.
//
// Method (boost_fiber_harness.cpp). One forked child process per measured iteration: the
// child builds a pool of P threads running boost::fibers::algo::work_stealing (the benchmark's
// thread plus P-1 std::threads, each calling use_scheduling_algorithm<work_stealing>(P) and
// then waiting on a fiber condition variable until the workload has finished, as in
// Boost.Fiber's documented work_stealing example), runs the workload on the calling thread's
// main fiber — once untimed first if the suite asks for a warm-up — then reports the timed
// run's wall time (or the workload's error) through a pipe, joins its threads and _exits.
// Only the workload is timed (from just before its first fiber is launched until the last is
// joined or waited for); fork, pool setup and teardown are not. The parent feeds the child's
// figure to state.SetIterationTime (UseManualTime). A watchdog (alarm) kills a child that
// hangs, and the benchmark then reports an error instead of hanging.
//
// Why a process per run: Boost 1.74's work_stealing can be installed only once per process.
// Its constructor sizes a function-local static thread_barrier and a static scheduler table
// from the first thread_count it sees, and hands out scheduler ids from a process-wide
// counter that never resets; a second pool (another P, or the same P again) would index past
// that table.
//
// P comes from GORT_BENCH_PROCS (comma list, e.g. "1,2"; parsed by bench_env::procs_list in
// bench/common/bench_env.hpp, shared with the gort suite); default "1,N" with N =
// std::thread::hardware_concurrency(), deduplicated. Workloads not parameterised by P run
// with P = N.
//
// Google Benchmark appends bookkeeping to every run name, e.g.
// "BM_park_ready/procs:2/iterations:1/manual_time" or
// "BM_chan_mpmc_4x4/procs:2/min_time:0.050/manual_time"; compare.py strips it to get the key.

#pragma once

#include <benchmark/benchmark.h>

#include "bench_env.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace boost_fiber_bench {

/// A workload: runs once on the pool's main fiber and returns its wall time in ns, or -1
/// with *error set when it detected a wrong result.
using Workload = int64_t (*)(std::string* error);

/// How a suite measures its workloads: Google Benchmark's repetition rule, and whether each
/// child runs the workload once untimed before the timed run.
struct Method {
  bench_env::Timing timing;
  bool warmup;
};

/// Least measured time per Google Benchmark run for workloads measured with MinTime: the
/// same 50 ms as gort_bench (kMinTimeSeconds in bench/gort_harness.hpp) and bench/go
/// (minRepTime), so a sample on every side averages over at least 50 ms.
inline constexpr double kMinTimeSeconds = 0.05;

/// The chan and sync suites' method: a warm-up in the child before the timed run (as
/// gort_bench and bench/go do), and as many iterations (children) as add up to 50 ms.
inline constexpr Method kWarmupMinTime{bench_env::min_time(kMinTimeSeconds), true};

/// Returns the CPU count used for workloads not parameterised by P (at least 1).
unsigned hardware_procs();

/// The body of a benchmark: iterations of one forked child each running `workload` on a
/// pool of `procs` threads; sets ns_per_op = wall ns / `units` per run, or skips with the
/// child's error; preconditions: procs >= 1, units > 0.
void run_benchmark(benchmark::State& state, Workload workload, unsigned procs, double units, bool warmup);

/// Registers `name` (a literal), run on hardware_procs() threads, measured per `method`.
void register_at_hw(const char* name, Workload workload, double units, Method method);

/// Registers `name/procs:P` for every workload and every P of GORT_BENCH_PROCS, measured per
/// `method`; every name must be a literal.
template <std::size_t N>
void register_per_procs(const bench_env::PerProcs<Workload> (&workloads)[N], Method method) {
  bench_env::register_per_procs(
      workloads, bench_env::procs_list("peer_boost_fiber", hardware_procs()),
      [method](Workload workload, double units) {
        return [workload, units, method](benchmark::State& st) {
          run_benchmark(st, workload, static_cast<unsigned>(st.range(0)), units, method.warmup);
        };
      },
      method.timing);
}

// Workload bodies shared between suites.

/// Launches `fibers` detached fibers that each only count down one wait group, waits for
/// them, and returns the wall ns (spawn_exit, waitgroup_fanin; boost_fiber_bench.cpp);
/// precondition: runs on a fiber of the pool, fibers >= 1.
int64_t spawn_and_wait(int fibers);

/// Passes a token `round_trips` times back and forth between two fibers through a pair of
/// unbuffered_channel<int> (A: push on ping, pop on pong; B: the reverse), joins both and
/// returns the wall ns (park_ready, chan_unbuffered_pingpong; boost_fiber_chan.cpp);
/// precondition: runs on a fiber of the pool, round_trips >= 0.
int64_t unbuffered_pingpong(int round_trips);

// The suites. main() registers them in this order.

/// Scheduler workloads (boost_fiber_bench.cpp).
void register_sched_benchmarks();
/// Channel workloads (boost_fiber_chan.cpp).
void register_chan_benchmarks();
/// Mutex and wait-group workloads (boost_fiber_sync.cpp).
void register_sync_benchmarks();

}  // namespace boost_fiber_bench
