// report.cpp — tables and plot from the runs (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <algorithm>

namespace schedlab {

namespace {

/// Index (in spawn order) of the goroutine that ran first.
std::size_t first_to_run(const VariantResult& r) {
  auto it = std::min_element(r.goroutines.begin(), r.goroutines.end(),
                             [](const GoroutineTimes& a, const GoroutineTimes& b) { return a.start_ns < b.start_ns; });
  return static_cast<std::size_t>(it - r.goroutines.begin());
}

/// True for the variants whose goroutines compute (busy, gosched), not sleep.
bool computes(const VariantResult& r) { return r.variant.loop != LoopKind::Sleep; }

/// D as measured in a computing variant: the CPU time the process used over the
/// variant divided by the goroutines (0 when the run did not measure it).  The
/// calibration gives every goroutine the same number of steps, but a machine
/// busier while calibrating than while running (or the reverse) makes those
/// steps take more or less than the asked-for D, so the report's N·D/P comes
/// from what was measured, never from the calibration alone.
double measured_work_ns(const RuntimeRuns& runs, const VariantResult& r) {
  return static_cast<double>(r.cpu_ns) / runs.goroutines;
}

/// N·D/P with D measured: the variant's CPU time divided over the Ps, the least
/// time in which all its goroutines can finish (give or take the runtime's own
/// share of that CPU); a reference for the max column.  Falls back to the
/// calibrated D for runs without a CPU measurement.
double work_per_proc_ns(const RuntimeRuns& runs, const VariantResult& r) {
  const double d = r.cpu_ns > 0 ? measured_work_ns(runs, r) : static_cast<double>(runs.work_ns);
  return static_cast<double>(runs.goroutines) * d / r.variant.procs;
}

/// The median of measured D over a runtime's computing variants (0 when none was measured).
double median_measured_work_ns(const RuntimeRuns& runs) {
  std::vector<double> ds;
  for (const auto& r : runs.variants) {
    if (computes(r) && r.cpu_ns > 0) ds.push_back(measured_work_ns(runs, r));
  }
  if (ds.empty()) return 0;
  std::sort(ds.begin(), ds.end());
  return ds[ds.size() / 2];
}

/// How far measured D may stray from the calibrated D before the report says
/// the calibration drifted: the runtime's own CPU (spawning 1,000 goroutines,
/// scheduling, the progress line) adds a few percent on a quiet machine.
constexpr double kCalibrationDriftTolerance = 0.10;

std::string ns(double v) { return lab::format_duration_ns(v); }

}  // namespace

std::string markdown_report(const ReportContext& ctx, const std::vector<RuntimeRuns>& all) {
  std::string out = "# schedule-forensics\n\n";
  out += fmt::format("- Machine: {}\n", ctx.machine);
  out += fmt::format("- Command: `{}`\n", ctx.command);
  for (const auto& runs : all) {
    out += fmt::format("- {}: {} goroutines, {} of work each as calibrated (busy loop: {} steps per chunk, {} chunks)",
                       runs.runtime, runs.goroutines, ns(static_cast<double>(runs.work_ns)),
                       runs.steps_per_chunk, 100);
    const double measured = median_measured_work_ns(runs);
    if (measured > 0) {
      out += fmt::format("; measured: {} of CPU per goroutine (median over the computing variants)",
                         ns(measured));
      const double ratio = measured / static_cast<double>(runs.work_ns);
      if (ratio < 1 - kCalibrationDriftTolerance || ratio > 1 + kCalibrationDriftTolerance) {
        out += fmt::format(" — **the calibration drifted** ({:.0f}% of the asked-for work: the loop ran {} "
                           "while calibrating than while running); the N·D/P column uses the measured D",
                           ratio * 100, ratio < 1 ? "slower" : "faster");
      }
    }
    out += "\n";
  }
  if (!ctx.go_note.empty()) out += fmt::format("- Go program not run: {}\n", ctx.go_note);

  out += "\n## Time to completion (`go` statement → work done)\n\n";
  lab::MarkdownTable done({"runtime", "variant", "min:", "p50:", "p90:", "p99:", "max:", "N·D/P:", "wall:"});
  for (const auto& runs : all) {
    for (const auto& r : runs.variants) {
      auto d = lab::summarize(completion_ns(r));
      done.add_row({runs.runtime, variant_label(r.variant), ns(d.min), ns(d.p50), ns(d.p90), ns(d.p99),
                    ns(d.max), computes(r) ? ns(work_per_proc_ns(runs, r)) : "—",
                    ns(static_cast<double>(r.wall_ns))});
    }
  }
  out += done.str();
  out += "\nN·D/P is the total work divided over the Ps, with D measured: the CPU time the process used during "
         "the variant, divided by N. No schedule can finish every computing goroutine sooner (give or take the "
         "runtime's own share of that CPU); sleeping goroutines need no CPU, so the sleep variant has none.\n";

  out += "\n## Wait for a first run (`go` statement → first instruction)\n\n";
  lab::MarkdownTable wait({"runtime", "variant", "p50:", "p90:", "max:", "first to run"});
  for (const auto& runs : all) {
    for (const auto& r : runs.variants) {
      auto d = lab::summarize(first_run_wait_ns(r));
      std::size_t first = first_to_run(r);
      std::string who = fmt::format("#{} of {}", first, r.goroutines.size());
      if (first + 1 == r.goroutines.size()) who += " (the last spawned: runnext)";
      wait.add_row({runs.runtime, variant_label(r.variant), ns(d.p50), ns(d.p90), ns(d.max), who});
    }
  }
  out += wait.str();

  out += "\n## Plot and trace\n\n";
  out += fmt::format("- CDF of completion times: {}\n", ctx.plot_note);
  if (!ctx.trace_path.empty()) {
    out += fmt::format("- Execution trace: `{}` — one task per variant, a `work` region per goroutine. "
                       "Read it with `trace-viewer summary {}` or `trace-viewer html {} -o trace.html`.\n",
                       ctx.trace_path, ctx.trace_path, ctx.trace_path);
  }
  return out;
}

std::string write_cdf_svg(const std::vector<RuntimeRuns>& all, const std::string& path) {
  lab::Plot plot;
  plot.title = "schedule-forensics: time to completion";
  plot.xlabel = "time from go statement to work done (ms, log scale)";
  plot.ylabel = "fraction of goroutines done";
  plot.logx = true;
  plot.ymin = 0;
  plot.ymax = 1;
  for (const auto& runs : all) {
    for (const auto& r : runs.variants) {
      std::vector<double> ms;
      for (double v : completion_ns(r)) ms.push_back(v / 1e6);
      lab::Series s = lab::cdf_series(runs.runtime + " " + variant_label(r.variant), std::move(ms));
      s.dashed = runs.runtime != "gort";
      plot.series.push_back(std::move(s));
    }
  }
  auto error = lab::write_svg(plot, path);
  return error ? *error : "";
}

}  // namespace schedlab
