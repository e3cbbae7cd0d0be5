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
// ns_per_op as the unprofiled twin's.  The profile starts before the
// workload's untimed warm-up and stops after the timed run; a reader thread
// drains the sample buffer every 100 ms into a table of stacks while the
// workload runs, as Go's profileWriter does (its encoding at stop is not
// timed on either side).  Until gort::pprof writes the file, the gort side
// reads through the runtime's sample interface (gort/runtime/internal/cpuprof.hpp).
#include "gort_harness.hpp"

#include <gort/runtime/internal/cpuprof.hpp>

#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

namespace {

using gort_bench::WorkloadFn;
namespace rt = gort::runtime;

/// fn, run while a CPU profile is taken (started before, stopped after the run).
template <WorkloadFn Fn>
int64_t profiled(std::string* error) {
  if (!rt::set_cpu_profile_rate(rt::kCpuProfileDefaultHz)) {
    *error = "cpu profiling already in use";
    return 0;
  }
  std::atomic<bool> stop{false};
  std::map<std::vector<uintptr_t>, uint64_t> stacks;
  std::thread reader([&] {
    std::vector<rt::CpuProfileRecord> recs;
    for (bool more = true; more;) {
      more = rt::read_cpu_profile(recs);
      for (auto& r : recs) stacks[r.stack] += r.count;
      recs.clear();
      if (more && !stop.load()) usleep(100'000);
    }
  });
  const int64_t ns = Fn(error);
  rt::set_cpu_profile_rate(0);
  stop.store(true);
  reader.join();
  return ns;
}

}  // namespace

void gort_bench::register_cpuprof_benchmarks() {
  using namespace bench_env::sizes;
  const bench_env::PerProcs<WorkloadFn> per_procs[] = {
      {"BM_cpuprof_gosched_pingpong", &profiled<&gort_bench::workload_gosched_pingpong>, 2.0 * kYieldsPerGoroutine},
      {"BM_cpuprof_chan_unbuffered_pingpong", &profiled<&gort_bench::workload_unbuffered_pingpong>,
       double(kPingpongRoundTrips)},
  };
  register_per_procs(per_procs);
  register_at_ncpu("BM_cpuprof_alloc_24", &profiled<&gort_bench::workload_alloc_24_profiled_twin>,
                   double(kSmallObjects));
}
