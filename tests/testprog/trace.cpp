// trace.cpp — gort_testprog programs for the tracer's subprocess tests
// (trace_test.cpp, trace_viewer_e2e.sh): trace_workload.hpp's workloads under
// gort::run, so GORTTRACE=FILE traces them as a user's program would be traced.
#include <atomic>
#include <cstdio>

#include "sched.hpp"
#include "testprog.hpp"
#include "trace_workload.hpp"

namespace {

/// A goroutine enters a blocking call while a stop-the-world waits for its P,
/// so entersyscall hands the P to the stop itself (the tracer's self-steal).
/// It spins without a preemption point until the stop is under way: the stop
/// cannot take its P any other way, so the order is the same in every run.
GORT_TESTPROG(TraceSelfSteal) {
  return gort::run([] {
    gort::gomaxprocs(2);
    std::atomic<bool> spinning{false};
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      spinning.store(true);
      while (!gort::runtime::sched.gcwaiting.load()) {
      }
      gort::blocking([] {});
      wg.done();
    });
    while (!spinning.load()) gort::gosched();
    gort::gomaxprocs(3);  // stops the world
    wg.wait();
    std::printf("self-steal done\n");
  });
}

/// The workload at scale 1 (run_trace_workload).
GORT_TESTPROG(TraceWorkload) {
  return gort::run([] {
    const auto n = gort::test::run_trace_workload(1);
    std::printf("goroutines %d sleeps %d blocking %d checksum %lld\n", n.goroutines_started, n.sleeps,
                n.blocking_calls, static_cast<long long>(n.checksum));
  });
}

/// The busy workload (run_busy_trace_workload): everything at once for 150
/// rounds, a fraction of a second in a release build.
GORT_TESTPROG(TraceBusyWorkload) {
  return gort::run([] {
    constexpr int kRounds = 150;
    std::printf("busy checksum %lld\n", static_cast<long long>(gort::test::run_busy_trace_workload(kRounds)));
  });
}

}  // namespace

