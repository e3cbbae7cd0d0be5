// sync_bench.cpp — gort's Mutex and WaitGroup benchmarks (a suite of gort_bench).
//
// The same workloads exist in bench/go (sync.go) and bench/peers (boost_fiber_sync.cpp);
// bench/compare.py joins the sides on the key and the `ns_per_op` counter.  Keys, sizes
// and units MUST stay identical on all sides.
//
//   BM_mutex_uncontended         (GOMAXPROCS = number of CPUs)
//       One goroutine does 10,000,000 lock/unlock pairs on one gort::Mutex (the fast path).
//                                                         ns_per_op = wall / 10,000,000 pairs.
//   BM_mutex_contended/procs:P
//       4 goroutines each do 250,000 × {lock; ++counter; unlock} on one Mutex; the counter
//       must then be 1,000,000.                          ns_per_op = wall / 1,000,000 pairs.
//   BM_waitgroup_fanin           (GOMAXPROCS = number of CPUs)
//       wg.add(10,000), 10,000 goroutines that each call wg.done(), wg.wait().
//                                                         ns_per_op = wall / 10,000 goroutines.
//
// Method: gort_harness.hpp (one gort::run per iteration, warm-up, 50 ms of samples).
#include "gort_harness.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using bench_env::Clock;
using bench_env::ns_since;

// Workload sizes: bench_env.hpp (shared with bench/peers; bench/go spells the same numbers).
using namespace bench_env::sizes;

int64_t workload_mutex_uncontended(std::string* /*error*/) {
  gort::Mutex mu;
  const auto t0 = Clock::now();
  for (int i = 0; i < kUncontendedPairs; ++i) {
    mu.lock();
    benchmark::ClobberMemory();  // an empty critical section the compiler must keep
    mu.unlock();
  }
  return ns_since(t0);
}

int64_t workload_mutex_contended(std::string* error) {
  gort::Mutex mu;
  gort::WaitGroup wg;
  int64_t counter = 0;
  const auto t0 = Clock::now();
  wg.add(kContendedWorkers);
  for (int g = 0; g < kContendedWorkers; ++g) {
    gort::go([&] {
      for (int i = 0; i < kContendedPairs; ++i) {
        mu.lock();
        ++counter;
        mu.unlock();
      }
      wg.done();
    });
  }
  wg.wait();
  const int64_t ns = ns_since(t0);
  if (counter != int64_t(kContendedWorkers) * kContendedPairs) {
    *error = "mutex_contended: counter is " + std::to_string(counter) + ", want " +
             std::to_string(kContendedWorkers * kContendedPairs);
    return -1;
  }
  return ns;
}

int64_t workload_waitgroup_fanin(std::string* /*error*/) {
  gort::WaitGroup wg;
  const auto t0 = Clock::now();
  wg.add(kFaninWorkers);
  for (int i = 0; i < kFaninWorkers; ++i) gort::go([&wg] { wg.done(); });
  wg.wait();
  return ns_since(t0);
}

}  // namespace

void gort_bench::register_sync_benchmarks() {
  register_at_ncpu("BM_mutex_uncontended", &workload_mutex_uncontended, kUncontendedPairs);
  const bench_env::PerProcs<WorkloadFn> per_procs[] = {
      {"BM_mutex_contended", &workload_mutex_contended, double(kContendedWorkers) * kContendedPairs},
  };
  register_per_procs(per_procs);
  register_at_ncpu("BM_waitgroup_fanin", &workload_waitgroup_fanin, kFaninWorkers);
}
