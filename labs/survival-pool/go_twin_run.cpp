// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin_json.hpp>

#include <cstdio>

namespace survival {

namespace {

/// The twin's flags for the scenarios gort ran.
std::vector<std::string> twin_args(const ScenarioConfig& c) {
  std::string scenarios;
  for (Scenario s : c.scenarios) scenarios += (scenarios.empty() ? "" : ",") + std::string(scenario_name(s));
  std::vector<std::string> args = {"-json",
                                   "-scenarios=" + scenarios,
                                   fmt::format("-tasks={}", c.stress_tasks),
                                   fmt::format("-workers={}", c.stress_workers),
                                   fmt::format("-queue={}", c.stress_queue),
                                   fmt::format("-producers={}", c.stress_producers),
                                   std::string("-overflow=") + (c.stress_drop ? "drop" : "block"),
                                   fmt::format("-spin={}", c.stress_spin),
                                   fmt::format("-panic-every={}", c.stress_panic_every),
                                   fmt::format("-slow-every={}", c.stress_slow_every),
                                   fmt::format("-timeout={}ns", c.task_timeout.count()),
                                   fmt::format("-drain={}ns", c.drain_deadline.count()),
                                   fmt::format("-leak-workers={}", c.leak_workers),
                                   fmt::format("-procs={}", c.procs)};
  if (c.broken) args.push_back("-broken");
  return args;
}

}  // namespace

void run_go_twin(const Options& o, LabRun* run) {
  lab::run_go_twin_into("survival-pool", twin_args(o.config), &run->go, &run->go_error);
}

}  // namespace survival
