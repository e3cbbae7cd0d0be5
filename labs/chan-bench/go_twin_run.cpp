// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>

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
  fmt::print(stderr, "chan-bench: running the Go twin\n");
  std::string error;
  auto twin = lab::run_go_twin("chan-bench", twin_args(o.config), {}, &error);
  if (!twin) {
    run->go_error = "not run: " + error;
    return;
  }
  // The twin's progress lines, passed on.
  std::fputs(twin->err.c_str(), stderr);
  if (twin->exit_code != 0) {
    run->go_error = fmt::format("exited with status {}: {}", twin->exit_code, twin->err);
    return;
  }
  try {
    run->go = nlohmann::json::parse(twin->out).get<RuntimeResults>();
  } catch (const std::exception& e) {
    run->go_error = std::string("its JSON could not be read: ") + e.what();
  }
}

}  // namespace chanbench
