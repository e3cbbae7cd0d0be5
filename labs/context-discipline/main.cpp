// context-discipline — the course's week-11 lab ("Context Discipline") on gort.
//
// A small HTTP service (service.hpp) whose blocking operations all take the
// request context meets a client that gives up; a leak check built on
// gort::live_goroutines fails any goroutine that outlived its request (the
// leaky handler variant shows it catching one); an errgroup fan-out is
// cancelled by its first failure; 1,000 concurrent requests stampede one
// uncached key with and without SingleFlight; after_func releases a resource
// under a timeout and an explicit cancel.  With --go the Go program of the
// same experiment (go/main.go) runs with the same parameters and the report
// sets both side by side.  README.md describes the flags and the report;
// NOTES.md §9.11 explains a full run's numbers.
#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/go_twin_json.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "experiments.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"

namespace ctxlab {
namespace {

/// A duration as the Go twin's flags take it.
std::string go_flag(const char* name, std::chrono::nanoseconds d) { return fmt::format("-{}={}ns", name, d.count()); }

/// The twin's flags for what gort ran.
std::vector<std::string> twin_args(const Config& c) {
  std::string parts, variants;
  for (const std::string& p : c.parts) parts += (parts.empty() ? "" : ",") + p;
  for (const std::string& v : c.variants) variants += (variants.empty() ? "" : ",") + v;
  return {"-json",
          "-parts=" + parts,
          "-variant=" + variants,
          go_flag("store-delay", c.store_delay),
          go_flag("downstream-delay", c.downstream_delay),
          go_flag("patience", c.patience),
          go_flag("leak-wait", c.leak_wait),
          fmt::format("-workers={}", c.workers),
          fmt::format("-failing-worker={}", c.failing_worker),
          go_flag("fail-after", c.fail_after),
          go_flag("worker-delay", c.worker_delay),
          fmt::format("-requests={}", c.requests),
          go_flag("upstream-delay", c.upstream_delay),
          go_flag("timeout", c.timeout),
          fmt::format("-procs={}", c.procs)};
}

/// The whole lab after option parsing; returns the exit status: 0 when the
/// lab behaved and no goroutine outlived a request, 1 when the leak check
/// failed a handler (--variant leaky), a check of the lab failed or output
/// failed.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  if (!lab::run_on_gort_reporting("context-discipline", [&] { run.gort = run_experiments(o.config); })) return 1;
  if (o.with_go) lab::run_go_twin_into("context-discipline", twin_args(o.config), &run.go, &run.go_error);
  std::optional<std::string> svg_error;
  const std::string svg_path = run.gort.fanout ? o.svg_path : std::string();
  if (!svg_path.empty()) svg_error = lab::write_svg(cancel_plot(run), svg_path);
  std::fputs(markdown_report(run, svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("context-discipline", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  std::vector<std::string> problems = check(run.gort), verdicts = leak_verdicts(run.gort);
  if (run.go) {
    for (const std::string& p : check(*run.go)) problems.push_back(p);
    for (const std::string& p : leak_verdicts(*run.go)) verdicts.push_back(p);
  }
  for (const std::string& p : problems) fmt::print(stderr, "context-discipline: check failed: {}\n", p);
  for (const std::string& p : verdicts) fmt::print(stderr, "context-discipline: FAIL leak check: {}\n", p);
  return problems.empty() && verdicts.empty() ? 0 : 1;
}

}  // namespace
}  // namespace ctxlab

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = ctxlab::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return ctxlab::lab_main(*options, lab::command_text("context-discipline", argc, argv));
}
