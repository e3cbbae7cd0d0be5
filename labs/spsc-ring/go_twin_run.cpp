// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin_json.hpp>

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
  lab::run_go_twin_into("spsc-ring", twin_args(o.config), &run->go, &run->go_error);
}

}  // namespace spsclab
