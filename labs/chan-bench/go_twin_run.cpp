// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin_json.hpp>

#include <cstdio>

namespace chanbench {

namespace {

/// A duration as a Go flag value in nanoseconds ("1500000ns"), exact.
std::string go_duration(std::chrono::nanoseconds d) { return fmt::format("{}ns", d.count()); }

/// The twin's flags for the experiment gort ran.
std::vector<std::string> twin_args(const LabConfig& c) {
  std::string parts;
  for (auto [on, name] : {std::pair{c.run_throughput, "throughput"}, std::pair{c.run_toggle, "toggle"},
                          std::pair{c.run_bridge, "bridge"}}) {
    if (on) parts += (parts.empty() ? "" : ",") + std::string(name);
  }
  std::string variants;
  for (const std::string& v : c.throughput.variants) variants += (variants.empty() ? "" : ",") + v;
  return {"-json",
          "-parts=" + parts,
          "-variants=" + variants,
          fmt::format("-messages={}", c.throughput.messages),
          fmt::format("-capacity={}", c.throughput.capacity),
          fmt::format("-runs={}", c.throughput.runs),
          fmt::format("-procs={}", c.procs),
          std::string("-wait=") + spsclab::wait_policy_name(c.throughput.wait),
          fmt::format("-toggle-messages={}", c.toggle.a_messages),
          fmt::format("-bridge-messages={}", c.bridge.max_messages),
          "-bridge-time=" + go_duration(c.bridge.limit),
          "-consumer-delay=" + go_duration(c.bridge.consumer_delay),
          "-sample-every=" + go_duration(c.bridge.sample_every)};
}

}  // namespace

void run_go_twin(const Options& o, LabRun* run) {
  lab::run_go_twin_into("chan-bench", twin_args(o.config), &run->go, &run->go_error);
}

}  // namespace chanbench
