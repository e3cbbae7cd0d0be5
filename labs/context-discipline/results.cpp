// results.cpp — checks and JSON for the lab's results (see results.hpp); the
// Go twin's -json output uses exactly these field names.
#include "results.hpp"

#include <fmt/format.h>

namespace ctxlab {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OpOutcome, result, context_error, after_client_gave_up_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RequestCase, client, status, ctx_done_after_ns, store, downstream,
                                                downstream_reached, downstream_handler_cancelled)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ServiceResult, store_delay_ns, downstream_delay_ns,
                                                client_patience_ns, cases)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LeakRecord, id, created_by, creation_file, creation_line, state,
                                                from_handler)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LeakCheck, variant, leaks, message, left_after_release)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WorkerOutcome, index, outcome, observed_cancel_after_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FanoutResult, workers, failing_worker, fail_after_ns,
                                                worker_delay_ns, wait_error, wait_returned_after_ns, outcomes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StampedeRun, singleflight, requests, ok, upstream_calls, cache_hits,
                                                shared, wall_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StampedeResult, upstream_delay_ns, runs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AfterFuncCase, trigger, fired, stop_returned, fired_after_ns,
                                                ctx_err, held_at_end)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AfterFuncResult, timeout_ns, implementation, cases)

std::vector<std::string> check(const RuntimeResults& r) {
  std::vector<std::string> problems;
  const auto problem = [&](const std::string& what) { problems.push_back(what + " (" + r.runtime + ")"); };
  if (r.service) {
    for (const RequestCase& c : r.service->cases) {
      if (c.client == "completes") {
        if (c.status != 200) problem(fmt::format("service: the patient client got status {}", c.status));
        if (c.store.result != "ok" || c.downstream.result != "ok") problem("service: the patient client's operations failed");
        continue;
      }
      if (c.status != 0) problem(fmt::format("service, {}: the client read status {} before giving up", c.client, c.status));
      if (!c.store.context_error) problem(fmt::format("service, {}: the store returned '{}', not the context's error", c.client, c.store.result));
      if (!c.downstream.context_error) {
        problem(fmt::format("service, {}: the downstream call returned '{}', not the context's error", c.client,
                            c.downstream.result));
      }
      if (c.downstream_reached && !c.downstream_handler_cancelled) {
        problem(fmt::format("service, {}: the downstream handler ran to its end", c.client));
      }
      if (c.client == "client-cancel" && !c.downstream_reached) {
        problem("service, client-cancel: the downstream call was not under way when the client cancelled");
      }
    }
  }
  for (const LeakCheck& l : r.leak) {
    if (l.variant == "disciplined" && !l.leaks.empty()) problem("leak: the disciplined handler leaked");
    if (l.variant == "leaky") {
      bool named = false;
      for (const LeakRecord& g : l.leaks) named = named || (g.from_handler && g.state == "chan send");
      if (!named) problem("leak: the leaky handler's goroutine was not caught blocked in its send");
    }
    if (l.left_after_release != 0) problem(fmt::format("leak: {} goroutines left after release", l.left_after_release));
  }
  if (r.fanout) {
    const FanoutResult& f = *r.fanout;
    if (f.wait_error.empty()) problem("errgroup: wait() reported no error");
    for (const WorkerOutcome& w : f.outcomes) {
      const std::string want = w.index == f.failing_worker ? "failed" : "cancelled";
      if (w.outcome != want) problem(fmt::format("errgroup: worker {} {}, expected {}", w.index, w.outcome, want));
    }
  }
  if (r.stampede) {
    for (const StampedeRun& s : r.stampede->runs) {
      if (s.ok != s.requests) problem(fmt::format("stampede: {} of {} requests answered", s.ok, s.requests));
      if (s.singleflight && s.upstream_calls != 1) {
        problem(fmt::format("stampede: {} upstream calls with singleflight", s.upstream_calls));
      }
      if (s.upstream_calls + s.cache_hits > s.requests) problem("stampede: more upstream calls and hits than requests");
    }
  }
  if (r.afterfunc) {
    for (const AfterFuncCase& k : r.afterfunc->cases) {
      const bool stopped = k.trigger == "stop-before-cancel";
      if (k.fired == stopped) problem(fmt::format("afterfunc, {}: fired = {}", k.trigger, k.fired));
      if (k.stop_returned != stopped) problem(fmt::format("afterfunc, {}: stop() returned {}", k.trigger, k.stop_returned));
      if (k.held_at_end != (stopped ? 1 : 0)) problem(fmt::format("afterfunc, {}: {} held at the end", k.trigger, k.held_at_end));
    }
  }
  return problems;
}

std::vector<std::string> leak_verdicts(const RuntimeResults& r) {
  std::vector<std::string> out;
  for (const LeakCheck& l : r.leak) {
    if (l.leaks.empty()) continue;
    std::string names;
    for (const LeakRecord& g : l.leaks) {
      names += fmt::format("{}goroutine {} [{}] created by {} at {}:{}", names.empty() ? "" : "; ", g.id, g.state,
                           g.created_by, g.creation_file, g.creation_line);
    }
    out.push_back(fmt::format("{} handler ({}): {} outlived the request", l.variant, r.runtime, names));
  }
  return out;
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
  j = {{"runtime", v.runtime}, {"version", v.version}, {"gomaxprocs", v.gomaxprocs}, {"leak", v.leak}};
  put_optional(j, "service", v.service);
  put_optional(j, "fanout", v.fanout);
  put_optional(j, "stampede", v.stampede);
  put_optional(j, "afterfunc", v.afterfunc);
}

void from_json(const nlohmann::json& j, RuntimeResults& v) {
  v.runtime = j.at("runtime").get<std::string>();
  v.version = j.at("version").get<std::string>();
  v.gomaxprocs = j.at("gomaxprocs").get<int>();
  if (j.contains("leak") && j.at("leak").is_array()) v.leak = j.at("leak").get<std::vector<LeakCheck>>();
  get_optional(j, "service", &v.service);
  get_optional(j, "fanout", &v.fanout);
  get_optional(j, "stampede", &v.stampede);
  get_optional(j, "afterfunc", &v.afterfunc);
}

void to_json(nlohmann::json& j, const LabRun& v) {
  j = {{"command", v.command}, {"machine", v.machine}, {"load_before", v.load_before}, {"gort", v.gort}};
  put_optional(j, "go", v.go);
  j["go_error"] = v.go_error;
  nlohmann::json problems = nlohmann::json::array(), verdicts = nlohmann::json::array();
  for (const RuntimeResults* r : {&v.gort, v.go ? &*v.go : nullptr}) {
    if (r == nullptr) continue;
    for (const std::string& p : check(*r)) problems.push_back(p);
    for (const std::string& p : leak_verdicts(*r)) verdicts.push_back(p);
  }
  j["problems"] = problems;
  j["leak_check_failures"] = verdicts;
}

}  // namespace ctxlab
