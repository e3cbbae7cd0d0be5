// child.cpp — one run on gort (see child.hpp).
#include "child.hpp"

#include <gort/gort.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "heap_sampler.hpp"
#include "run_result.hpp"
#include "watchdog.hpp"
#include "workload.hpp"

namespace gclab {

namespace {

/// How long past its planned duration a run may take before the watchdog ends
/// it: ample for the retained example's million buffers under a sanitizer.
constexpr std::chrono::minutes kWatchdogSlack{5};

/// A service request's bytes on average: 4 chunks of a 1 KiB mean payload and
/// a 32-byte node (service.cpp), for a counted run's planned length.
constexpr double kPlannedRequestBytes = 4 * (1024 + 32);

/// The value of environment variable name, or `fallback` when unset or empty.
std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

int run_child(const WorkloadParams& p) {
  // A counted service run takes its requests' bytes at the rate.
  const auto planned =
      p.workload != Workload::Service ? std::chrono::nanoseconds(0)
      : p.requests > 0 ? std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(p.requests) *
                                                                        kPlannedRequestBytes * 1e9 / p.rate_bytes_per_s))
                       : p.duration;
  Watchdog watchdog(planned + kWatchdogSlack, std::string("the ") + workload_name(p.workload) + " run");
  RunResult result;
  result.runtime = "gort";
  result.workload = workload_name(p.workload);
  result.gogc = env_or("GOGC", "100");
  result.memlimit = env_or("GOMEMLIMIT", "off");
  gort::run([&] {
    result.procs = gort::gomaxprocs();
    HeapSampler sampler;
    sampler.start();
    const auto at_end = [&] { sampler.stop(); };
    const WorkloadOutcome w = p.workload == Workload::Service ? run_service(p, at_end) : run_retain(p, at_end);
    result.elapsed_ns = w.elapsed_ns;
    result.requested_bytes = w.requested_bytes;
    result.retained_objects = w.retained_objects;
    result.requests = w.requests;
    result.refactor = p.refactor;
    result.mallocs = w.mallocs;
    result.measured_gc_cycles = w.gc_cycles;
    result.gc_cycles_before = w.gc_before;
    sampler.fill(&result);
  });
  std::printf("%s\n", to_json(result).dump().c_str());
  return 0;
}

}  // namespace gclab
