// report.cpp — Markdown tables and the plot (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <vector>

namespace ctxlab {

namespace {

/// The runtimes of a run, gort first.
std::vector<const RuntimeResults*> runtimes_of(const LabRun& run) {
  std::vector<const RuntimeResults*> rs{&run.gort};
  if (run.go) rs.push_back(&*run.go);
  return rs;
}

/// "gort" or "Go (go1.19.8)".
std::string name_of(const RuntimeResults& r) { return r.runtime == "go" ? "Go (" + r.version + ")" : "gort"; }

/// A nanosecond count as Go prints a duration ("—" for 0: not applicable).
std::string ns_text(int64_t ns) { return ns == 0 ? "—" : lab::format_duration_ns(static_cast<double>(ns)); }

/// An operation's outcome: "`context canceled` after 41µs".
std::string op_text(const OpOutcome& o) {
  std::string s = "`" + o.result + "`";
  if (o.after_client_gave_up_ns != 0) s += " after " + ns_text(o.after_client_gave_up_ns);
  return s;
}

void service_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "client", "status:", "ctx done after:", "store returned", "downstream returned",
                        "downstream handler cancelled"});
  const ServiceResult* any = nullptr;
  for (const RuntimeResults* r : runtimes_of(run)) {
    if (!r->service) continue;
    any = &*r->service;
    for (const RequestCase& c : r->service->cases) {
      t.add_row({name_of(*r), c.client, c.status == 0 ? "—" : std::to_string(c.status), ns_text(c.ctx_done_after_ns),
                 op_text(c.store), op_text(c.downstream),
                 !c.downstream_reached ? "never reached" : c.downstream_handler_cancelled ? "yes" : "no"});
    }
  }
  if (any == nullptr) return;
  *out += "## 1. Every blocking operation takes the request context\n\n";
  *out += fmt::format(
      "`GET /item` reads the slow store ({}) and calls the downstream service over the network ({}) in an "
      "errgroup on `r.ctx`, and waits for both. A patient client gets both answers; a client that gives up after "
      "{} (its own deadline, or an explicit cancel {} after the downstream request arrived) closes its connection, the server cancels `r.ctx`, and both "
      "operations return with the context's error. Times are from the client's context ending (its deadline, or its cancel call), through the client closing its connection and the server noticing; the "
      "downstream server sees its own request context end because the handler's call closed that connection "
      "too.\n\n",
      ns_text(any->store_delay_ns), ns_text(any->downstream_delay_ns), ns_text(any->client_patience_ns),
      ns_text(any->client_patience_ns));
  *out += t.str() + "\n";
}

/// The leaked goroutines as a goroutine dump shows them.
std::string leak_block(const std::vector<LeakRecord>& rs) {
  std::string s = "```\n";
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const LeakRecord& r = rs[i];
    s += fmt::format("{}goroutine {} [{}]:\ncreated by {}\n\t{}:{}\n", i == 0 ? "" : "\n", r.id, r.state, r.created_by,
                     r.creation_file, r.creation_line);
  }
  return s + "```\n";
}

void leak_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "handler", "outlived the request:", "from the handler:", "verdict",
                        "left after release:"});
  std::string dumps;
  bool any = false;
  for (const RuntimeResults* r : runtimes_of(run)) {
    for (const LeakCheck& l : r->leak) {
      any = true;
      int64_t from_handler = 0;
      for (const LeakRecord& g : l.leaks) from_handler += g.from_handler ? 1 : 0;
      t.add_row({name_of(*r), l.variant, std::to_string(l.leaks.size()), std::to_string(from_handler),
                 l.leaks.empty() ? "pass" : "**FAIL**", std::to_string(l.left_after_release)});
      if (!l.leaks.empty()) dumps += "What the check names on " + name_of(*r) + ":\n\n" + leak_block(l.leaks) + "\n";
    }
  }
  if (!any) return;
  *out += "## 1b. The leak check: no goroutine outlives its request\n\n";
  *out += "The check lists the live goroutines before a request, sends it with a client that gives up, waits for "
          "the handler to return, and then waits (bounded, as goleak does) for every goroutine created since to "
          "end: any still alive outlived the request and fails the check, named by its creation site and state. "
          "On gort the list is `gort::live_goroutines()` and the wait `gort::goleak::verify_none(wait, "
          "{.ignore_ids = before})`; parent ids say which leftovers descend from the handler's goroutine. The Go "
          "twin parses `runtime.Stack(buf, true)` (Go 1.19 prints no parent id, so it names the creating "
          "function). The leaky handler starts a goroutine that holds `r.ctx`, honours it in the store read, and "
          "then blocks for ever sending its result on an unbuffered channel the handler stopped reading.\n\n";
  *out += t.str() + "\n" + dumps;
}

void fanout_section(const LabRun& run, const std::string& svg_path, const std::optional<std::string>& svg_error,
                    std::string* out) {
  std::vector<const RuntimeResults*> rs;
  for (const RuntimeResults* r : runtimes_of(run)) {
    if (r->fanout) rs.push_back(r);
  }
  if (rs.empty()) return;
  std::vector<std::string> head{"worker"};
  for (const RuntimeResults* r : rs) {
    head.push_back(name_of(*r) + " outcome");
    head.push_back(name_of(*r) + " observed cancel after:");
  }
  lab::MarkdownTable t(head);
  const FanoutResult& g = *rs[0]->fanout;
  for (std::size_t i = 0; i < g.outcomes.size(); ++i) {
    std::vector<std::string> row{std::to_string(i)};
    for (const RuntimeResults* r : rs) {
      const auto& o = r->fanout->outcomes;
      row.push_back(i < o.size() ? o[i].outcome : "—");
      row.push_back(i < o.size() ? ns_text(o[i].observed_cancel_after_ns) : "—");
    }
    t.add_row(row);
  }
  lab::MarkdownTable w({"runtime", "wait() returned", "after the failure:"});
  for (const RuntimeResults* r : rs) {
    w.add_row({name_of(*r), "`" + r->fanout->wait_error + "`", ns_text(r->fanout->wait_returned_after_ns)});
  }
  *out += "## 2. errgroup fan-out, cancelled on the first error\n\n";
  *out += fmt::format(
      "{} workers read shards from a store that answers after {}; worker {} fails after {}. The group's context "
      "is cancelled by that first error; every other worker's read returns with the context's error. Times are "
      "from the failure to each worker's return.\n\n",
      g.workers, ns_text(g.worker_delay_ns), g.failing_worker, ns_text(g.fail_after_ns));
  *out += t.str() + "\n" + w.str() + "\n";
  if (!svg_path.empty()) {
    *out += svg_error ? "Plot not drawn: " + *svg_error + "\n\n" : "![time to observe the cancellation](" + svg_path + ")\n\n";
  }
}

void stampede_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "singleflight", "requests:", "answered:", "upstream calls:", "cache hits:",
                        "shared flag:", "wall:"});
  int64_t delay = 0;
  for (const RuntimeResults* r : runtimes_of(run)) {
    if (!r->stampede) continue;
    delay = r->stampede->upstream_delay_ns;
    for (const StampedeRun& s : r->stampede->runs) {
      t.add_row({name_of(*r), s.singleflight ? "with" : "without", std::to_string(s.requests), std::to_string(s.ok),
                 std::to_string(s.upstream_calls), std::to_string(s.cache_hits), std::to_string(s.shared),
                 ns_text(s.wall_ns)});
    }
  }
  if (delay == 0) return;
  *out += "## 3. Cache stampede: concurrent requests for one uncached key\n\n";
  *out += fmt::format(
      "All requests start together (one closed channel) on fresh connections to `GET /cached?key=hot`; a miss "
      "reads the upstream store ({}) and fills the cache. Without SingleFlight every request that misses before "
      "the first read returns calls upstream; with it one flight runs (under `without_cancel(r.ctx)` and its own "
      "deadline, so the first caller leaving cannot fail everyone) and the others wait for it (shared flag set). "
      "Requests arriving after the key is cached count as hits.\n\n",
      ns_text(delay));
  *out += t.str() + "\n";
}

void afterfunc_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "implementation", "trigger", "released", "after the context ended:", "ctx.err()",
                        "stop() returned", "held at the end:"});
  bool any = false;
  for (const RuntimeResults* r : runtimes_of(run)) {
    if (!r->afterfunc) continue;
    any = true;
    for (const AfterFuncCase& k : r->afterfunc->cases) {
      t.add_row({name_of(*r), r->afterfunc->implementation, k.trigger, k.fired ? "yes" : "no",
                 ns_text(k.fired_after_ns), "`" + k.ctx_err + "`", k.stop_returned ? "true" : "false",
                 std::to_string(k.held_at_end)});
    }
  }
  if (!any) return;
  *out += "## 4. after_func cleanup\n\n";
  *out += "A resource is taken and its release registered with `after_func(ctx, release)`. It runs (in its own "
          "goroutine) when the context times out and when it is cancelled explicitly; `stop()` before the cancel "
          "unregisters it (returns true) and the caller keeps the resource. gort has Go 1.21's `context.AfterFunc`; "
          "Go 1.19 has not, so the twin emulates it with a goroutine waiting on `ctx.Done()` (`emulated`).\n\n";
  *out += t.str() + "\n";
}

}  // namespace

lab::Plot cancel_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "context-discipline: errgroup workers observing the first error";
  p.xlabel = "worker";
  p.ylabel = "failure -> worker returned (µs)";
  for (const RuntimeResults* r : runtimes_of(run)) {
    if (!r->fanout) continue;
    lab::Series s;
    s.label = name_of(*r);
    for (const WorkerOutcome& w : r->fanout->outcomes) {
      if (w.outcome == "failed") continue;
      s.x.push_back(w.index);
      s.y.push_back(static_cast<double>(w.observed_cancel_after_ns) / 1e3);
    }
    p.series.push_back(std::move(s));
  }
  return p;
}

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  std::string out = "# context-discipline: the request context, end to end (week 11)\n\n";
  out += fmt::format("- command: `{}`\n- machine: {}\n- load average before the runs: {}\n- GOMAXPROCS: gort {}",
                     run.command, run.machine, run.load_before, run.gort.gomaxprocs);
  if (run.go) out += fmt::format(", Go {}", run.go->gomaxprocs);
  out += "\n";
  if (!run.go_error.empty()) out += "- Go twin: " + run.go_error + "\n";
  out += "\n";
  service_section(run, &out);
  leak_section(run, &out);
  fanout_section(run, svg_path, svg_error, &out);
  stampede_section(run, &out);
  afterfunc_section(run, &out);
  out += "## Checks\n\n";
  std::vector<std::string> problems, verdicts;
  for (const RuntimeResults* r : runtimes_of(run)) {
    for (const std::string& p : check(*r)) problems.push_back(p);
    for (const std::string& p : leak_verdicts(*r)) verdicts.push_back(p);
  }
  if (problems.empty()) {
    out += "The lab behaved: every blocking operation returned with the context's error when the client gave up, "
           "every fan-out worker saw the cancellation, SingleFlight made one upstream call, and after_func fired "
           "under timeout and cancel and not after stop().\n\n";
  } else {
    for (const std::string& p : problems) out += "- **FAILED** " + p + "\n";
    out += "\n";
  }
  if (verdicts.empty()) {
    out += "Leak check: no goroutine outlived its request.\n";
  } else {
    for (const std::string& p : verdicts) out += "- **Leak check FAIL**: " + p + "\n";
  }
  out += "\n";
  return out;
}

}  // namespace ctxlab
