// results.cpp — checks and JSON for the lab's results (see results.hpp); the
// Go twin's -json output uses exactly these field names.
#include "results.hpp"

#include <fmt/format.h>

namespace survival {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BackpressureResult, workers, queue, task_wait_ns, counts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ShutdownResult, workers, queue, task_wait_ns, drain_deadline_ns,
                                                shutdown_ns, counts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TimeoutResult, workers, timeout_ns, slow_tasks, slow_wait_ns,
                                                fast_tasks, batch_ns, counts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PanicResult, workers, panicking_tasks, ordinary_tasks,
                                                goroutines_before, goroutines_after, first_panic, counts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LeakRecord, id, created_by, creation_file, creation_line, state)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LeakResult, workers, clean_leaks, clean_counts, broken_ran,
                                                broken_leaks, broken_leaks_worker_receive, broken_sample,
                                                broken_leaks_after_release)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StressResult, tasks, workers, queue, producers, overflow, spin,
                                                panic_every, slow_every, wall_ns, latency_p50_ns, latency_p90_ns,
                                                latency_p99_ns, latency_max_ns, latency_cdf_ns, leaks_after, counts)

double tasks_per_sec(const StressResult& s) {
  return s.wall_ns > 0 ? static_cast<double>(s.counts.completed) * 1e9 / static_cast<double>(s.wall_ns) : 0;
}

std::vector<std::string> check(const RuntimeResults& r) {
  std::vector<std::string> problems;
  const auto counts_add_up = [&](const char* scenario, const PoolCounts& c) {
    if (!c.adds_up()) {
      problems.push_back(fmt::format("{} ({}): submitted {} != completed {} + dropped {} + timed out {} + failed {} "
                                     "+ abandoned {}",
                                     scenario, r.runtime, c.submitted, c.completed, c.dropped, c.timed_out, c.failed,
                                     c.abandoned));
    }
  };
  if (r.backpressure) {
    counts_add_up("backpressure", r.backpressure->counts);
    if (r.backpressure->counts.dropped == 0) problems.push_back("backpressure (" + r.runtime + "): nothing was dropped");
  }
  if (r.shutdown) counts_add_up("shutdown", r.shutdown->counts);
  if (r.timeouts) {
    counts_add_up("timeouts", r.timeouts->counts);
    if (r.timeouts->counts.timed_out != r.timeouts->slow_tasks) {
      problems.push_back(fmt::format("timeouts ({}): {} of {} slow tasks timed out", r.runtime,
                                     r.timeouts->counts.timed_out, r.timeouts->slow_tasks));
    }
  }
  if (r.panics) {
    const PanicResult& p = *r.panics;
    counts_add_up("panics", p.counts);
    if (p.counts.failed != p.panicking_tasks || p.counts.completed != p.ordinary_tasks) {
      problems.push_back(fmt::format("panics ({}): {} failed, {} completed (expected {} and {})", r.runtime,
                                     p.counts.failed, p.counts.completed, p.panicking_tasks, p.ordinary_tasks));
    }
    if (p.goroutines_after != p.goroutines_before) {
      problems.push_back(fmt::format("panics ({}): {} goroutines before the panics, {} after", r.runtime,
                                     p.goroutines_before, p.goroutines_after));
    }
  }
  if (r.leak) {
    const LeakResult& l = *r.leak;
    counts_add_up("leak", l.clean_counts);
    if (!l.clean_leaks.empty()) {
      problems.push_back(fmt::format("leak ({}): {} goroutines outlived cancel + wait", r.runtime, l.clean_leaks.size()));
    }
    if (l.broken_ran && l.broken_leaks_worker_receive != l.workers) {
      problems.push_back(fmt::format("leak ({}): the broken pool's {} workers were not all caught ({} found)", r.runtime,
                                     l.workers, l.broken_leaks_worker_receive));
    }
    if (l.broken_ran && l.broken_leaks_after_release != 0) {
      problems.push_back(fmt::format("leak ({}): {} goroutines left after releasing the broken pool", r.runtime,
                                     l.broken_leaks_after_release));
    }
  }
  if (r.stress) {
    counts_add_up("stress", r.stress->counts);
    if (r.stress->leaks_after != 0) {
      problems.push_back(fmt::format("stress ({}): {} goroutines outlived cancel + wait", r.runtime,
                                     r.stress->leaks_after));
    }
  }
  return problems;
}

void to_json(nlohmann::json& j, const PoolCounts& v) {
  j = {{"submitted", v.submitted}, {"completed", v.completed},          {"dropped", v.dropped},
       {"timed_out", v.timed_out}, {"failed", v.failed},                {"abandoned", v.abandoned},
       {"served_after_panic", v.served_after_panic}, {"adds_up", v.adds_up()}};
}

void from_json(const nlohmann::json& j, PoolCounts& v) {
  v.submitted = j.value("submitted", int64_t{0});
  v.completed = j.value("completed", int64_t{0});
  v.dropped = j.value("dropped", int64_t{0});
  v.timed_out = j.value("timed_out", int64_t{0});
  v.failed = j.value("failed", int64_t{0});
  v.abandoned = j.value("abandoned", int64_t{0});
  v.served_after_panic = j.value("served_after_panic", int64_t{0});
}

namespace {

/// j[key] = *v, or null when absent.
template <class T>
void put_optional(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  j[key] = v ? nlohmann::json(*v) : nlohmann::json();
}

/// *v = j[key] unless it is missing or null.
template <class T>
void get_optional(const nlohmann::json& j, const char* key, std::optional<T>* v) {
  if (j.contains(key) && !j.at(key).is_null()) *v = j.at(key).get<T>();
}

}  // namespace

void to_json(nlohmann::json& j, const RuntimeResults& v) {
  j = {{"runtime", v.runtime}, {"version", v.version}, {"gomaxprocs", v.gomaxprocs}};
  put_optional(j, "backpressure", v.backpressure);
  put_optional(j, "shutdown", v.shutdown);
  put_optional(j, "timeouts", v.timeouts);
  put_optional(j, "panics", v.panics);
  put_optional(j, "leak", v.leak);
  put_optional(j, "stress", v.stress);
  if (v.stress) j["stress"]["tasks_per_sec"] = tasks_per_sec(*v.stress);
}

void from_json(const nlohmann::json& j, RuntimeResults& v) {
  v.runtime = j.at("runtime").get<std::string>();
  v.version = j.at("version").get<std::string>();
  v.gomaxprocs = j.at("gomaxprocs").get<int>();
  get_optional(j, "backpressure", &v.backpressure);
  get_optional(j, "shutdown", &v.shutdown);
  get_optional(j, "timeouts", &v.timeouts);
  get_optional(j, "panics", &v.panics);
  get_optional(j, "leak", &v.leak);
  get_optional(j, "stress", &v.stress);
}

void to_json(nlohmann::json& j, const LabRun& v) {
  j = {{"command", v.command}, {"machine", v.machine}, {"load_before", v.load_before}, {"gort", v.gort}};
  put_optional(j, "go", v.go);
  j["go_error"] = v.go_error;
  nlohmann::json problems = nlohmann::json::array();
  for (const std::string& p : check(v.gort)) problems.push_back(p);
  if (v.go) {
    for (const std::string& p : check(*v.go)) problems.push_back(p);
  }
  j["problems"] = problems;
}

}  // namespace survival
