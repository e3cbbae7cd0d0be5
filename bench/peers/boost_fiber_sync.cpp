// boost_fiber_sync.cpp — Boost.Fiber peer of gort's mutex and wait-group benchmarks (the sync
// suite of peer_boost_fiber; the measuring harness and main() are boost_fiber_harness.*).
//
// The same workloads exist in the gort suite (bench/sync_bench.cpp) and in bench/go
// (sync.go); keys (BM_<key>, P named via ArgNames), sizes and the unit of `ns_per_op` MUST
// stay identical on all three sides: compare.py joins them on the key. Change one side,
// change all three.
//
//   BM_mutex_uncontended         (procs = hardware_concurrency)
//       One fiber (the pool's main fiber) does 10,000,000 lock()/unlock() pairs on one
//       boost::fibers::mutex. Measures the mutex fast path (never parks).
//                                                         ns_per_op = wall / 10,000,000 pairs.
//   BM_mutex_contended/procs:P
//       4 fibers each do 250,000 times {lock; ++counter; unlock} on one boost::fibers::mutex
//       and one shared counter; all joined; the counter must then be 1,000,000 (anything
//       else is an error). Measures a mutex several fibers fight over.
//                                                         ns_per_op = wall / 1,000,000 pairs.
//   BM_waitgroup_fanin           (procs = hardware_concurrency)
//       spawn_exit's body with 10,000 fibers: the main fiber launches 10,000 detached fibers
//       that each only count down the wait group of boost_fiber_bench.cpp (Boost.Fiber has
//       none; it stands in for Go's sync.WaitGroup, as in spawn_exit), then waits on it.
//       Measures joining many short fibers.               ns_per_op = wall / 10,000 fibers.
//       Reading it: every run touches fresh stack pages. The warm-up's 8 KiB stacks go back
//       to malloc, and glibc returns the top of its heap to the kernel, so the timed run
//       faults them in again (about 1.3 minor faults per fiber on the 2-vCPU test VM);
//       those faults are most of its time, as in spawn_exit. Go and gort reuse stacks.
//
// Method: boost_fiber_harness.hpp, with kWarmupMinTime (one untimed warm-up in each child,
// then the timed run; as many children as add up to 50 ms — waitgroup_fanin's run takes a
// few ms, so it gets several).

#include "boost_fiber_harness.hpp"

#include <boost/fiber/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using bench_env::Clock;
using bench_env::ns_since;
using boost_fiber_bench::Workload;

// Workload sizes: bench_env.hpp (shared with bench/sync_bench.cpp; bench/go spells the same numbers).
using namespace bench_env::sizes;

// ---------------------------------------------------------------------------------------
// Workloads. Each runs on the pool's main fiber and returns the wall time in ns (or -1 with
// *error set).

int64_t workload_mutex_uncontended(std::string* /*error*/) {
  boost::fibers::mutex mu;
  const auto t0 = Clock::now();
  for (int i = 0; i < kUncontendedPairs; ++i) {
    mu.lock();
    mu.unlock();
  }
  return ns_since(t0);
}

int64_t workload_mutex_contended(std::string* error) {
  boost::fibers::mutex mu;
  int64_t counter = 0;
  std::vector<boost::fibers::fiber> fibers;
  fibers.reserve(kContendedWorkers);
  const auto t0 = Clock::now();
  for (int g = 0; g < kContendedWorkers; ++g) {
    fibers.emplace_back(boost::fibers::launch::post, [&] {
      for (int i = 0; i < kContendedPairs; ++i) {
        mu.lock();
        ++counter;
        mu.unlock();
      }
    });
  }
  for (auto& f : fibers) f.join();
  const int64_t ns = ns_since(t0);
  const int64_t want = int64_t{kContendedWorkers} * kContendedPairs;
  if (counter != want) {
    *error = "mutex_contended: counter is " + std::to_string(counter) + ", want " + std::to_string(want);
    return -1;
  }
  return ns;
}

int64_t workload_waitgroup_fanin(std::string* /*error*/) { return boost_fiber_bench::spawn_and_wait(kFaninWorkers); }

}  // namespace

void boost_fiber_bench::register_sync_benchmarks() {
  register_at_hw("BM_mutex_uncontended", &workload_mutex_uncontended, kUncontendedPairs, kWarmupMinTime);
  const bench_env::PerProcs<Workload> per_procs[] = {
      {"BM_mutex_contended", &workload_mutex_contended, double(kContendedWorkers) * kContendedPairs},
  };
  register_per_procs(per_procs, kWarmupMinTime);
  register_at_hw("BM_waitgroup_fanin", &workload_waitgroup_fanin, kFaninWorkers, kWarmupMinTime);
}
