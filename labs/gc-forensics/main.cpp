// gc-forensics — the course's week-6 lab (6.3 "GC Forensics") and the
// gctrace worked example, on gort and, with --go, on Go.
//
// For each GC setting (GOGC=100, 50, 200, GOGC=off under GOMEMLIMIT, or those
// given) the lab starts itself in --child mode with the setting and
// GODEBUG=gctrace=1 in the environment — one process per setting, because both
// runtimes read those variables once at start — and collects the child's
// gctrace lines (stderr) and measurements (JSON on stdout).  With --go the Go
// program of the same experiment (go/main.go) runs under the same environment
// and flags, and its gctrace lines go through the same parser.  The report
// (stdout) tabulates cycles, pauses, GC CPU and peak heap, shows the gctrace
// lines and a table of the cycles, and decodes one line field by field; one
// SVG per setting shows the heap against its goal and limit.  Then, for the
// service, steps 4 and 5: the heap profile's top five allocation sites as
// `go tool pprof` reads them, the refactored service against the baseline, and
// the mark phases trace-viewer's analysis finds in a trace (alloc_steps.hpp).
// See README.md.
#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/progress.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "alloc_steps.hpp"
#include "child.hpp"
#include "heap_plot.hpp"
#include "options.hpp"
#include "report.hpp"
#include "scenario_run.hpp"

namespace gclab {
namespace {

/// What a run of the workload will take, for the progress line.
std::string run_length(const WorkloadParams& p) {
  if (p.workload == Workload::Retain) return fmt::format("{} buffers", p.buffers);
  return lab::format_duration_ns(static_cast<double>(p.duration.count()));
}

/// Runs every setting on gort (and Go when asked), drawing each plot.
std::vector<SettingRuns> run_settings(const Options& o) {
  std::vector<SettingRuns> all;
  const long total = static_cast<long>(o.settings.size()) * (o.with_go ? 2 : 1);
  lab::Progress progress("gc-forensics runs", total);
  long done = 0;
  for (const GcSetting& setting : o.settings) {
    SettingRuns s;
    s.setting = setting;
    const std::string label = gc_setting_label(setting);
    fmt::print(stderr, "gc-forensics: gort {} ({})\n", label, run_length(o.params));
    std::string why;
    s.gort = run_on_gort(o.params, setting, &why);
    if (!s.gort) {
      s.gort_note = why;
      fmt::print(stderr, "gc-forensics: gort {} failed: {}\n", label, why);
    }
    progress.update(++done);
    if (o.with_go) {
      fmt::print(stderr, "gc-forensics: Go {} ({})\n", label, run_length(o.params));
      s.go = run_on_go(o.params, setting, &why);
      if (!s.go) {
        s.go_note = why;
        fmt::print(stderr, "gc-forensics: Go program not run: {}\n", why);
      }
      progress.update(++done);
    }
    if (o.svg_path.empty()) {
      s.plot_error = "--svg \"\"";
    } else {
      std::vector<const ScenarioRun*> runs;
      if (s.gort) runs.push_back(&*s.gort);
      if (s.go) runs.push_back(&*s.go);
      const std::string path = heap_plot_path(o.svg_path, setting);
      if (auto error = write_heap_plot(setting, runs, path)) {
        s.plot_error = *error;
        fmt::print(stderr, "gc-forensics: plot {} not drawn: {}\n", path, *error);
      } else {
        s.plot_path = path;
      }
    }
    all.push_back(std::move(s));
  }
  progress.finish();
  return all;
}

/// The program: parses the flags, then runs one child scenario (--child) or
/// every setting and prints the report.  Returns the exit status.
int lab_main(int argc, char** argv) {
  int exit_code = 0;
  auto options = parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  const Options& o = *options;
  if (o.child) return run_child(o.params);

  const std::vector<SettingRuns> settings = run_settings(o);
  AllocSteps steps;
  if (o.params.workload == Workload::Service && o.step_requests > 0) {
    steps = run_alloc_steps(o.params, o.step_requests, o.out_dir, o.with_go, o.short_mode);
  }
  ReportContext ctx;
  ctx.command = lab::command_text("gc-forensics", argc, argv);
  ctx.machine = lab::machine_description();
  ctx.params = o.params;
  ctx.shown_lines = o.shown_lines;
  if (!o.json_path.empty()) {
    nlohmann::json j = report_json(ctx, settings);
    if (steps.requests > 0) j["steps_4_5"] = alloc_steps_json(steps);
    if (!lab::write_json_file("gc-forensics", o.json_path, j.dump())) return 1;
  }
  std::fputs((markdown_report(ctx, settings) + alloc_steps_markdown(steps)).c_str(), stdout);
  // The report says which run failed and why.
  for (const SettingRuns& s : settings) {
    if (!s.gort) return 1;
  }
  if (steps.requests > 0) {
    if (!steps.gort.baseline.bench || !steps.gort.refactor.bench || !steps.trace.error.empty()) return 1;
    if (steps.pprof_missing) {
      fmt::print(stderr, "gc-forensics: go tool pprof could not run (no go on PATH?): step 4's sites are missing "
                         "from the report; exit status {}\n", kExitNoPprof);
      return kExitNoPprof;
    }
  }
  return 0;
}

}  // namespace
}  // namespace gclab

int main(int argc, char** argv) { return gclab::lab_main(argc, argv); }
