// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// The C++ lab fills RuntimeResults on gort; the Go twin (go/main.go) prints the
// same fields as JSON with -json, read back by from_json, so the report and the
// --json file treat both runtimes alike.  Field names are the members' own.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pool.hpp"

namespace survival {

/// Mode 1: a burst offered faster than the workers can serve it.
struct BackpressureResult {
  int workers = 0;
  int queue = 0;
  /// Each task's simulated downstream wait.
  int64_t task_wait_ns = 0;
  PoolCounts counts;
};

/// Mode 2: the queue full of waiting tasks when the context is cancelled.
struct ShutdownResult {
  int workers = 0;
  int queue = 0;
  int64_t task_wait_ns = 0;
  int64_t drain_deadline_ns = 0;
  /// From cancel() to the last worker's return.
  int64_t shutdown_ns = 0;
  PoolCounts counts;
};

/// Mode 3: tasks that would wait far past their deadline, beside quick ones.
struct TimeoutResult {
  int workers = 0;
  int64_t timeout_ns = 0;
  int slow_tasks = 0;
  int64_t slow_wait_ns = 0;
  int fast_tasks = 0;
  /// From the first submission until every task had ended.
  int64_t batch_ns = 0;
  PoolCounts counts;
};

/// Mode 4: throwing tasks among ordinary ones, all on one worker.
struct PanicResult {
  int workers = 0;
  int panicking_tasks = 0;
  int ordinary_tasks = 0;
  /// num_goroutine while the pool serves, before and after the panics.
  int goroutines_before = 0;
  int goroutines_after = 0;
  std::string first_panic;
  PoolCounts counts;
};

/// One goroutine the leak check reported (gort::GoroutineRecord's fields).
struct LeakRecord {
  int64_t id = 0;
  std::string created_by;
  std::string creation_file;
  int creation_line = 0;
  std::string state;
};

/// Mode 5: the leak check after cancel() and wait(), on the pool and (with
/// --broken) on the leaking variant.
struct LeakResult {
  int workers = 0;
  /// The pool's leftovers after cancel + wait (must be none).
  std::vector<LeakRecord> clean_leaks;
  PoolCounts clean_counts;
  /// Whether the broken variant ran.
  bool broken_ran = false;
  /// How many goroutines the check found after the broken pool's cancel + wait,
  /// the first few of them, and how many of them were its workers parked in a
  /// channel receive.
  int64_t broken_leaks = 0;
  int64_t broken_leaks_worker_receive = 0;
  std::vector<LeakRecord> broken_sample;
  /// Leftovers once the broken pool's channel was closed (must be none).
  int64_t broken_leaks_after_release = 0;
};

/// The stress run: many tasks across many workers.
struct StressResult {
  int64_t tasks = 0;
  int workers = 0;
  int queue = 0;
  int producers = 0;
  /// "block" (submit: backpressure) or "drop" (try_submit: drop with metric).
  std::string overflow;
  int64_t spin = 0;
  int64_t panic_every = 0;
  int64_t slow_every = 0;
  /// From the first submission until wait() returned.
  int64_t wall_ns = 0;
  /// Submit-to-completion latency of completed tasks (nearest rank).
  int64_t latency_p50_ns = 0, latency_p90_ns = 0, latency_p99_ns = 0, latency_max_ns = 0;
  /// The latency at quantiles 1/kCdfPoints, 2/kCdfPoints, ..., 1 (the plot's CDF).
  std::vector<int64_t> latency_cdf_ns;
  /// Leftovers of the leak check after cancel + wait.
  int64_t leaks_after = 0;
  PoolCounts counts;
};

/// Points of a stress run's latency CDF kept for the plot: enough for a smooth
/// curve from a million samples, few enough for the JSON.
inline constexpr int kCdfPoints = 200;

/// Everything measured on one runtime; an absent scenario was not run.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  int gomaxprocs = 0;
  std::optional<BackpressureResult> backpressure;
  std::optional<ShutdownResult> shutdown;
  std::optional<TimeoutResult> timeouts;
  std::optional<PanicResult> panics;
  std::optional<LeakResult> leak;
  std::optional<StressResult> stress;
};

/// Everything one invocation of the lab produced: the --json file's shape.
struct LabRun {
  std::string command;
  std::string machine;
  /// /proc/loadavg's first three fields before the runs.
  std::string load_before;
  RuntimeResults gort;
  std::optional<RuntimeResults> go;
  /// Why the Go twin's results are missing although --go was given.
  std::string go_error;
};

/// Completed tasks per second of a stress run (0 without time).
double tasks_per_sec(const StressResult& s);

/// The problems with r, one line each (empty: every check held): counts that
/// do not add up, a clean pool that leaked, a broken one whose leak went
/// unseen, a timeout or a panic that was not observed.
std::vector<std::string> check(const RuntimeResults& r);

// JSON conversions (nlohmann's ADL hooks); optional members are null when absent.
void to_json(nlohmann::json& j, const PoolCounts& v);
void from_json(const nlohmann::json& j, PoolCounts& v);
void to_json(nlohmann::json& j, const RuntimeResults& v);
void from_json(const nlohmann::json& j, RuntimeResults& v);
void to_json(nlohmann::json& j, const LabRun& v);

}  // namespace survival
