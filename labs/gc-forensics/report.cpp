// report.cpp — Markdown and JSON from the runs (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <algorithm>

#include "explain.hpp"
#include "summary.hpp"
#include "units.hpp"

namespace gclab {

namespace {

/// Non-gctrace stderr lines shown per run; the rest are counted (all are in --json).
constexpr std::size_t kShownOtherLines = 5;

/// Nanoseconds as a Go duration ("57.5µs").
std::string ns(double v) { return lab::format_duration_ns(v); }
/// Bytes with a binary unit ("73.9 MiB").
std::string bytes(double v) { return lab::format_bytes(v); }

/// The runs of a setting that exist, gort first.
std::vector<const ScenarioRun*> runs_of(const SettingRuns& s) {
  std::vector<const ScenarioRun*> out;
  if (s.gort) out.push_back(&*s.gort);
  if (s.go) out.push_back(&*s.go);
  return out;
}

/// The workload in one sentence.
std::string workload_sentence(const WorkloadParams& p) {
  if (p.workload == Workload::Retain) {
    return fmt::format("retain (the gctrace worked example): {} buffers of 1 KiB appended to one slice and kept, a "
                       "{}ms sleep after every {}",
                       p.buffers, kRetainPause.count(), p.pause_every);
  }
  return fmt::format("service: {} goroutines allocating {} of short-lived requests (4 chunks each, payloads "
                     "256 B-1.75 KiB, 1 KiB on average) for {}, with {} kept live in their caches",
                     p.workers, rate_text(p.rate_bytes_per_s),
                     lab::format_duration_ns(static_cast<double>(p.duration.count())),
                     bytes(static_cast<double>(p.live_bytes)));
}

/// A figure in MiB as gctrace prints it, or "-" when there was no cycle.
std::string mb(const std::optional<uint64_t>& v) { return v ? fmt::format("{} MB", *v) : "-"; }

/// The summary table's row for one run.
std::vector<std::string> summary_row(const std::string& label, const ScenarioRun& run) {
  const RunSummary s = summarize_run(run);
  const bool any = s.pauses_ns.count > 0;
  return {label,
          run.result.runtime,
          s.forced_cycles ? fmt::format("{} ({} forced)", s.cycles, s.forced_cycles) : std::to_string(s.cycles),
          any ? ns(s.pauses_ns.p50) : "-",
          any ? ns(s.pauses_ns.p99) : "-",
          any ? ns(s.pauses_ns.max) : "-",
          fmt::format("{:.2f}%", s.gc_cpu_fraction * 100),
          bytes(static_cast<double>(s.peak_heap_alloc)),
          bytes(static_cast<double>(s.peak_heap_inuse)),
          mb(s.max_goal_mb),
          mb(s.max_live_mb),
          rate_text(s.requested_rate),
          rate_text(s.total_alloc_rate)};
}

/// The first `shown` gctrace lines of a run, and how many more there were.
std::string gctrace_block(const ScenarioRun& run, int shown) {
  const auto& lines = run.trace.cycle_text;
  std::string out = fmt::format("{} (GOMAXPROCS={}), {} gctrace line{}:\n\n```\n", run.result.runtime,
                                run.result.procs, lines.size(), lines.size() == 1 ? "" : "s");
  const std::size_t n = std::min(lines.size(), static_cast<std::size_t>(shown));
  for (std::size_t i = 0; i < n; ++i) out += lines[i] + "\n";
  if (lines.size() > n) out += fmt::format("... {} more (all of them in --json)\n", lines.size() - n);
  out += "```\n\n";
  for (const std::string& r : run.trace.rejected) out += fmt::format("- NOT in Go's gctrace format: `{}`\n", r);
  const std::size_t other = run.trace.other.size();
  for (std::size_t i = 0; i < std::min(other, kShownOtherLines); ++i) {
    out += fmt::format("- other stderr line: `{}`\n", run.trace.other[i]);
  }
  if (other > kShownOtherLines) out += fmt::format("- ... {} more other stderr lines\n", other - kShownOtherLines);
  if (!run.trace.rejected.empty() || other > 0) out += "\n";
  return out;
}

/// Cycle g of run as a table row; PauseNs is the cycle's whole stop-the-world
/// time, which also counts the stops that found mark work left and restarted
/// the mark (Go's gcMarkDone restart) — time in neither STW field.
std::vector<std::string> cycle_row(const ScenarioRun& run, const GctraceLine& g) {
  auto ms = [](double v) { return lab::format_duration_ns(v * 1e6); };
  const auto& pauses = run.result.pauses_ns;
  const std::size_t index = g.cycle - 1;  // cycle k's pause is the k-th collected
  return {std::to_string(g.cycle) + (g.forced ? " (forced)" : ""),
          fmt::format("{:.3f}s", g.start_s),
          ms(g.clock_sweep_term_ms),
          ms(g.clock_mark_ms),
          ms(g.clock_mark_term_ms),
          index < pauses.size() ? ns(static_cast<double>(pauses[index])) : "-",
          fmt::format("{}→{}→{}", g.heap_start_mb, g.heap_end_mb, g.heap_marked_mb),
          std::to_string(g.goal_mb),
          fmt::format("{:g}/{:g}/{:g}", g.cpu_assist_ms, g.cpu_background_ms, g.cpu_idle_ms),
          std::to_string(g.cpu_percent) + "%"};
}

/// The table of a run's cycles: the first `shown`, then the last when more.
std::string cycle_table(const ScenarioRun& run, int shown) {
  const auto& cycles = run.trace.cycles;
  if (cycles.empty()) return fmt::format("{}: no GC cycle ran.\n\n", run.result.runtime);
  lab::MarkdownTable t({"cycle:", "@:", "STW sweep term:", "concurrent mark:", "STW mark term:", "PauseNs:",
                        "heap MB start→end→live:", "goal MB:", "assist/bg/idle CPU ms:", "GC CPU:"});
  const std::size_t n = std::min(cycles.size(), static_cast<std::size_t>(std::max(shown, 1)));
  for (std::size_t i = 0; i < n; ++i) t.add_row(cycle_row(run, cycles[i]));
  if (cycles.size() > n) {
    if (cycles.size() > n + 1) t.add_row({"...", "", "", "", "", "", "", "", "", ""});
    t.add_row(cycle_row(run, cycles.back()));
  }
  return fmt::format("Cycles on {}:\n\n{}\n", run.result.runtime, t.str());
}

/// The "reading one line" section for the first setting that has cycles.
std::string explanation_section(const std::vector<SettingRuns>& settings) {
  std::string out = "## Reading one gctrace line\n\n";
  bool any = false;
  for (const SettingRuns& s : settings) {
    for (const ScenarioRun* run : runs_of(s)) {
      const auto idx = line_to_explain(run->trace);
      if (!idx) continue;
      out += fmt::format("### {}, {}, cycle {}\n\n", run->result.runtime, gc_setting_label(s.setting),
                         run->trace.cycles[*idx].cycle);
      out += explain_gctrace_line(run->trace.cycles[*idx], run->trace.cycle_text[*idx], s.setting.gogc,
                                  run->result.runtime);
      out += "\n";
      any = true;
    }
    if (any) break;
  }
  return any ? out : "";
}

/// A parsed gctrace line as JSON.
nlohmann::json line_json(const GctraceLine& g, const std::string& text) {
  return {{"cycle", g.cycle},
          {"start_s", g.start_s},
          {"cpu_percent", g.cpu_percent},
          {"clock_ms", {g.clock_sweep_term_ms, g.clock_mark_ms, g.clock_mark_term_ms}},
          {"cpu_ms", {g.cpu_sweep_term_ms, g.cpu_assist_ms, g.cpu_background_ms, g.cpu_idle_ms, g.cpu_mark_term_ms}},
          {"heap_mb", {g.heap_start_mb, g.heap_end_mb, g.heap_marked_mb}},
          {"goal_mb", g.goal_mb},
          {"stacks_mb", g.stacks_mb},
          {"globals_mb", g.globals_mb},
          {"procs", g.procs},
          {"forced", g.forced},
          {"text", text}};
}

/// A run as JSON: its result, its gctrace, its summary.
nlohmann::json run_json(const ScenarioRun& run) {
  nlohmann::json j = to_json(run.result);
  nlohmann::json lines = nlohmann::json::array();
  for (std::size_t i = 0; i < run.trace.cycles.size(); ++i) {
    lines.push_back(line_json(run.trace.cycles[i], run.trace.cycle_text[i]));
  }
  j["gctrace"] = lines;
  j["gctrace_rejected"] = run.trace.rejected;
  j["stderr_other"] = run.trace.other;
  const RunSummary s = summarize_run(run);
  j["summary"] = {{"cycles", s.cycles},
                  {"forced_cycles", s.forced_cycles},
                  {"pause_p50_ns", s.pauses_ns.p50},
                  {"pause_p99_ns", s.pauses_ns.p99},
                  {"pause_max_ns", s.pauses_ns.max},
                  {"gc_cpu_fraction", s.gc_cpu_fraction},
                  {"peak_heap_alloc", s.peak_heap_alloc},
                  {"peak_heap_inuse", s.peak_heap_inuse},
                  {"max_goal_mb", s.max_goal_mb ? nlohmann::json(*s.max_goal_mb) : nlohmann::json()},
                  {"max_live_mb", s.max_live_mb ? nlohmann::json(*s.max_live_mb) : nlohmann::json()},
                  {"requested_bytes_per_s", s.requested_rate},
                  {"total_alloc_bytes_per_s", s.total_alloc_rate}};
  return j;
}

}  // namespace

std::string markdown_report(const ReportContext& ctx, const std::vector<SettingRuns>& settings) {
  std::string out = "# gc-forensics\n\n";
  out += fmt::format("- Machine: {}\n", ctx.machine);
  out += fmt::format("- Command: `{}`\n", ctx.command);
  out += fmt::format("- Workload: {}.\n", workload_sentence(ctx.params));
  out += fmt::format(
      "- Each setting ran as its own process with GOGC, GOMEMLIMIT and GODEBUG=gctrace=1 in its environment; "
      "a goroutine read the memory statistics every {}ms.\n\n",
      kSampleInterval.count());

  out += "## Summary\n\n";
  lab::MarkdownTable summary({"setting", "runtime", "cycles:", "pause p50:", "pause p99:", "pause max:", "GC CPU:",
                              "peak HeapAlloc:", "peak HeapInuse:", "largest goal:", "largest live:",
                              "asked rate:", "TotalAlloc rate:"});
  for (const SettingRuns& s : settings) {
    for (const ScenarioRun* run : runs_of(s)) summary.add_row(summary_row(gc_setting_label(s.setting), *run));
  }
  out += summary.str();
  out += "\nPauses are each cycle's stop-the-world time (MemStats.PauseNs: sweep termination, mark "
         "termination, and any stop that found mark work left and restarted the mark); GC CPU is MemStats.GCCPUFraction at the end; peaks are the highest sampled values; "
         "goal and live are the largest `MB goal` and marked heap (`->N MB`) of the gctrace lines. "
         "Asked rate is what the workload requested per second; TotalAlloc rate is what the runtime counted "
         "(size classes and headers included) over the whole run.\n\n";

  for (const SettingRuns& s : settings) {
    out += fmt::format("## {}\n\n", gc_setting_label(s.setting));
    if (!s.gort_note.empty()) out += fmt::format("gort run failed: {}\n\n", s.gort_note);
    if (!s.go_note.empty()) out += fmt::format("Go program not run: {}\n\n", s.go_note);
    for (const ScenarioRun* run : runs_of(s)) out += gctrace_block(*run, ctx.shown_lines);
    for (const ScenarioRun* run : runs_of(s)) out += cycle_table(*run, ctx.shown_lines);
    out += fmt::format("Heap over time against the goal{}: {}\n\n", s.setting.memlimit ? " and the limit" : "",
                       s.plot_path.empty() ? "not drawn: " + s.plot_error : "`" + s.plot_path + "`");
  }
  out += explanation_section(settings);
  return out;
}

nlohmann::json report_json(const ReportContext& ctx, const std::vector<SettingRuns>& settings) {
  const WorkloadParams& p = ctx.params;
  nlohmann::json j;
  j["command"] = ctx.command;
  j["machine"] = ctx.machine;
  j["workload"] = {{"scenario", workload_name(p.workload)},
                   {"rate_bytes_per_s", p.rate_bytes_per_s},
                   {"duration_ns", p.duration.count()},
                   {"workers", p.workers},
                   {"live_bytes", p.live_bytes},
                   {"buffers", p.buffers},
                   {"pause_every", p.pause_every}};
  j["settings"] = nlohmann::json::array();
  for (const SettingRuns& s : settings) {
    nlohmann::json runs = nlohmann::json::array();
    for (const ScenarioRun* run : runs_of(s)) runs.push_back(run_json(*run));
    j["settings"].push_back({{"label", gc_setting_label(s.setting)},
                             {"gogc", s.setting.gogc ? nlohmann::json(*s.setting.gogc) : nlohmann::json()},
                             {"memlimit", s.setting.memlimit ? nlohmann::json(*s.setting.memlimit) : nlohmann::json()},
                             {"plot", s.plot_path},
                             {"plot_error", s.plot_error},
                             {"gort_note", s.gort_note},
                             {"go_note", s.go_note},
                             {"runs", runs}});
  }
  return j;
}

}  // namespace gclab
