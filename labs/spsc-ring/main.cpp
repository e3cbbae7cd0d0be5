// spsc-ring — the course's week-10 lab ("Lock-Free SPSC Ring", Appendix B.1) on gort.
//
// A producer and a consumer goroutine on two Ps pass N values through the
// lock-free SPSC ring of include/spsc_ring.hpp (atomic head and tail, each on
// its own cache line, acquire/release only), through the same ring with both
// indices on one line (the withoutPad ablation), through a buffered channel and
// through a mutex-protected queue; every run checks each value arrives once and
// in order.  The report gives ns/message and messages/s (median of the runs),
// the ratios the course predicts, and with --go the Go program of the same
// experiment (go/main.go) side by side.  README.md describes the flags and the
// report; NOTES.md §9.5 explains a full run's numbers.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "experiment.hpp"
#include "go_twin_run.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"

namespace spsclab {
namespace {

/// The whole lab after option parsing (`command`: the command line as typed,
/// for the report); returns the exit status.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  if (!lab::run_on_gort_reporting("spsc-ring", [&] { run.gort = run_on_gort(o.config); })) return 1;
  if (o.with_go) run_go_twin(o, &run);
  std::optional<std::string> svg_error;
  if (!o.svg_path.empty()) svg_error = lab::write_svg(runs_plot(run), o.svg_path);
  std::fputs(markdown_report(run, o.svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("spsc-ring", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  bool in_order = true;
  for (const VariantResult& v : run.gort.variants) in_order = in_order && v.in_order;
  if (run.go) {
    for (const VariantResult& v : run.go->variants) in_order = in_order && v.in_order;
  }
  if (!in_order) {
    fmt::print(stderr, "spsc-ring: a queue lost, duplicated or reordered values (see the report)\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace spsclab

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = spsclab::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return spsclab::lab_main(*options, lab::command_text("spsc-ring", argc, argv));
}
