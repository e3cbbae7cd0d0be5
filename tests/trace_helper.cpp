// trace_helper.cpp — a program for the tracer's subprocess tests: runs
// trace_workload.hpp's workload under gort::run, so GORTTRACE=FILE traces it
// as a user's program would be traced.
//   gort_trace_helper [scale]
#include <cstdio>
#include <cstdlib>

#include "trace_workload.hpp"

int main(int argc, char** argv) {
  const int scale = argc > 1 ? std::atoi(argv[1]) : 1;
  return gort::run([scale] {
    const auto n = gort::test::run_trace_workload(scale > 0 ? scale : 1);
    std::printf("goroutines %d sleeps %d blocking %d checksum %lld\n", n.goroutines_started, n.sleeps,
                n.blocking_calls, static_cast<long long>(n.checksum));
  });
}
