// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>

#include <cstdio>

namespace spsclab {

namespace {

/// The twin's flags for the experiment gort ran.
std::vector<std::string> twin_args(const ExperimentConfig& c) {
  std::string variants;
  for (Variant v : c.variants) variants += (variants.empty() ? "" : ",") + std::string(variant_name(v));
  return {"-json",
          "-variants=" + variants,
          fmt::format("-messages={}", c.transfer.messages),
          fmt::format("-capacity={}", c.transfer.capacity),
          fmt::format("-runs={}", c.runs),
          fmt::format("-procs={}", c.procs),
          std::string("-wait=") + wait_policy_name(c.transfer.wait)};
}

}  // namespace

void run_go_twin(const Options& o, LabRun* run) {
  fmt::print(stderr, "spsc-ring: running the Go twin\n");
  std::string error;
  auto twin = lab::run_go_twin("spsc-ring", twin_args(o.config), {}, &error);
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

}  // namespace spsclab
