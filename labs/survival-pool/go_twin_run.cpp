// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>

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
  fmt::print(stderr, "survival-pool: running the Go twin\n");
  std::string error;
  auto twin = lab::run_go_twin("survival-pool", twin_args(o.config), {}, &error);
  if (!twin) {
    run->go_error = "not run: " + error;
    return;
  }
  std::fputs(twin->err.c_str(), stderr);  // the twin's progress lines, passed on
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

}  // namespace survival
