// scenarios.hpp — the five failure modes, one run each, and the stress run.
//
// Each scenario builds its own pool under its own cancellable context, makes
// one failure happen on purpose, measures what the pool did about it, then
// cancels, waits and checks for leaks, so a scenario never leaves goroutines
// behind for the next.  The Go twin (go/main.go) runs the same scenarios with
// the same parameters.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "results.hpp"

namespace survival {

/// The scenarios, in report order.
enum class Scenario { Backpressure, Shutdown, Timeouts, Panics, Leak, Stress };

/// Every scenario in report order.
const std::vector<Scenario>& all_scenarios();

/// The flag name of a scenario ("backpressure", ...).
const char* scenario_name(Scenario s);

/// What to run.
struct ScenarioConfig {
  std::vector<Scenario> scenarios;
  /// GOMAXPROCS for the runs (0: leave the runtime's default).
  int procs = 0;
  /// Each task's deadline (the course: 100 ms) and shutdown's drain deadline.
  std::chrono::nanoseconds task_timeout = std::chrono::milliseconds(100);
  std::chrono::nanoseconds drain_deadline = std::chrono::milliseconds(50);
  /// Also run the leaking variant in the leak scenario.
  bool broken = false;
  /// Workers of the leak scenario.
  int leak_workers = 100;
  /// The stress run.
  int64_t stress_tasks = 1'000'000;
  int stress_workers = 1000;
  int stress_queue = 1000;
  int stress_producers = 4;
  /// Blocking submissions (backpressure) or dropping ones.
  bool stress_drop = false;
  /// Compute iterations of an ordinary stress task.
  int64_t stress_spin = 200;
  /// Every n-th stress task throws / waits past its deadline (0: none).
  int64_t stress_panic_every = 10'000;
  int64_t stress_slow_every = 100'000;
};

/// Runs the configured scenarios on gort and returns the measurements, with
/// progress lines on stderr.  Precondition: called from the main goroutine
/// inside gort::run, with no other goroutines of the program running.
RuntimeResults run_on_gort(const ScenarioConfig& config);

}  // namespace survival
