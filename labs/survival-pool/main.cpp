// survival-pool — the course's week-12 lab ("Worker Pool Survival Test",
// Appendix B.7) on gort.
//
// A worker pool on a bounded channel (pool.hpp) meets each of the five
// failure modes on purpose (scenarios.hpp): a burst it must drop and count, a
// shutdown it must drain within a deadline, tasks that outlive their 100 ms
// deadline, tasks that throw, and a leak check after cancel + wait — with a
// deliberately leaking variant (--broken) that the check must catch.  A stress
// run then pushes 1M tasks through 1,000 workers and checks that every task is
// accounted for.  With --go the Go program of the same experiment (go/main.go)
// runs with the same parameters and the report sets both side by side.
// README.md describes the flags and the report; NOTES.md §9.9 explains a full
// run's numbers.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "go_twin_run.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"
#include "scenarios.hpp"

namespace survival {
namespace {

/// The whole lab after option parsing; returns the exit status: 0 when every
/// check held, 1 when one failed (the report says which) or output failed.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  if (!lab::run_on_gort_reporting("survival-pool", [&] { run.gort = run_on_gort(o.config); })) return 1;
  if (o.with_go) run_go_twin(o, &run);
  std::optional<std::string> svg_error;
  std::string svg_path = has_latency_plot(run) ? o.svg_path : std::string();
  if (!svg_path.empty()) svg_error = lab::write_svg(latency_plot(run), svg_path);
  std::fputs(markdown_report(run, svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("survival-pool", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  std::vector<std::string> problems = check(run.gort);
  if (run.go) {
    for (const std::string& p : check(*run.go)) problems.push_back(p);
  }
  for (const std::string& p : problems) fmt::print(stderr, "survival-pool: check failed: {}\n", p);
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace survival

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = survival::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return survival::lab_main(*options, lab::command_text("survival-pool", argc, argv));
}
