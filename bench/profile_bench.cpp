// profile_bench.cpp — what taking a goroutine profile costs (a suite of gort_bench).
//
//   BM_goroutine_profile_10k   one goroutine profile (proto, debug=0) written to a scratch
//                              file while kProfiledGoroutines goroutines wait in a channel
//                              receive; ns_per_op = ns per profile.
//
// The time is the caller's: the stopped-world walk of every stack, symbolization, encoding
// and gzip.  The Go twin (bench/go/profile.go) writes pprof.Lookup("goroutine") the same
// way.  How long the world stays stopped is read from an execution trace (NOTES §14).
#include "gort_harness.hpp"

#include <gort/pprof.hpp>

namespace {

constexpr char kProfileSuffix[] = ".goroutine.pprof";

int64_t workload_goroutine_profile(std::string* error) {
  using bench_env::sizes::kProfiledGoroutines;
  gort::Chan<int> release = gort::make_chan<int>(0);
  gort::WaitGroup started, exited;
  started.add(kProfiledGoroutines);
  exited.add(kProfiledGoroutines);
  for (int i = 0; i < kProfiledGoroutines; ++i) {
    gort::go([&] {
      started.done();
      release.recv();
      exited.done();
    });
  }
  started.wait();
  const std::string path = gort_bench::recording_path(kProfileSuffix);
  const auto t0 = bench_env::Clock::now();
  gort::pprof::lookup("goroutine").write_to(path);
  const int64_t ns = bench_env::ns_since(t0);
  std::remove(path.c_str());
  release.close();
  exited.wait();
  (void)error;
  return ns;
}

}  // namespace

void gort_bench::register_profile_benchmarks() {
  register_at_ncpu("BM_goroutine_profile_10k", &workload_goroutine_profile, 1.0);
}
