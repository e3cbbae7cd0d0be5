// trace_helper.cpp — a program for the tracer's subprocess tests: runs
// trace_workload.hpp's workload under gort::run, so GORTTRACE=FILE traces it
// as a user's program would be traced.
//   gort_trace_helper [scale]
//   gort_trace_helper busy ROUNDS   (run_busy_trace_workload)
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "trace_workload.hpp"

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "busy") == 0) {
    const int rounds = std::atoi(argv[2]);
    return gort::run([rounds] {
      std::printf("busy checksum %lld\n", static_cast<long long>(gort::test::run_busy_trace_workload(rounds)));
    });
  }
  const int scale = argc > 1 ? std::atoi(argv[1]) : 1;
  return gort::run([scale] {
    const auto n = gort::test::run_trace_workload(scale > 0 ? scale : 1);
    std::printf("goroutines %d sleeps %d blocking %d checksum %lld\n", n.goroutines_started, n.sleeps,
                n.blocking_calls, static_cast<long long>(n.checksum));
  });
}
