// trace_bench.cpp — what the execution tracer costs (a suite of gort_bench).
//
// Two workloads of the scheduler and channel suites run again with a trace
// being written; the same pairs exist in bench/go (trace.go, runtime/trace), so
// compare.py shows gort's tracing cost next to Go's.
//
//   BM_traced_gosched_pingpong/procs:P
//       gosched_pingpong (sched_bench.cpp) while tracing.  Per yield the trace
//       gets a GoStop and a GoStart (2 events).      ns_per_op = wall / 2,000,000 yields.
//   BM_traced_chan_unbuffered_pingpong/procs:P
//       chan_unbuffered_pingpong (chan_bench.cpp) while tracing.  Per round trip:
//       GoBlock (with its stack), GoUnblock and GoStart, twice each (6 events).
//                                                    ns_per_op = wall / 200,000 round trips.
//
// The trace starts before the workload's untimed warm-up and stops after the
// timed run; only the workload is timed, so stop's symbolization and final
// flush are not.  The file goes to the temporary directory and is removed.
// Per-event cost = (traced - untraced ns_per_op) / events per op (NOTES.md).
#include "gort_harness.hpp"

#include <gort/trace.hpp>


namespace {

using gort_bench::WorkloadFn;

constexpr char kTraceSuffix[] = ".trace";

/// fn, run while a trace is written (started before, stopped after the run).
template <WorkloadFn Fn>
constexpr auto traced = &gort_bench::recorded<Fn, &gort::trace::start, &gort::trace::stop, kTraceSuffix>;

}  // namespace

void gort_bench::register_trace_benchmarks() {
  using namespace bench_env::sizes;
  const bench_env::PerProcs<WorkloadFn> per_procs[] = {
      {"BM_traced_gosched_pingpong", traced<&gort_bench::workload_gosched_pingpong>, 2.0 * kYieldsPerGoroutine},
      {"BM_traced_chan_unbuffered_pingpong", traced<&gort_bench::workload_unbuffered_pingpong>,
       double(kPingpongRoundTrips)},
  };
  register_per_procs(per_procs);
}
