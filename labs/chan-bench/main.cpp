// chan-bench — the course's week-9 lab ("Channel Internals", 9.3) on gort.
//
// Part 1: one producer and one consumer goroutine pass N values (the course's
// 10M) through an unbuffered channel, buffered channels of 1 and 1024, a
// mutex-protected queue and an atomic-only SPSC ring (the last two and the
// transfer loop are spsc-ring's, linked, not copied); the report gives
// ns/message and messages/s and the speed-ups the course predicts.  Part 2:
// the nil-channel select toggle (toggle.hpp).  Part 3: the "unbounded channel"
// bridge with a slow consumer, its memory sampled over time (bridge.hpp).
// With --go the Go program of the same experiment (go/main.go) runs with the
// same parameters and both runtimes are reported side by side.  README.md
// describes the flags and the report; NOTES.md §9.8 explains a full run.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "bridge.hpp"
#include "go_twin_run.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"
#include "throughput.hpp"
#include "toggle.hpp"

namespace chanbench {
namespace {

/// Runs the chosen parts on gort.  Precondition: called from the main
/// goroutine inside gort::run, with no other goroutines of the program running.
RuntimeResults run_on_gort(const LabConfig& c) {
  gort::gomaxprocs(c.procs);
  RuntimeResults r;
  r.runtime = "gort";
  r.version = "gort";
  r.gomaxprocs = gort::gomaxprocs();
  if (c.run_throughput) r.throughput = run_throughput(c.throughput);
  if (c.run_toggle) {
    fmt::print(stderr, "chan-bench: nil-channel toggle\n");
    r.toggle = run_toggle(c.toggle);
  }
  if (c.run_bridge) {
    fmt::print(stderr, "chan-bench: unbounded bridge (up to {})\n",
               lab::format_duration_ns(static_cast<double>(c.bridge.limit.count())));
    r.bridge = run_bridge(c.bridge);
  }
  return r;
}

/// Whether every run on every runtime delivered what it should.
bool all_in_order(const RuntimeResults& r) {
  bool ok = true;
  if (r.throughput) {
    for (const ThroughputResult& v : r.throughput->variants) ok = ok && v.in_order;
  }
  if (r.toggle) {
    for (const ToggleMode& m : r.toggle->modes) ok = ok && m.in_order;
  }
  if (r.bridge) ok = ok && r.bridge->in_order;
  return ok;
}

/// The whole lab after option parsing (`command`: the command line as typed,
/// for the report); returns the exit status.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  if (!lab::run_on_gort_reporting("chan-bench", [&] { run.gort = run_on_gort(o.config); })) return 1;
  if (o.with_go) run_go_twin(o, &run);
  PlotFiles plots;
  if (!o.svg_path.empty()) {
    if (o.config.run_throughput) {
      plots.throughput_path = o.svg_path;
      plots.throughput_error = lab::write_svg(throughput_plot(run), plots.throughput_path);
    }
    if (o.config.run_bridge) {
      plots.bridge_path = lab::with_slug(o.svg_path, "-bridge");
      plots.bridge_error = lab::write_svg(bridge_plot(run), plots.bridge_path);
    }
  }
  std::fputs(markdown_report(run, plots).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("chan-bench", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  if (!all_in_order(run.gort) || (run.go && !all_in_order(*run.go))) {
    fmt::print(stderr, "chan-bench: a queue or channel lost, duplicated or reordered values (see the report)\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace chanbench

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = chanbench::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return chanbench::lab_main(*options, lab::command_text("chan-bench", argc, argv));
}
