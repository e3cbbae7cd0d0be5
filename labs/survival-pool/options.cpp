// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <algorithm>

namespace survival {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "survival-pool";

/// Most stress tasks: 10^9 is some minutes of the fastest mix, far beyond the
/// course's 1M.
constexpr int64_t kMaxTasks = 1'000'000'000;
/// Most workers: TSAN counts every goroutine as a thread and stops near
/// 8,128; 8,000 workers plus producers stay under it in every build.
constexpr int64_t kMaxWorkers = 8000;
/// Largest queue: 2^24 slots.
constexpr int64_t kMaxQueue = int64_t{1} << 24;
/// Most producers (goroutines submitting the stress tasks).
constexpr int64_t kMaxProducers = 1000;
/// Most compute iterations of a stress task (about a second of work).
constexpr int64_t kMaxSpin = 1'000'000'000;
/// Most GOMAXPROCS accepted (as the other labs).
constexpr int64_t kMaxProcs = 256;
/// Longest task timeout or drain deadline: one minute; a scenario waits ten
/// timeouts at most.
constexpr std::chrono::nanoseconds kMaxDeadline = std::chrono::minutes(1);

#if defined(GORT_TSAN) || defined(GORT_ASAN)
/// --short's stress tasks are cut further in sanitizer builds (each task's
/// channel and context operations are instrumented, 5-20x slower).
constexpr int64_t kShortTaskDivisor = 5;
#else
constexpr int64_t kShortTaskDivisor = 1;
#endif

/// Parses --scenarios: names from scenarios.hpp, duplicates dropped, in report order.
std::optional<std::vector<Scenario>> parse_scenarios(const std::string& s) {
  std::vector<std::string> known;
  for (Scenario sc : all_scenarios()) known.emplace_back(scenario_name(sc));
  const auto names = lab::parse_subset(s, known);
  if (!names) return std::nullopt;
  std::vector<Scenario> chosen;
  for (Scenario sc : all_scenarios()) {
    if (std::find(names->begin(), names->end(), scenario_name(sc)) != names->end()) chosen.push_back(sc);
  }
  return chosen;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "survival-pool: the course's week-12 lab (Worker Pool Survival Test). A worker pool on a bounded channel "
      "meets the five failure modes on purpose: overload (drop with a metric), shutdown (drain within a "
      "deadline, abandon the rest), per-task timeouts (with_timeout 100ms), panicking tasks (recovered, the "
      "worker keeps serving) and leaks (goroutine leak check after cancel + wait; --broken adds a leaking "
      "variant that the check catches). Then a stress run: 1M tasks across 1,000 workers with throughput, "
      "latency percentiles and counts that must add up. Markdown report on stdout, progress on stderr."};
  std::string scenarios = "backpressure,shutdown,timeouts,panics,leak,stress";
  std::string tasks = "1000000", workers = "1000", queue = "1000", producers = "4", spin = "200",
              panic_every = "10000", slow_every = "100000", timeout = "100ms", drain = "50ms", procs = "0",
              overflow = "block", leak_workers = "100";
  lab::CommonFlags common;
  app.add_option("--scenarios", scenarios,
                 "what to run: backpressure, shutdown, timeouts, panics, leak, stress (comma-separated)")
      ->default_val(scenarios);
  app.add_option("--tasks", tasks, "stress: tasks submitted (the course: 1M)")->default_val(tasks);
  app.add_option("--workers", workers, "stress: worker goroutines (the course: 1000)")->default_val(workers);
  app.add_option("--queue", queue, "stress: slots of the bounded task channel")->default_val(queue);
  app.add_option("--producers", producers, "stress: goroutines submitting tasks")->default_val(producers);
  app.add_option("--overflow", overflow,
                 "stress: what a full queue does to a submission: block (backpressure) or drop (counted)")
      ->default_val(overflow);
  app.add_option("--spin", spin, "stress: compute iterations of an ordinary task")->default_val(spin);
  app.add_option("--panic-every", panic_every, "stress: every n-th task throws (0: none)")->default_val(panic_every);
  app.add_option("--slow-every", slow_every, "stress: every n-th task waits past its deadline (0: none)")
      ->default_val(slow_every);
  app.add_option("--timeout", timeout, "each task's deadline, a Go duration (the course: 100ms)")
      ->default_val(timeout);
  app.add_option("--drain", drain, "shutdown's drain deadline, a Go duration")->default_val(drain);
  app.add_option("--leak-workers", leak_workers, "leak: workers of the checked pools")->default_val(leak_workers);
  app.add_flag("--broken", o.config.broken,
               "leak: also run the broken pool (workers range over a channel nobody closes, ignore ctx) and "
               "show the leak check catching it");
  app.add_option("--procs", procs, "GOMAXPROCS for the runs (0: the runtime's default, the CPU count)")
      ->default_val(procs);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "20000 stress tasks (4000 in sanitizer builds), 100 workers, unless given",
                         .svg = "the stress run's submit-to-completion latency CDF, per runtime,",
                         .go_extra = " with the same parameters and scenarios"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    if (app.count("--tasks") == 0) tasks = std::to_string(20'000 / kShortTaskDivisor);
    if (app.count("--workers") == 0) workers = "100";
    if (app.count("--queue") == 0) queue = "100";
    if (app.count("--slow-every") == 0) slow_every = "5000";
    if (app.count("--panic-every") == 0) panic_every = "1000";
    if (app.count("--leak-workers") == 0) leak_workers = "20";
  }
  ScenarioConfig& c = o.config;
  auto sc = parse_scenarios(scenarios);
  if (!sc || sc->empty()) {
    return fail(fmt::format("--scenarios '{}': expected comma-separated names from backpressure, shutdown, "
                            "timeouts, panics, leak, stress",
                            scenarios));
  }
  c.scenarios = *sc;
  const auto integer = [&](const char* flag, const std::string& v, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    auto n = lab::parse_integer(v, lo, hi);
    if (!n) fail(fmt::format("{} '{}': expected a number {}..{}", flag, v, lo, hi));
    return n;
  };
  auto n_tasks = integer("--tasks", tasks, 1, kMaxTasks);
  if (!n_tasks) return std::nullopt;
  auto n_workers = integer("--workers", workers, 1, kMaxWorkers);
  if (!n_workers) return std::nullopt;
  auto n_queue = integer("--queue", queue, 1, kMaxQueue);
  if (!n_queue) return std::nullopt;
  auto n_producers = integer("--producers", producers, 1, kMaxProducers);
  if (!n_producers) return std::nullopt;
  auto n_spin = integer("--spin", spin, 0, kMaxSpin);
  if (!n_spin) return std::nullopt;
  auto n_panic = integer("--panic-every", panic_every, 0, kMaxTasks);
  if (!n_panic) return std::nullopt;
  auto n_slow = integer("--slow-every", slow_every, 0, kMaxTasks);
  if (!n_slow) return std::nullopt;
  auto n_leak = integer("--leak-workers", leak_workers, 1, kMaxWorkers);
  if (!n_leak) return std::nullopt;
  auto n_procs = integer("--procs", procs, 0, kMaxProcs);
  if (!n_procs) return std::nullopt;
  if (overflow != "block" && overflow != "drop") {
    return fail(fmt::format("--overflow '{}': expected block or drop", overflow));
  }
  auto t = lab::parse_go_duration(timeout);
  if (!t || *t > kMaxDeadline) {
    return fail(fmt::format("--timeout '{}': expected a positive Go duration up to 1m (e.g. 100ms)", timeout));
  }
  auto d = lab::parse_go_duration(drain);
  if (!d || *d > kMaxDeadline) {
    return fail(fmt::format("--drain '{}': expected a positive Go duration up to 1m (e.g. 50ms)", drain));
  }
  c.stress_tasks = *n_tasks;
  c.stress_workers = static_cast<int>(*n_workers);
  c.stress_queue = static_cast<int>(*n_queue);
  c.stress_producers = static_cast<int>(*n_producers);
  c.stress_spin = *n_spin;
  c.stress_panic_every = *n_panic;
  c.stress_slow_every = *n_slow;
  c.stress_drop = overflow == "drop";
  c.leak_workers = static_cast<int>(*n_leak);
  c.procs = static_cast<int>(*n_procs);
  c.task_timeout = *t;
  c.drain_deadline = *d;
  return o;
}

}  // namespace survival
