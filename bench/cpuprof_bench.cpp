// cpuprof_bench.cpp — what the CPU profiler costs (a suite of gort_bench).
//
// Workloads of the scheduler, channel and allocation suites run again while a
// CPU profile is taken at 100 Hz; the same twins exist in bench/go (cpuprof.go,
// runtime/pprof.StartCPUProfile), so compare.py shows gort's profiling cost
// next to Go's.
//
//   BM_cpuprof_gosched_pingpong/procs:P         gosched_pingpong (sched_bench.cpp), profiled.
//   BM_cpuprof_chan_unbuffered_pingpong/procs:P chan_unbuffered_pingpong (chan_bench.cpp), profiled.
//   BM_cpuprof_alloc_24                         alloc_24 (alloc_bench.cpp), profiled.
//
// ns_per_op as the unprofiled twin's.  Each run of the workload (the untimed
// warm-up and the timed run) gets its own profile (gort::pprof, written to the
// temporary directory and removed), started just before it and stopped just
// after, outside its timing; while it runs, gort's writer thread drains the
// samples every 100 ms as Go's profileWriter goroutine does.  Go's side does
// the same (cpuprof.go); the encoding at stop is timed on neither.
#include "gort_harness.hpp"

#include <gort/pprof.hpp>

namespace {

using gort_bench::WorkloadFn;

constexpr char kProfileSuffix[] = ".pprof";

/// fn, run while a CPU profile is taken (started before, stopped after the run).
template <WorkloadFn Fn>
constexpr auto profiled = &gort_bench::recorded<Fn, &gort::pprof::start_cpu_profile, &gort::pprof::stop_cpu_profile,
                                                kProfileSuffix>;

}  // namespace

void gort_bench::register_cpuprof_benchmarks() {
  using namespace bench_env::sizes;
  const bench_env::PerProcs<WorkloadFn> per_procs[] = {
      {"BM_cpuprof_gosched_pingpong", profiled<&gort_bench::workload_gosched_pingpong>, 2.0 * kYieldsPerGoroutine},
      {"BM_cpuprof_chan_unbuffered_pingpong", profiled<&gort_bench::workload_unbuffered_pingpong>,
       double(kPingpongRoundTrips)},
  };
  register_per_procs(per_procs);
  register_at_ncpu("BM_cpuprof_alloc_24", profiled<&gort_bench::workload_alloc_24_profiled_twin>,
                   double(kSmallObjects));
}
