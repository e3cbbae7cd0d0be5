// report.cpp — the Markdown report, the JSON and the plot (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/benchstat.hpp>
#include <lab/report.hpp>

#include <algorithm>
#include <functional>

namespace ptp {

void to_json(nlohmann::json& j, const RunSample& s) {
  j = {{"requests_per_second", s.requests_per_second},
       {"cpu_us_per_request", s.cpu_us_per_request},
       {"p99_us", s.p99_us},
       {"gc_cycles", s.gc_cycles}};
}

void from_json(const nlohmann::json& j, RunSample& s) {
  s.requests_per_second = j.value("requests_per_second", 0.0);
  s.cpu_us_per_request = j.value("cpu_us_per_request", 0.0);
  s.p99_us = j.value("p99_us", 0.0);
  s.gc_cycles = j.value("gc_cycles", int64_t{0});
}

namespace {

nlohmann::json side_json(const SideRuns& s) { return {{"label", s.label}, {"runs", s.runs}}; }

SideRuns side_from(const nlohmann::json& j) {
  SideRuns s;
  s.label = j.value("label", "");
  if (j.contains("runs")) s.runs = j.at("runs").get<std::vector<RunSample>>();
  return s;
}

nlohmann::json profile_json(const CpuProfileResult& p) {
  nlohmann::json top = nlohmann::json::array();
  for (const TopFunction& f : p.top) {
    top.push_back({{"name", f.name},
                   {"flat_seconds", f.flat_seconds},
                   {"flat_percent", f.flat_percent},
                   {"cum_percent", f.cum_percent},
                   {"owner", f.owner}});
  }
  nlohmann::json focus = nlohmann::json::object();
  for (const auto& [name, cum] : p.focus) focus[name] = cum;
  return {{"setting", p.setting}, {"requests", p.requests}, {"seconds", p.seconds}, {"top", top},
          {"focus_cum_percent", focus}, {"error", p.error}};
}

nlohmann::json trace_json(const TraceFindings& t) {
  return {{"setting", t.setting},
          {"requests", t.requests},
          {"duration_ms", t.duration_ms},
          {"gc_cycles", t.gc_cycles},
          {"pauses", t.pauses},
          {"pause_total_us", t.pause_total_us},
          {"pause_max_us", t.pause_max_us},
          {"pause_max_reason", t.pause_max_reason},
          {"assist_total_us", t.assist_total_us},
          {"gc_active_percent", t.gc_active_percent},
          {"sched_p50_us", t.sched_p50_us},
          {"sched_p99_us", t.sched_p99_us},
          {"sched_max_us", t.sched_max_us},
          {"mmu_1ms", t.mmu_1ms},
          {"mmu_10ms", t.mmu_10ms},
          {"error", t.error}};
}

TraceFindings trace_from(const nlohmann::json& j) {
  TraceFindings t;
  t.setting = j.value("setting", "");
  t.path = j.value("path", "");
  t.requests = j.value("requests", int64_t{0});
  t.duration_ms = j.value("duration_ms", 0.0);
  t.gc_cycles = j.value("gc_cycles", int64_t{0});
  t.pauses = j.value("pauses", int64_t{0});
  t.pause_total_us = j.value("pause_total_us", 0.0);
  t.pause_max_us = j.value("pause_max_us", 0.0);
  t.pause_max_reason = j.value("pause_max_reason", "");
  t.gc_active_percent = -1;
  t.sched_p50_us = t.sched_p99_us = t.sched_max_us = -1;
  t.error = j.value("error", "");
  return t;
}

nlohmann::json runtime_json(const RuntimeResult& r) {
  return {{"runtime", r.runtime},
          {"procs", r.procs},
          {"requests_per_run", r.requests_per_run},
          {"connections", r.connections},
          {"profile_before", profile_json(r.profile_before)},
          {"profile_after", profile_json(r.profile_after)},
          {"estimated_cpu_saving_percent", r.estimated_cpu_saving_percent},
          {"encodings_identical", r.encodings_identical},
          {"fix_before", side_json(r.fix_before)},
          {"fix_after", side_json(r.fix_after)},
          {"tuned_gogc", r.tuned_gogc},
          {"trace_before", trace_json(r.trace_before)},
          {"trace_after", trace_json(r.trace_after)},
          {"gc_before", side_json(r.gc_before)},
          {"gc_after", side_json(r.gc_after)}};
}

// ---- the report's pieces ----

using Metric = std::function<double(const RunSample&)>;

std::vector<double> values(const SideRuns& s, const Metric& m) {
  std::vector<double> v;
  for (const RunSample& r : s.runs) v.push_back(m(r));
  return v;
}

std::string us_text(double us) { return lab::format_duration_ns(us * 1e3); }
std::string rate_text(double v) { return lab::format_sig3(v) + "/s"; }

/// benchstat's table of before/after over the metrics a lab run measures.
std::string benchstat_table(const SideRuns& before, const SideRuns& after, bool with_gc) {
  if (before.runs.empty() || after.runs.empty()) return "(no runs)\n";
  lab::MarkdownTable t({"metric", before.label + ":", after.label + ":", "delta:"});
  struct Row {
    const char* name;
    Metric m;
    std::string (*fmt)(double);
  };
  std::vector<Row> rows{
      {"CPU time/request", [](const RunSample& s) { return s.cpu_us_per_request; }, us_text},
      {"requests/s", [](const RunSample& s) { return s.requests_per_second; }, rate_text},
      {"p99 latency", [](const RunSample& s) { return s.p99_us; }, us_text}};
  if (with_gc) {
    rows.push_back({"GC cycles/run", [](const RunSample& s) { return static_cast<double>(s.gc_cycles); },
                    lab::format_sig3});
  }
  for (const Row& row : rows) {
    const lab::RunComparison c = lab::compare_runs(values(before, row.m), values(after, row.m));
    t.add_row({row.name, lab::format_median_ci(c.before, row.fmt), lab::format_median_ci(c.after, row.fmt),
               lab::format_delta(c)});
  }
  const lab::RunSummary s = lab::summarize_runs(values(before, [](const RunSample& r) { return r.requests_per_second; }));
  return t.str() + fmt::format(
                       "\nMedians of {} runs per side; ±: the larger half-width of the order-statistics interval "
                       "for the median at {:.1f}% confidence{}; delta: the change of the medians when a "
                       "two-sided Mann-Whitney U test gives p < 0.05, else `~` (benchstat's rule).\n",
                       s.n, 100 * s.confidence, s.confidence < 0.95 ? " (fewer than 6 runs give no 95% interval)" : "");
}

lab::RunComparison compare(const SideRuns& a, const SideRuns& b, const Metric& m) {
  return lab::compare_runs(values(a, m), values(b, m));
}

double cpu_of(const RunSample& s) { return s.cpu_us_per_request; }

std::string top_table(const CpuProfileResult& p) {
  if (!p.error.empty()) return "Not read: " + p.error + "\n";
  lab::MarkdownTable t({"#:", "function", "flat:", "flat%:", "cum%:", "whose"});
  int i = 0;
  for (const TopFunction& f : p.top) {
    t.add_row({std::to_string(++i), "`" + f.name + "`", fmt::format("{:.2f}s", f.flat_seconds),
               fmt::format("{:.1f}%", f.flat_percent), fmt::format("{:.1f}%", f.cum_percent), f.owner});
  }
  std::string focus;
  for (const auto& [name, cum] : p.focus) focus += fmt::format("{}`{}` {:.1f}%", focus.empty() ? "" : ", ", name, cum);
  return t.str() + (focus.empty() ? "" : "\nCumulative shares of the service's functions: " + focus + ".\n");
}

std::string trace_table(const RuntimeResult& r) {
  lab::MarkdownTable t({"setting", "requests:", "duration:", "GC cycles:", "STW pauses:", "pause total:",
                        "longest pause:", "assists:", "GC active:", "sched. latency p50/p99/max:", "MMU 1ms:",
                        "MMU 10ms:"});
  for (const TraceFindings* f : {&r.trace_before, &r.trace_after}) {
    if (!f->error.empty()) {
      t.add_row({f->setting, "—", "—", "—", "—", "—", "—", "—", "—", "not read: " + f->error, "—", "—"});
      continue;
    }
    const auto opt = [](double v, std::string (*g)(double)) { return v < 0 ? std::string("—") : g(v); };
    const auto pct = [](double v) { return fmt::format("{:.1f}%", 100 * v); };
    t.add_row({f->setting, std::to_string(f->requests), fmt::format("{:.0f}ms", f->duration_ms),
               std::to_string(f->gc_cycles), std::to_string(f->pauses), us_text(f->pause_total_us),
               f->pause_max_us > 0 ? us_text(f->pause_max_us) + (f->pause_max_reason.empty() ? "" : " (" + f->pause_max_reason + ")") : "—",
               f->gc_active_percent < 0 ? "—" : us_text(f->assist_total_us),
               f->gc_active_percent < 0 ? "—" : fmt::format("{:.1f}%", f->gc_active_percent),
               f->sched_p50_us < 0 ? "—"
                                   : fmt::format("{} / {} / {}", us_text(f->sched_p50_us), us_text(f->sched_p99_us),
                                                 us_text(f->sched_max_us)),
               f->mmu_1ms < 0 ? "—" : pct(f->mmu_1ms), f->mmu_10ms < 0 ? "—" : pct(f->mmu_10ms)});
    (void)opt;
  }
  return t.str();
}

/// The stall the trace analysis finds at GOGC=100, in one sentence.
std::string stall_sentence(const TraceFindings& b, const TraceFindings& a) {
  if (!b.error.empty() || !a.error.empty()) return "The traces could not both be read.";
  const double per_k = b.requests > 0 ? 1000.0 * static_cast<double>(b.gc_cycles) / static_cast<double>(b.requests) : 0;
  return fmt::format(
      "The stall: at GOGC=100 the collector ran {} cycles in {} requests ({:.2f} per 1000) and was active "
      "{:.1f}% of the run; the world stopped {} times for {} in all, the longest {} ({}), and mark assists took {} "
      "from the handlers; the minimum mutator utilisation in any 1 ms window was {}. At {} the same load ran "
      "{} cycles, {} stops ({} in all), GC active {:.1f}% of the run, assists {}, MMU(1ms) {}.",
      b.gc_cycles, b.requests, per_k, b.gc_active_percent, b.pauses, us_text(b.pause_total_us),
      us_text(b.pause_max_us), b.pause_max_reason, us_text(b.assist_total_us),
      b.mmu_1ms < 0 ? "—" : fmt::format("{:.1f}%", 100 * b.mmu_1ms), a.setting, a.gc_cycles, a.pauses,
      us_text(a.pause_total_us), a.gc_active_percent, us_text(a.assist_total_us),
      a.mmu_1ms < 0 ? "—" : fmt::format("{:.1f}%", 100 * a.mmu_1ms));
}

std::string estimate_text(const RuntimeResult& r) {
  const double x = r.estimated_cpu_saving_percent;
  const double rps = x < 100 ? 100 * x / (100 - x) : 0;
  return fmt::format(
      "Estimate, from the step-1 profile alone (before the fix ran): `price_order` builds a nlohmann::json "
      "document of the priced order and `encode_into` streams it through std::ostream into the buffer; together "
      "{:.1f}% of the CPU samples (cumulative). Writing the same bytes directly keeps the number formatting and "
      "copying, taken as half of `encode_into`'s share; the document's destruction, charged to the handler, "
      "is left out (a conservative estimate). Expected: about {:.1f}% less CPU time per request, so up to "
      "{:.1f}% more requests/s where the CPU is the bound.\n",
      [&] {
        double s = 0;
        for (const auto& [n, c] : r.profile_before.focus) {
          if (n == "pool_lab::::price_order" || n == "pool_lab::::encode_into") s += c;
        }
        return s;
      }(),
      x, rps);
}

std::string measured_vs_estimate(const RuntimeResult& r) {
  if (r.fix_before.runs.empty() || r.fix_after.runs.empty()) return {};
  const lab::RunComparison c = compare(r.fix_before, r.fix_after, cpu_of);
  return fmt::format("Measured: CPU time per request {} ({}), against an estimated −{:.1f}%.\n",
                     c.significant ? fmt::format("{:+.1f}%", c.delta_percent) : std::string("unchanged within noise"),
                     lab::format_delta(c), r.estimated_cpu_saving_percent);
}

std::string runtime_sections(const RuntimeResult& r, const char* heading_prefix) {
  std::string s;
  s += fmt::format("\n### {} {}: the CPU profile before the fix ({} requests, {} setting)\n\n", heading_prefix,
                   r.runtime, r.profile_before.requests, r.profile_before.setting);
  s += top_table(r.profile_before);
  return s;
}

}  // namespace

void to_json(nlohmann::json& j, const LabRun& r) {
  j = {{"command", r.command}, {"machine", r.machine}, {"load_before", r.load_before}, {"gort", runtime_json(r.gort)}};
  j["pgo"] = {{"status", r.pgo.status},
              {"reason", r.pgo.reason},
              {"build_dir", r.pgo.build_dir},
              {"generate_build_seconds", r.pgo.generate_build_seconds},
              {"use_build_seconds", r.pgo.use_build_seconds},
              {"training_seconds", r.pgo.training_seconds},
              {"gcda_files", r.pgo.gcda_files},
              {"before", side_json(r.pgo.before)},
              {"after", side_json(r.pgo.after)}};
  nlohmann::json failures = nlohmann::json::array();
  for (const ChildFailure& f : r.pgo.child_failures) {
    failures.push_back({{"binary", f.binary}, {"measured", f.measured}, {"what", f.what}});
  }
  j["pgo"]["child_failures"] = failures;
  if (r.go) {
    j["go"] = runtime_json(*r.go);
  } else if (!r.go_error.empty()) {
    j["go_error"] = r.go_error;
  }
}

void from_json(const nlohmann::json& j, RuntimeResult& r) {
  r.runtime = "Go";
  r.procs = j.value("procs", 0);
  r.requests_per_run = j.value("requests_per_run", int64_t{0});
  r.connections = j.value("connections", 0);
  r.profile_before.setting = "document";
  r.profile_before.path = j.value("profile_before_path", "");
  r.profile_before.requests = j.value("profile_requests", int64_t{0});
  r.profile_after = r.profile_before;
  r.profile_before.requests = j.value("profile_before_requests", r.profile_before.requests);
  r.profile_after.requests = j.value("profile_after_requests", r.profile_after.requests);
  r.profile_after.setting = "direct";
  r.profile_after.path = j.value("profile_after_path", "");
  r.encodings_identical = j.value("encodings_identical", false);
  r.fix_before = side_from(j.at("fix_before"));
  r.fix_after = side_from(j.at("fix_after"));
  r.tuned_gogc = j.value("tuned_gogc", 0);
  r.trace_before = trace_from(j.at("trace_before"));
  r.trace_after = trace_from(j.at("trace_after"));
  r.gc_before = side_from(j.at("gc_before"));
  r.gc_after = side_from(j.at("gc_after"));
}

lab::Plot runs_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "CPU time per request, run by run";
  p.xlabel = "run";
  p.ylabel = "µs of CPU per request (whole process)";
  const auto add = [&](const std::string& who, const SideRuns& s) {
    if (s.runs.empty()) return;
    lab::Series series;
    series.label = who + " " + s.label;
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
      series.x.push_back(static_cast<double>(i + 1));
      series.y.push_back(s.runs[i].cpu_us_per_request);
    }
    p.series.push_back(std::move(series));
  };
  for (const RuntimeResult* r : {&run.gort, run.go ? &*run.go : nullptr}) {
    if (r == nullptr) continue;
    add(r->runtime + " fix:", r->fix_before);
    add(r->runtime + " fix:", r->fix_after);
    add(r->runtime + " GC:", r->gc_after);
  }
  add("gort PGO:", run.pgo.before);
  add("gort PGO:", run.pgo.after);
  return p;
}

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  const RuntimeResult& g = run.gort;
  std::string s = "# profile-tune-profile: profile, tune, profile again (course week 23)\n\n";
  s += fmt::format("- command: `{}`\n- machine: {}\n- load average before the run: {}\n", run.command, run.machine,
                   run.load_before);
  s += fmt::format("- GOMAXPROCS: gort {}{}\n", g.procs, run.go ? fmt::format(", Go {}", run.go->procs) : "");
  s += fmt::format(
      "- the capstone: pool-the-hot-path's JSON order service (POST /order on gort::http, decoded with "
      "nlohmann_json into managed objects, priced, encoded into a managed buffer; Go: net/http and "
      "encoding/json), a fresh buffer per request; the load: {} keep-alive connections of the in-process "
      "client, {} requests per measured run, runs of the two settings interleaved\n",
      g.connections, g.requests_per_run);
  if (!run.go && !run.go_error.empty()) s += "- Go twin: " + run.go_error + "\n";

  s += "\n## 1. The CPU profile under load: the top five functions\n\n";
  s += "gort's CPU profiler (gort::pprof::start_cpu_profile, SIGPROF per thread at 100 Hz, as Go's) records the "
       "load; the real `go tool pprof -top` reads it. `whose` says which frames are gort's runtime "
       "(gort::runtime, gort::gc, gort::net, the fibers' context switch), gort's http library, the program "
       "(the service and its JSON library) or the C library below them.\n";
  s += runtime_sections(g, "1a.");
  if (run.go) s += runtime_sections(*run.go, "1b.");

  s += "\n## 2. The pick and its estimate\n\n";
  s += estimate_text(g);
  s += fmt::format("\nThe fix (`--encoding direct`, service.cpp `price_and_encode_direct`): price the order and "
                   "write the response straight into the buffer with fmt, keys in the document's (sorted) "
                   "order — the same bytes: {}.\n",
                   g.encodings_identical ? "checked identical for every distinct request of the load"
                                         : "NOT identical (a check failed)");
  if (run.go) {
    s += "\nGo: the same pick, `json.NewEncoder(buf).Encode` of a `map[string]any` document against the priced "
         "order appended to the buffer with strconv; its estimate is the same reading of its own profile.\n";
  }

  s += "\n## 3. The fix measured, and the profile again\n\n";
  s += "### gort\n\n" + benchstat_table(g.fix_before, g.fix_after, false) + "\n" + measured_vs_estimate(g);
  s += fmt::format("\nThe profile after the fix ({} requests, {}):\n\n", g.profile_after.requests, g.profile_after.setting);
  s += top_table(g.profile_after);
  if (run.go) {
    s += "\n### Go\n\n" + benchstat_table(run.go->fix_before, run.go->fix_after, false) + "\n";
    s += "\nGo's profile after the fix:\n\n" + top_table(run.go->profile_after);
  }

  s += "\n## 4. The trace: a GC stall, found and fixed\n\n";
  s += fmt::format(
      "gort's execution tracer (gort::trace::start) records {} requests of the fixed service at GOGC=100 and at "
      "GOGC={}; trace-viewer's own analyses (trace-viewer/src/analysis: analyze_gc, scheduler_latency, "
      "analyze_mmu) read both traces.\n\n",
      g.trace_before.requests, g.tuned_gogc);
  s += trace_table(g) + "\n" + stall_sentence(g.trace_before, g.trace_after) + "\n";
  s += fmt::format("\nThe fix: GOGC={} (gort::gc::set_gc_percent, debug.SetGCPercent in Go). The live heap is small "
                   "(a few hundred KiB), so the goal is the minimum heap, 4 MiB × GOGC/100 (Go's "
                   "defaultHeapMinimum, gc/src/pacer.cpp): 4 MiB at GOGC=100, {} MiB at GOGC={} — about {}x fewer "
                   "cycles for a few MiB more memory. Untraced runs:\n\n",
                   g.tuned_gogc, 4 * g.tuned_gogc / 100, g.tuned_gogc, g.tuned_gogc / 100);
  s += benchstat_table(g.gc_before, g.gc_after, true);
  if (run.go) {
    s += "\n### Go\n\nGo's twin records runtime/trace for the same load (`go tool trace` views it; its analysis "
         "has no command-line form in Go 1.19), and reads the pauses from runtime.MemStats:\n\n" +
         trace_table(*run.go) + "\n" + benchstat_table(run.go->gc_before, run.go->gc_after, true);
  }

  s += "\n## 5. PGO\n\n";
  if (run.pgo.status == "skipped") {
    s += "gort (GCC -fprofile-generate / -fprofile-use): skipped — " + run.pgo.reason + ".\n";
  } else if (run.pgo.status == "failed") {
    s += "gort (GCC -fprofile-generate / -fprofile-use): failed — " + run.pgo.reason + "\n";
  } else {
    s += fmt::format(
        "gort: the service and gort's runtime rebuilt in {} with -fprofile-generate ({:.0f} s), trained on "
        "the load ({:.1f} s, {} .gcda files), rebuilt with -fprofile-use -fprofile-partial-training ({:.0f} s); "
        "this release binary and the PGO binary then ran as interleaved child processes, the fixed service at "
        "GOGC={}:\n\n",
        run.pgo.build_dir, run.pgo.generate_build_seconds, run.pgo.training_seconds, run.pgo.gcda_files,
        run.pgo.use_build_seconds, g.tuned_gogc);
    s += benchstat_table(run.pgo.before, run.pgo.after, false);
    if (!run.pgo.child_failures.empty()) {
      int release = 0, pgo = 0;
      for (const ChildFailure& f : run.pgo.child_failures) ++(f.binary == "PGO" ? pgo : release);
      s += fmt::format("\n**Measured children that failed**: {} of the PGO binary's, {} of the release binary's "
                       "(a run printed before the failure counts). The first:\n\n```\n{} binary: {}\n```\n",
                       pgo, release, run.pgo.child_failures.front().binary, run.pgo.child_failures.front().what);
    }
  }
  s += "\nGo: Go 1.19 (the toolchain here) has no profile-guided optimisation; it arrived in Go 1.21 "
       "(`default.pgo` beside main, or `-pgo=FILE`). Not measured rather than pretended.\n";

  s += "\n## PERF_LOG\n\n" + perf_log(run);
  if (!svg_path.empty()) {
    s += svg_error ? "\nPlot not drawn: " + *svg_error + "\n" : "\nPlot: `" + svg_path + "` (CPU time per request, run by run).\n";
  }
  return s;
}

std::string perf_log(const LabRun& run) {
  const RuntimeResult& g = run.gort;
  std::string s;
  const auto verdict = [](const lab::RunComparison& c, bool lower_is_better) {
    if (!c.significant) return std::string("no significant change");
    const bool better = lower_is_better ? c.delta_percent < 0 : c.delta_percent > 0;
    return better ? std::string("better") : std::string("worse");
  };
  if (!g.fix_before.runs.empty()) {
    const lab::RunComparison c = compare(g.fix_before, g.fix_after, cpu_of);
    s += fmt::format(
        "### Change 1: encode the response directly (service.cpp, `--encoding direct`)\n\n"
        "- hypothesis: building a nlohmann document for the response and streaming it through std::ostream "
        "costs more than the bytes it produces\n- estimate: −{:.1f}% CPU time per request (from the profile)\n"
        "- result: CPU time per request {} — {}\n- kept: {}\n\n",
        g.estimated_cpu_saving_percent, lab::format_delta(c), verdict(c, true),
        c.significant && c.delta_percent < 0 ? "yes" : "kept as the lab's 'after' for comparison; see the notes");
  }
  if (!g.gc_before.runs.empty()) {
    const lab::RunComparison c = compare(g.gc_before, g.gc_after, cpu_of);
    const lab::RunComparison cyc =
        compare(g.gc_before, g.gc_after, [](const RunSample& r) { return static_cast<double>(r.gc_cycles); });
    s += fmt::format(
        "### Change 2: GOGC=100 → GOGC={} (the trace's GC stall)\n\n"
        "- hypothesis: with a small live heap the collector runs every few thousand requests; each cycle "
        "stops the world twice and takes assists from the handlers\n"
        "- estimate: cycles fall about {}x (the minimum heap 4 MiB × GOGC/100 is the goal); CPU per request "
        "falls by most of the collector's share\n"
        "- result: GC cycles/run {}; CPU time per request {} — {}\n- kept: {}\n\n",
        g.tuned_gogc, std::max(1, g.tuned_gogc / 100), lab::format_delta(cyc),
        lab::format_delta(c), verdict(c, true), cyc.significant ? "yes (fewer stalls at a few MiB)" : "no");
  }
  if (run.pgo.status == "done" && !run.pgo.before.runs.empty()) {
    const lab::RunComparison c = compare(run.pgo.before, run.pgo.after, cpu_of);
    s += fmt::format("### Change 3: GCC PGO of the service and gort\n\n- result: CPU time per request {} — {}\n\n",
                     lab::format_delta(c), verdict(c, true));
  } else {
    s += fmt::format("### Change 3: GCC PGO of the service and gort\n\n- {}: {}\n\n", run.pgo.status, run.pgo.reason);
  }
  return s;
}

}  // namespace ptp
