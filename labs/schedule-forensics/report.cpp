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

/// N·D/P: the total work divided over the Ps, the least time in which all
/// busy goroutines can finish; a reference for the max column.
double work_per_proc_ns(const RuntimeRuns& runs, const VariantResult& r) {
  return static_cast<double>(runs.goroutines) * static_cast<double>(runs.work_ns) / r.variant.procs;
}

std::string ns(double v) { return lab::format_duration_ns(v); }

}  // namespace

std::string markdown_report(const ReportContext& ctx, const std::vector<RuntimeRuns>& all) {
  std::string out = "# schedule-forensics\n\n";
  out += fmt::format("- Machine: {}\n", ctx.machine);
  out += fmt::format("- Command: `{}`\n", ctx.command);
  for (const auto& runs : all) {
    out += fmt::format("- {}: {} goroutines, {} of work each (busy loop: {} steps per chunk, {} chunks)\n",
                       runs.runtime, runs.goroutines, ns(static_cast<double>(runs.work_ns)),
                       runs.steps_per_chunk, 100);
  }
  if (!ctx.go_note.empty()) out += fmt::format("- Go program not run: {}\n", ctx.go_note);

  out += "\n## Time to completion (`go` statement → work done)\n\n";
  lab::MarkdownTable done({"runtime", "variant", "min:", "p50:", "p90:", "p99:", "max:", "N·D/P:", "wall:"});
  for (const auto& runs : all) {
    for (const auto& r : runs.variants) {
      auto d = lab::summarize(completion_ns(r));
      done.add_row({runs.runtime, variant_label(r.variant), ns(d.min), ns(d.p50), ns(d.p90), ns(d.p99),
                    ns(d.max), ns(work_per_proc_ns(runs, r)), ns(static_cast<double>(r.wall_ns))});
    }
  }
  out += done.str();
  out += "\nN·D/P is the total work divided over the Ps: no schedule can finish every busy goroutine sooner.\n";

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
