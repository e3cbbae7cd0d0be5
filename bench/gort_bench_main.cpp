// gort_bench_main.cpp — main() of gort_bench: registers every suite, then runs the
// benchmarks Google Benchmark's flags select (see gort_harness.hpp).
//
//   gort_bench [--cpuprofile=FILE] [Google Benchmark flags]
//
// --cpuprofile=FILE profiles every selected benchmark's runs, warm-ups included, into one
// CPU profile (as `go test -bench X -cpuprofile FILE`); read it with go tool pprof.
#include "gort_harness.hpp"

#include <gort/pprof.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

void register_all() {
  gort_bench::register_sched_benchmarks();
  gort_bench::register_chan_benchmarks();
  gort_bench::register_sync_benchmarks();
  gort_bench::register_alloc_benchmarks();
  gort_bench::register_trace_benchmarks();
  gort_bench::register_cpuprof_benchmarks();
  gort_bench::register_profile_benchmarks();
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::string_view kFlag = "--cpuprofile=";
  std::string profile;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a(argv[i]);
    if (i > 0 && a.starts_with(kFlag)) {
      profile = a.substr(kFlag.size());
    } else {
      args.push_back(argv[i]);
    }
  }
  if (profile.empty()) return bench_env::run_main(argc, argv, register_all);
  try {
    gort::pprof::start_cpu_profile(profile);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gort_bench: --cpuprofile: %s\n", e.what());
    return 2;
  }
  const int rc = bench_env::run_main(static_cast<int>(args.size()), args.data(), register_all);
  gort::pprof::stop_cpu_profile();
  return rc;
}
