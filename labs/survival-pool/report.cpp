// report.cpp — Markdown tables and the plot (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <vector>

namespace survival {

namespace {

/// The runtimes of a run, gort first.
std::vector<const RuntimeResults*> runtimes(const LabRun& run) {
  std::vector<const RuntimeResults*> rs{&run.gort};
  if (run.go) rs.push_back(&*run.go);
  return rs;
}

/// "gort" or "Go (go1.19.8)".
std::string runtime_name(const RuntimeResults& r) {
  return r.runtime == "go" ? "Go (" + r.version + ")" : std::string("gort");
}

/// "yes" / "**no**".
std::string yes_no(bool ok) { return ok ? "yes" : "**no**"; }

/// A nanosecond count as Go prints a duration.
std::string dur(int64_t ns) { return lab::format_duration_ns(static_cast<double>(ns)); }

/// Tasks per second with a unit ("412k/s").
std::string rate(double per_sec) {
  if (per_sec >= 1e6) return lab::format_sig3(per_sec / 1e6) + "M/s";
  if (per_sec >= 1e3) return lab::format_sig3(per_sec / 1e3) + "k/s";
  return lab::format_sig3(per_sec) + "/s";
}

void backpressure_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "workers:", "queue:", "task wait:", "offered:", "accepted:", "dropped (metric):",
                        "completed:", "adds up"});
  bool any = false;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->backpressure) continue;
    any = true;
    const BackpressureResult& b = *r->backpressure;
    const PoolCounts& c = b.counts;
    t.add_row({runtime_name(*r), std::to_string(b.workers), std::to_string(b.queue), dur(b.task_wait_ns),
               std::to_string(c.submitted), std::to_string(c.submitted - c.dropped), std::to_string(c.dropped),
               std::to_string(c.completed), yes_no(c.adds_up())});
  }
  if (!any) return;
  *out += "## 1. Backpressure: bounded queue, drop with a metric\n\n";
  *out += "A burst offered with `try_submit` (Go: `select { case tasks <- t: default: dropped.Add(1) }`) to a pool "
          "that serves far fewer tasks per millisecond than the burst offers. What does not fit in the queue is "
          "dropped and counted, never blocked on.\n\n";
  *out += t.str() + "\n";
}

void shutdown_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "workers:", "accepted:", "task wait:", "drain deadline:", "cancel → last worker:",
                        "completed:", "timed out:", "abandoned:", "adds up"});
  bool any = false;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->shutdown) continue;
    any = true;
    const ShutdownResult& s = *r->shutdown;
    const PoolCounts& c = s.counts;
    t.add_row({runtime_name(*r), std::to_string(s.workers), std::to_string(c.submitted - c.dropped),
               dur(s.task_wait_ns), dur(s.drain_deadline_ns), dur(s.shutdown_ns), std::to_string(c.completed),
               std::to_string(c.timed_out), std::to_string(c.abandoned), yes_no(c.adds_up())});
  }
  if (!any) return;
  *out += "## 2. Graceful shutdown: drain within a deadline, then abandon\n\n";
  *out += "Every worker busy and the queue full when the context is cancelled. Workers drain the queue until the "
          "drain deadline; then the running tasks' contexts are cancelled and what is still queued is counted as "
          "abandoned. The shutdown time is the deadline plus the time the cancelled tasks take to notice.\n\n";
  *out += t.str() + "\n";
}

void timeouts_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "timeout:", "slow tasks:", "would wait:", "timed out:", "fast tasks:",
                        "completed:", "batch took:", "adds up"});
  bool any = false;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->timeouts) continue;
    any = true;
    const TimeoutResult& s = *r->timeouts;
    const PoolCounts& c = s.counts;
    t.add_row({runtime_name(*r), dur(s.timeout_ns), std::to_string(s.slow_tasks), dur(s.slow_wait_ns),
               std::to_string(c.timed_out), std::to_string(s.fast_tasks), std::to_string(c.completed),
               dur(s.batch_ns), yes_no(c.adds_up())});
  }
  if (!any) return;
  *out += "## 3. Per-task timeouts: `with_timeout(ctx, 100ms)`\n\n";
  *out += "Each task runs under its own deadline derived from the pool's context. Slow tasks would wait ten "
          "timeouts for their reply; they honour `ctx.done()` and end when the deadline fires, so the whole "
          "batch lasts about one timeout. The fast tasks beside them compute and complete.\n\n";
  *out += t.str() + "\n";
}

void panics_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "workers:", "throwing tasks:", "recovered:", "ordinary tasks:", "completed:",
                        "served after a panic:", "goroutines before → after:", "first panic"});
  bool any = false;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->panics) continue;
    any = true;
    const PanicResult& p = *r->panics;
    const PoolCounts& c = p.counts;
    t.add_row({runtime_name(*r), std::to_string(p.workers), std::to_string(p.panicking_tasks),
               std::to_string(c.failed), std::to_string(p.ordinary_tasks), std::to_string(c.completed),
               std::to_string(c.served_after_panic),
               fmt::format("{} → {}", p.goroutines_before, p.goroutines_after), "`" + p.first_panic + "`"});
  }
  if (!any) return;
  *out += "## 4. Panic isolation: recover and report, keep serving\n\n";
  *out += "One worker; every fifth task throws. Each task runs inside a try/catch (Go: a deferred `recover()`), "
          "so the panic is counted and reported and the same worker serves the tasks after it: the goroutine "
          "count does not change.\n\n";
  *out += t.str() + "\n";
}

/// "created by F\n\tfile:line" style text of sample records, as a code block.
std::string leak_block(const std::vector<LeakRecord>& rs) {
  std::string s = "```\n";
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const LeakRecord& r = rs[i];
    s += fmt::format("{}goroutine {} [{}]:\ncreated by {}\n\t{}:{}\n", i == 0 ? "" : "\n", r.id, r.state,
                     r.created_by, r.creation_file, r.creation_line);
  }
  s += "```\n";
  return s;
}

void leak_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "pool", "workers:", "leaked after cancel + wait:", "of them workers in chan receive:",
                        "left after release:"});
  bool any = false;
  std::string samples;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->leak) continue;
    any = true;
    const LeakResult& l = *r->leak;
    t.add_row({runtime_name(*r), "survival pool", std::to_string(l.workers), std::to_string(l.clean_leaks.size()),
               "—", "—"});
    if (!l.clean_leaks.empty()) samples += "Leftovers of the survival pool on " + runtime_name(*r) + ":\n\n" + leak_block(l.clean_leaks);
    if (l.broken_ran) {
      t.add_row({runtime_name(*r), "broken (`--broken`)", std::to_string(l.workers), std::to_string(l.broken_leaks),
                 std::to_string(l.broken_leaks_worker_receive), std::to_string(l.broken_leaks_after_release)});
      samples += "The first leaks the check reported on " + runtime_name(*r) + ":\n\n" + leak_block(l.broken_sample) + "\n";
    }
  }
  if (!any) return;
  *out += "## 5. Leak-clean: the goroutine leak check after `cancel(); pool.wait()`\n\n";
  *out += "On gort the check is `gort::goleak::verify_none` (gort/goroutines.hpp): it waits, bounded, until no "
          "goroutine besides the caller is alive and returns the ones still alive with their creation site and "
          "wait reason. The Go twin builds the same check from `runtime.Stack(buf, true)` (goleak itself cannot be "
          "fetched here: no network for Go modules). The broken pool's workers range over a channel nobody closes "
          "and never look at the context, and its wait only waits for the tasks.\n\n";
  *out += t.str() + "\n" + samples;
}

void stress_section(const LabRun& run, const std::string& svg_path, const std::optional<std::string>& svg_error,
                    std::string* out) {
  lab::MarkdownTable counts({"runtime", "tasks:", "workers:", "queue:", "overflow", "completed:", "dropped:",
                             "timed out:", "failed:", "abandoned:", "adds up", "leaks after:"});
  lab::MarkdownTable speed({"runtime", "wall:", "completed/s:", "p50:", "p90:", "p99:", "max:"});
  bool any = false;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->stress) continue;
    any = true;
    const StressResult& s = *r->stress;
    const PoolCounts& c = s.counts;
    counts.add_row({runtime_name(*r), std::to_string(s.tasks), std::to_string(s.workers), std::to_string(s.queue),
                    s.overflow, std::to_string(c.completed), std::to_string(c.dropped), std::to_string(c.timed_out),
                    std::to_string(c.failed), std::to_string(c.abandoned), yes_no(c.adds_up()),
                    std::to_string(s.leaks_after)});
    speed.add_row({runtime_name(*r), dur(s.wall_ns), rate(tasks_per_sec(s)), dur(s.latency_p50_ns),
                   dur(s.latency_p90_ns), dur(s.latency_p99_ns), dur(s.latency_max_ns)});
  }
  if (!any) return;
  const StressResult& g = *run.gort.stress;
  *out += "## Stress: many tasks across many workers\n\n";
  *out += fmt::format(
      "{} producers submit the tasks; an ordinary task computes {} rounds of an LCG, every {}th throws and every "
      "{}th waits ten timeouts (and times out). Latency is from submission to completion of completed tasks. "
      "submitted = completed + dropped + timed out + failed + abandoned must hold.\n\n",
      g.producers, g.spin, g.panic_every, g.slow_every);
  *out += counts.str() + "\n" + speed.str() + "\n";
  if (!svg_path.empty()) {
    if (svg_error) {
      *out += "Plot not drawn: " + *svg_error + "\n\n";
    } else {
      *out += "![submit-to-completion latency CDF](" + svg_path + ")\n\n";
    }
  }
}

}  // namespace

bool has_latency_plot(const LabRun& run) { return run.gort.stress && !run.gort.stress->latency_cdf_ns.empty(); }

lab::Plot latency_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "survival-pool stress: submit-to-completion latency";
  p.xlabel = "latency (µs)";
  p.ylabel = "fraction of completed tasks";
  p.logx = true;
  p.ymin = 0;
  p.ymax = 1;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->stress || r->stress->latency_cdf_ns.empty()) continue;
    lab::Series s;
    s.label = runtime_name(*r);
    s.steps = true;
    const auto& q = r->stress->latency_cdf_ns;
    for (std::size_t i = 0; i < q.size(); ++i) {
      s.x.push_back(std::max(1e-3, static_cast<double>(q[i]) / 1e3));
      s.y.push_back(static_cast<double>(i + 1) / static_cast<double>(q.size()));
    }
    p.series.push_back(std::move(s));
  }
  return p;
}

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  std::string out = "# survival-pool: the worker pool survival test (week 12)\n\n";
  out += fmt::format("- command: `{}`\n- machine: {}\n- load average before the runs: {}\n- GOMAXPROCS: gort {}",
                     run.command, run.machine, run.load_before, run.gort.gomaxprocs);
  if (run.go) out += fmt::format(", Go {}", run.go->gomaxprocs);
  out += "\n";
  if (!run.go_error.empty()) out += "- Go twin: " + run.go_error + "\n";
  out += "\n";
  backpressure_section(run, &out);
  shutdown_section(run, &out);
  timeouts_section(run, &out);
  panics_section(run, &out);
  leak_section(run, &out);
  stress_section(run, svg_path, svg_error, &out);
  out += "## Checks\n\n";
  std::vector<std::string> problems = check(run.gort);
  if (run.go) {
    for (const std::string& p : check(*run.go)) problems.push_back(p);
  }
  if (problems.empty()) {
    out += "Every check held: the counts add up in every scenario, every slow task timed out, every panic was "
           "recovered with the worker still serving, and no goroutine outlived cancel + wait";
    out += (run.gort.leak && run.gort.leak->broken_ran) ? " (the broken pool's leak was caught).\n" : ".\n";
  } else {
    for (const std::string& p : problems) out += "- **FAILED** " + p + "\n";
  }
  return out;
}

}  // namespace survival
