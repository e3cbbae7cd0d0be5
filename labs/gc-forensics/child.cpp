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

/// The value of environment variable name, or `fallback` when unset or empty.
std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

int run_child(const WorkloadParams& p) {
  const auto planned = p.workload == Workload::Service ? p.duration : std::chrono::nanoseconds(0);
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
    sampler.fill(&result);
  });
  std::printf("%s\n", to_json(result).dump().c_str());
  return 0;
}

}  // namespace gclab
