// trace_helper.cpp — a program for the tracer's subprocess tests: runs
// trace_workload.hpp's workload under gort::run, so GORTTRACE=FILE traces it
// as a user's program would be traced.
//   gort_trace_helper [scale]
//   gort_trace_helper busy ROUNDS   (run_busy_trace_workload)
//   gort_trace_helper self-steal    (a blocking call meets a stop waiting for its P)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sched.hpp"
#include "trace_workload.hpp"

namespace {

/// A goroutine enters a blocking call while a stop-the-world waits for its P,
/// so entersyscall hands the P to the stop itself (the tracer's self-steal).
/// It spins without a preemption point until the stop is under way: the stop
/// cannot take its P any other way, so the order is the same in every run.
void self_steal() {
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
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "busy") == 0) {
    const int rounds = std::atoi(argv[2]);
    return gort::run([rounds] {
      std::printf("busy checksum %lld\n", static_cast<long long>(gort::test::run_busy_trace_workload(rounds)));
    });
  }
  if (argc == 2 && std::strcmp(argv[1], "self-steal") == 0) return gort::run(self_steal);
  const int scale = argc > 1 ? std::atoi(argv[1]) : 1;
  return gort::run([scale] {
    const auto n = gort::test::run_trace_workload(scale > 0 ? scale : 1);
    std::printf("goroutines %d sleeps %d blocking %d checksum %lld\n", n.goroutines_started, n.sleeps,
                n.blocking_calls, static_cast<long long>(n.checksum));
  });
}
