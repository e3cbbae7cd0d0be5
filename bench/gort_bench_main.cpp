// gort_bench_main.cpp — main() of gort_bench: registers every suite, then runs the
// benchmarks Google Benchmark's flags select (see gort_harness.hpp).
#include "gort_harness.hpp"

namespace {

void register_all() {
  gort_bench::register_sched_benchmarks();
  gort_bench::register_chan_benchmarks();
  gort_bench::register_sync_benchmarks();
  gort_bench::register_alloc_benchmarks();
  gort_bench::register_trace_benchmarks();
  gort_bench::register_cpuprof_benchmarks();
}

}  // namespace

int main(int argc, char** argv) { return bench_env::run_main(argc, argv, register_all); }
