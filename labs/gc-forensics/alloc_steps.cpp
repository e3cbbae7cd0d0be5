// alloc_steps.cpp — steps 4 and 5: profiles read by go tool pprof, the
// before/after benchmark, the trace read by trace-viewer (see alloc_steps.hpp).
#include "alloc_steps.hpp"

#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/go_twin.hpp>
#include <lab/report.hpp>

// trace-viewer's library (gort_trace_reader): the same code `trace-viewer
// summary` and `serve` run.
#include "analysis/gc.hpp"
#include "order.hpp"
#include "reader.hpp"
#include "timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace gclab {

namespace {

/// Sites shown per profile: the course's "top five".
constexpr std::size_t kTopSites = 5;

/// gort's allocation entry points, inlined into the caller: pprof hides them
/// so that a row is the program's line that allocated (Go's runtime leaves its
/// malloc frames out of the profile itself).
constexpr const char* kHideGortAllocator = "gort::gc::";

/// Go's profile is focused on samples through package main: the runtime's
/// start-up allocations, made before main sets MemProfileRate to 1, are
/// sampled at the default 512 KiB and pprof scales each sampled 8-byte object
/// to 65,536 objects, ahead of the program's real sites.
constexpr const char* kFocusGoMain = "^main\\.";

/// The steps' GC setting: the course's default, GOGC=100 without a limit.
const GcSetting kStepSetting{100, std::nullopt};

/// A duration in ns as a Go duration ("1.2ms").
std::string step_ns(int64_t v) { return lab::format_duration_ns(static_cast<double>(v)); }

/// The environment entry that asks for every allocation in the heap profile
/// (GODEBUG=memprofilerate=1, read at start by both runtimes) on top of the
/// setting's GODEBUG.
std::string godebug_every_allocation() {
  for (const std::string& e : gc_setting_env(kStepSetting)) {
    if (e.rfind("GODEBUG=", 0) == 0) return e + ",memprofilerate=1";
  }
  return "GODEBUG=memprofilerate=1";
}

/// Runs `go tool pprof -top` on a runtime's profile by sample index
/// ("alloc_objects", "alloc_space"), with gort's allocator hidden or Go's
/// profile focused on main.  *missing is set when `go` cannot be started.
PprofTop pprof_top(const std::string& profile, const std::string& index, const std::string& runtime, bool* missing) {
  std::vector<std::string> argv{"go", "tool", "pprof", "-top", "-lines", "-nodefraction=0",
                                "-sample_index=" + index};
  argv.push_back(runtime == "gort" ? std::string("-hide=") + kHideGortAllocator
                                   : std::string("-focus=") + kFocusGoMain);
  argv.push_back(profile);
  std::string command;
  for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
  std::string why;
  const auto run = lab::run_program(argv, {}, &why);
  PprofTop top;
  if (!run) {
    *missing = true;
    top.error = "go tool pprof not run: " + why;
  } else if (run->exit_code != 0) {
    top.error = fmt::format("go tool pprof exited with status {}: {}", run->exit_code, run->err);
  } else {
    top = parse_pprof_top(run->out);
  }
  top.command = command;
  return top;
}

/// The row of `top` for `site`, or null.
const PprofRow* row_for(const PprofTop& top, const std::string& site) {
  for (const PprofRow& r : top.rows) {
    if (r.site == site) return &r;
  }
  return nullptr;
}

/// Profiles, benchmarks and traces one variant on one runtime: two runs, or
/// one profiled and traced at once when `one_run` (--short: each process
/// costs seconds of start-up under a sanitizer).
VariantSteps run_variant(const WorkloadParams& base, bool refactor, const std::string& runtime,
                         const std::string& out_dir, bool one_run, bool* pprof_missing) {
  WorkloadParams p = base;
  p.requests = base.requests;
  p.refactor = refactor;
  VariantSteps v;
  const std::string name = runtime + (refactor ? "-refactor" : "-baseline");
  v.profile_path = (std::filesystem::path(out_dir) / (name + ".alloc.pprof")).string();
  v.trace_path = (std::filesystem::path(out_dir) / (name + (runtime == "go" ? ".trace" : ".gtrace"))).string();
  const std::string every = godebug_every_allocation();
  std::string why;
  fmt::print(stderr, "gc-forensics: step 4, {}: heap profile of every allocation{}\n", name,
             one_run ? ", benchmark, traced" : "");
  std::vector<std::string> gort_env{every, "GORTMEMPROFILE=" + v.profile_path};
  std::vector<std::string> go_args{"-memprofile=" + v.profile_path};
  if (one_run) {
    gort_env.push_back("GORTTRACE=" + v.trace_path);
    go_args.push_back("-trace=" + v.trace_path);
  }
  std::optional<ScenarioRun> profiled = runtime == "gort" ? run_on_gort(p, kStepSetting, &why, gort_env)
                                                          : run_on_go(p, kStepSetting, &why, go_args, {every});
  if (!profiled) {
    v.note = "profiled run failed: " + why;
    v.objects.error = v.space.error = v.note;
  } else {
    v.objects = pprof_top(v.profile_path, "alloc_objects", runtime, pprof_missing);
    v.space = pprof_top(v.profile_path, "alloc_space", runtime, pprof_missing);
  }
  if (one_run) {
    v.bench = std::move(profiled);
    return v;
  }
  fmt::print(stderr, "gc-forensics: step 4, {}: benchmark, traced\n", name);
  v.bench = runtime == "gort" ? run_on_gort(p, kStepSetting, &why, {"GORTTRACE=" + v.trace_path})
                              : run_on_go(p, kStepSetting, &why, {"-trace=" + v.trace_path});
  if (!v.bench) v.note += (v.note.empty() ? "" : "; ") + std::string("benchmark run failed: ") + why;
  return v;
}

/// The time [from, to) and [lo, hi) share, in ns.
int64_t overlap(int64_t from, int64_t to, int64_t lo, int64_t hi) {
  return std::max<int64_t>(0, std::min(to, hi) - std::max(from, lo));
}

/// Reads the trace at path with trace-viewer's reader, ordering, timeline and
/// GC analysis, and lists every completed cycle's mark phase.
TraceFindings find_mark_phases(const std::string& path) {
  namespace tv = gort::viewer;
  TraceFindings f;
  f.path = path;
  try {
    const tv::Trace trace = tv::Trace::read_file(path);
    const tv::Ordered ordered = tv::order(trace);
    const tv::Timeline tl = tv::build_timeline(trace, ordered);
    const tv::GCAnalysis gc = tv::analyze_gc(trace, tl);
    f.duration_ns = tl.duration;
    for (const tv::GCCycle& c : gc.cycles) {
      if (c.began_before || !c.ended) continue;  // a cycle cut by the trace's ends has no whole mark
      MarkPhase m;
      m.cycle = c.cycle;
      m.start = m.mark_start = c.start;
      m.end = m.mark_end = c.end;
      bool sweep_term_seen = false;
      for (const tv::PauseInfo& p : gc.pauses) {
        // A pause belongs to the cycle it begins in: the mark-termination stop
        // ends (STWEnd, when the world restarts) just after GCEnd.
        if (p.start < c.start || p.start > c.end) continue;
        ++m.pauses;
        m.pause_ns += p.end - p.start;
        if (p.reason == "GC sweep termination" && !sweep_term_seen) {
          m.mark_start = p.end;
          sweep_term_seen = true;
        } else if (p.reason == "GC mark termination") {
          m.mark_end = p.start;  // the last one: a restarted mark stops again
        }
      }
      // GODEBUG=gcstoptheworld=1 has no concurrent mark: its one stop, named
      // sweep termination, covers the whole cycle.
      m.mark_start = std::min(m.mark_start, m.mark_end);
      for (const tv::Goroutine& g : tl.goroutines) {
        for (const tv::GSlice& s : g.slices) {
          if (s.state != tv::SliceState::Assist) continue;
          const int64_t in = overlap(s.start, s.end, m.mark_start, m.mark_end);
          if (in > 0) {
            m.assist_ns += in;
            ++m.assists;
          }
        }
      }
      for (const tv::Proc& proc : tl.procs) {
        for (const tv::PSlice& s : proc.slices) {
          if (s.kind == tv::PKind::GCWorker && s.worker_kind < m.worker_ns.size()) {
            m.worker_ns[s.worker_kind] += overlap(s.start, s.end, m.mark_start, m.mark_end);
          }
        }
      }
      f.phases.push_back(m);
    }
  } catch (const std::exception& e) {
    f.error = e.what();
  }
  return f;
}

/// allocs/op of a benchmark run: mallocs over requests.
double allocs_per_op(const ScenarioRun& r) {
  return r.result.requests > 0 ? static_cast<double>(r.result.mallocs) / static_cast<double>(r.result.requests) : 0;
}

/// GC CPU of the cycles that ran while the requests were served, from their
/// gctrace lines: the pauses times the Ps, assists and background marking (idle
/// marking left out: it runs on Ps nothing else wanted), in ms.
/// MemStats.GCCPUFraction is only updated when a cycle ends, so a phase with
/// no cycle would show the fraction the start-up's cycles left.
double phase_gc_cpu_ms(const ScenarioRun& r) {
  double ms = 0;
  const uint64_t first = r.result.gc_cycles_before + 1;
  const uint64_t last = r.result.gc_cycles_before + r.result.measured_gc_cycles;
  for (const GctraceLine& g : r.trace.cycles) {
    if (g.cycle >= first && g.cycle <= last) {
      ms += g.cpu_sweep_term_ms + g.cpu_assist_ms + g.cpu_background_ms + g.cpu_mark_term_ms;
    }
  }
  return ms;
}

/// phase_gc_cpu_ms as a share of the phase's CPU (elapsed time times GOMAXPROCS).
double phase_gc_cpu_fraction(const ScenarioRun& r) {
  const double available_ms = static_cast<double>(r.result.elapsed_ns) / 1e6 * std::max(r.result.procs, 1);
  return available_ms > 0 ? phase_gc_cpu_ms(r) / available_ms : 0;
}

/// The top-five table of one profile: objects and bytes per site.
std::string sites_table(const VariantSteps& v) {
  if (!v.objects.error.empty()) return v.objects.error + "\n\n";
  std::string out = fmt::format("`{}` (and `-sample_index=alloc_space` for the bytes):\n\n", v.objects.command);
  lab::MarkdownTable t({"rank:", "alloc_objects:", "of all:", "alloc_space:", "site"});
  std::size_t rank = 0;
  for (const PprofRow& r : v.objects.rows) {
    if (rank == kTopSites || r.flat == "0") break;  // rows come by flat count: the rest allocated nothing
    const PprofRow* bytes = row_for(v.space, r.site);
    t.add_row({std::to_string(++rank), r.flat, r.flat_percent, bytes != nullptr ? bytes->flat : "-",
               "`" + r.site + "`"});
  }
  out += t.str();
  if (rank < kTopSites) out += fmt::format("\nNo other line allocated: the program has {} allocation sites.\n", rank);
  return out + "\n";
}

/// The before/after row of one benchmark run.
std::vector<std::string> bench_row(const std::string& runtime, const char* variant, const VariantSteps& v) {
  if (!v.bench) return {runtime, variant, "-", "-", "-", "-", "-", "-", "-"};
  const RunResult& r = v.bench->result;
  return {runtime,
          variant,
          std::to_string(r.requests),
          std::to_string(r.mallocs),
          fmt::format("{:.3f}", allocs_per_op(*v.bench)),
          std::to_string(r.measured_gc_cycles),
          fmt::format("{:.2f} ms ({:.3f}%)", phase_gc_cpu_ms(*v.bench), phase_gc_cpu_fraction(*v.bench) * 100),
          fmt::format("{:.3f}%", r.gc_cpu_fraction * 100),
          lab::format_bytes(static_cast<double>(r.total_alloc_bytes))};
}

/// The variant's profile and benchmark as JSON.
nlohmann::json variant_json(const VariantSteps& v) {
  auto top = [](const PprofTop& t) {
    nlohmann::json rows = nlohmann::json::array();
    for (const PprofRow& r : t.rows) {
      rows.push_back({{"flat", r.flat}, {"flat_percent", r.flat_percent}, {"cum", r.cum}, {"site", r.site}});
    }
    return nlohmann::json{{"command", t.command}, {"error", t.error}, {"rows", rows}};
  };
  nlohmann::json j{{"profile", v.profile_path}, {"trace", v.trace_path}, {"note", v.note},
                   {"alloc_objects", top(v.objects)}, {"alloc_space", top(v.space)}};
  if (v.bench) {
    const RunResult& r = v.bench->result;
    j["bench"] = {{"requests", r.requests},
                  {"mallocs", r.mallocs},
                  {"allocs_per_op", allocs_per_op(*v.bench)},
                  {"gc_cycles", r.measured_gc_cycles},
                  {"gc_cpu_fraction", r.gc_cpu_fraction},
                  {"phase_gc_cpu_ms", phase_gc_cpu_ms(*v.bench)},
                  {"phase_gc_cpu_fraction", phase_gc_cpu_fraction(*v.bench)},
                  {"total_alloc_bytes", r.total_alloc_bytes},
                  {"elapsed_ns", r.elapsed_ns},
                  {"gctrace_lines", v.bench->trace.cycles.size()}};
  }
  return j;
}

/// Runs `go tool trace -d` on the twin's trace and reads its GC ranges.
GoTraceRanges go_trace_ranges(const std::string& path) {
  std::string why;
  const auto run = lab::run_program({"go", "tool", "trace", "-d", path}, {}, &why);
  GoTraceRanges g;
  if (!run) g.error = "go tool trace not run: " + why;
  else if (run->exit_code != 0) g.error = fmt::format("go tool trace -d exited with status {}: {}", run->exit_code, run->err);
  else g = parse_go_trace_events(run->out);
  g.command = "go tool trace -d " + path;
  return g;
}

}  // namespace

GoTraceRanges parse_go_trace_events(const std::string& text) {
  GoTraceRanges g;
  std::istringstream in(text);
  std::string line;
  int64_t open = -1;  // the pending GCStart's time; -1 when none
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    int64_t t = 0;
    std::string event;
    if (!(fields >> t >> event)) continue;
    if (event == "GCStart") {
      open = t;
    } else if (event == "GCDone" && open >= 0) {
      g.ranges.emplace_back(open, t);
      open = -1;
    }
  }
  if (g.ranges.empty()) g.error = "no GCStart/GCDone pair among the events";
  return g;
}

PprofTop parse_pprof_top(const std::string& text) {
  PprofTop top;
  std::istringstream in(text);
  std::string line;
  bool table = false;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string flat, flat_percent, sum_percent, cum, cum_percent;
    if (!table) {
      // The header: "      flat  flat%   sum%        cum   cum%".
      fields >> flat >> flat_percent;
      table = flat == "flat" && flat_percent == "flat%";
      continue;
    }
    if (!(fields >> flat >> flat_percent >> sum_percent >> cum >> cum_percent)) continue;
    std::string site;
    std::getline(fields >> std::ws, site);
    if (site.empty() || flat_percent.empty() || flat_percent.back() != '%') continue;
    top.rows.push_back({flat, flat_percent, cum, site});
  }
  if (top.rows.empty()) top.error = "go tool pprof printed no table: " + text.substr(0, 500);
  return top;
}

AllocSteps run_alloc_steps(const WorkloadParams& p, int64_t requests, const std::string& out_dir, bool with_go,
                           bool one_run) {
  AllocSteps s;
  s.requests = requests;
  s.one_run = one_run;
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);  // an error shows when the runs cannot write their files
  WorkloadParams counted = p;
  counted.requests = requests;
  s.gort.runtime = "gort";
  s.gort.ran = true;
  s.gort.baseline = run_variant(counted, false, "gort", out_dir, one_run, &s.pprof_missing);
  s.gort.refactor = run_variant(counted, true, "gort", out_dir, one_run, &s.pprof_missing);
  s.go.runtime = "go";
  if (with_go) {
    s.go.ran = true;
    s.go.baseline = run_variant(counted, false, "go", out_dir, one_run, &s.pprof_missing);
    s.go.refactor = run_variant(counted, true, "go", out_dir, one_run, &s.pprof_missing);
  }
  fmt::print(stderr, "gc-forensics: step 5: reading {} with trace-viewer's analysis\n", s.gort.baseline.trace_path);
  if (s.gort.baseline.bench) s.trace = find_mark_phases(s.gort.baseline.trace_path);
  else s.trace = {s.gort.baseline.trace_path, "the traced run failed", {}, 0};
  if (with_go && s.go.baseline.bench) s.go_trace = go_trace_ranges(s.go.baseline.trace_path);
  return s;
}

std::string alloc_steps_markdown(const AllocSteps& s) {
  if (s.requests == 0) return "";
  std::string out = fmt::format(
      "## Step 4: the top five allocation sites, two refactored, re-benchmarked\n\n"
      "Each variant served {} requests at GOGC=100 (paced at the service's rate): once with every allocation "
      "in the heap profile (GODEBUG=memprofilerate=1), read with `go tool pprof`; once unprofiled and traced, "
      "the benchmark. gort's profile hides `{}`, its allocator's inline entry points, so each row is the "
      "program's line that allocated (Go's runtime leaves its malloc frames out by itself); Go's is focused on "
      "package main (`-focus={}`), leaving out the runtime's start-up allocations, made before the twin sets "
      "MemProfileRate and scaled by pprof from the default 512 KiB sampling. The refactor (`--refactor`) replaces the first two sites, the chunk node "
      "and its payload in the request handler: the three chunks a request discards are preallocated per "
      "worker (payload buffers of the largest size, resliced), and the chunk the cache keeps comes from a "
      "pool the cache's evicted entries are put into (gort::Pool of gc::Root<Chunk>; Go: sync.Pool).\n\n",
      s.requests, kHideGortAllocator, kFocusGoMain);
  for (const RuntimeSteps* r : {&s.gort, &s.go}) {
    if (!r->ran) continue;
    out += fmt::format("### {}: top five sites, baseline\n\n{}", r->runtime, sites_table(r->baseline));
    out += fmt::format("### {}: top five sites, refactored\n\n{}", r->runtime, sites_table(r->refactor));
    for (const VariantSteps* v : {&r->baseline, &r->refactor}) {
      if (!v->note.empty()) out += fmt::format("- {}: {}\n\n", r->runtime, v->note);
    }
  }
  if (s.pprof_missing) {
    out += fmt::format("**`go tool pprof` could not run (no `go` on PATH?): the sites above are missing; the "
                       "lab exits with status {}.** The profiles are written; read them where Go is installed.\n\n",
                       kExitNoPprof);
  }
  out += "### Before and after\n\n";
  lab::MarkdownTable t({"runtime", "variant", "requests:", "mallocs:", "allocs/op:", "GC cycles:",
                        "GC CPU in the phase:", "GCCPUFraction:", "TotalAlloc:"});
  for (const RuntimeSteps* r : {&s.gort, &s.go}) {
    if (!r->ran) continue;
    t.add_row(bench_row(r->runtime, "baseline", r->baseline));
    t.add_row(bench_row(r->runtime, "refactor", r->refactor));
  }
  out += t.str();
  if (s.one_run) {
    out += "\n--short: each variant ran once, profiled and traced at once, so its CPU figures include the "
           "profiler's cost of recording every allocation.\n";
  }
  out += "\nmallocs and GC cycles are the growth of MemStats.Mallocs and NumGC over the served requests (the "
         "caches' filling excluded); allocs/op is mallocs / requests, as `go test -benchmem` divides it. GC CPU in "
         "the phase sums the gctrace CPU fields of those cycles (pauses × Ps, assists, background marking; idle "
         "marking left out) over the phase's time × GOMAXPROCS; GCCPUFraction is MemStats' at the end, which both "
         "runtimes update only when a cycle ends, so after a phase without cycles it still holds the start-up's "
         "share. TotalAlloc counts the whole run. Both benchmark runs were traced.\n\n";

  out += "## Step 5: the GC mark phases in the trace\n\n";
  const TraceFindings& f = s.trace;
  if (!f.error.empty()) {
    out += fmt::format("`{}` could not be read: {}\n\n", f.path, f.error);
  } else {
    out += fmt::format(
        "`{}` ({} long, the gort baseline benchmark), read by trace-viewer's own reader, ordering, timeline and "
        "GC analysis (`analyze_gc`): {} complete GC cycle{}. A cycle is the viewer's GC range (GCBegin to GCEnd); "
        "its concurrent mark runs from the end of the sweep-termination stop to the start of the last "
        "mark-termination stop; beside it, the mark assists and mark-worker slices the timeline holds inside "
        "the mark.\n\n",
        f.path, step_ns(f.duration_ns), f.phases.size(), f.phases.size() == 1 ? "" : "s");
    lab::MarkdownTable m({"cycle:", "GC start:", "GC end:", "GC range:", "STW pauses:", "mark start:", "mark end:",
                          "mark:", "assists:", "dedicated:", "fractional:", "idle:"});
    for (const MarkPhase& p : f.phases) {
      m.add_row({std::to_string(p.cycle), step_ns(p.start), step_ns(p.end), step_ns(p.end - p.start),
                 fmt::format("{} ({})", p.pauses, step_ns(p.pause_ns)), step_ns(p.mark_start), step_ns(p.mark_end),
                 step_ns(p.mark_end - p.mark_start), fmt::format("{} ({})", step_ns(p.assist_ns), p.assists),
                 step_ns(p.worker_ns[0]), step_ns(p.worker_ns[1]), step_ns(p.worker_ns[2])});
    }
    out += m.str();
    out += fmt::format("\nThe same trace in the viewer: `trace-viewer serve {}` (the GC track shows these ranges, "
                       "the P lanes the mark workers), or `trace-viewer summary {}`.\n",
                       f.path, f.path);
  }
  if (s.go.ran) {
    out += fmt::format("\nThe Go twin's trace: `go tool trace {}` — its \"View trace\" has a GC row whose ranges "
                       "are Go's cycles (GCStart to GCDone: sweep termination, mark, mark termination), the Ps' "
                       "GC slices (dedicated, fractional, idle workers) and the goroutines' \"MARK ASSIST\" "
                       "slices. ",
                       s.go.baseline.trace_path);
    const GoTraceRanges& g = s.go_trace;
    if (!g.error.empty()) {
      out += fmt::format("Its GC ranges could not be counted: {}\n", g.error);
    } else {
      std::vector<int64_t> lengths;
      for (const auto& [from, to] : g.ranges) lengths.push_back(to - from);
      std::sort(lengths.begin(), lengths.end());
      out += fmt::format("Go's own parser (`{}`) finds {} GC ranges there: median {}, shortest {}, longest {} "
                         "(gort's GC ranges above: {}).\n",
                         g.command, g.ranges.size(), step_ns(lengths[lengths.size() / 2]), step_ns(lengths.front()),
                         step_ns(lengths.back()), f.phases.size());
    }
  }
  return out + "\n";
}

nlohmann::json alloc_steps_json(const AllocSteps& s) {
  nlohmann::json j{{"requests", s.requests}, {"one_run", s.one_run}, {"pprof_missing", s.pprof_missing}};
  for (const RuntimeSteps* r : {&s.gort, &s.go}) {
    if (r->ran) j[r->runtime] = {{"baseline", variant_json(r->baseline)}, {"refactor", variant_json(r->refactor)}};
  }
  nlohmann::json phases = nlohmann::json::array();
  for (const MarkPhase& p : s.trace.phases) {
    phases.push_back({{"cycle", p.cycle},
                      {"start_ns", p.start},
                      {"end_ns", p.end},
                      {"mark_start_ns", p.mark_start},
                      {"mark_end_ns", p.mark_end},
                      {"pauses", p.pauses},
                      {"pause_ns", p.pause_ns},
                      {"assist_ns", p.assist_ns},
                      {"assists", p.assists},
                      {"worker_ns", p.worker_ns}});
  }
  nlohmann::json go_ranges = nlohmann::json::array();
  for (const auto& [from, to] : s.go_trace.ranges) go_ranges.push_back({from, to});
  j["go_trace"] = {{"command", s.go_trace.command}, {"error", s.go_trace.error}, {"gc_ranges_ns", go_ranges}};
  j["trace"] = {{"path", s.trace.path}, {"error", s.trace.error}, {"duration_ns", s.trace.duration_ns},
                {"mark_phases", phases}};
  return j;
}

}  // namespace gclab
