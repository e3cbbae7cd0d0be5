// layout-forensics — the course's week-5 lab ("Layout Forensics") on gort.
//
// Five badly padded structs (structs.hpp) are laid out by a calculator of
// the C/Go layout rules (layout_calc.hpp) and measured with sizeof, alignof
// and offsetof (measured.hpp); each is reordered for minimal padding and the
// delta reported.  A 1M-element array of each, bad and packed, goes on gort's
// managed heap in a child process under GODEBUG=gctrace=1 (heap_arrays.hpp):
// allocation time, HeapAlloc, and the mark time and pauses of forced cycles.
// Two atomic counters hammered by goroutines on two Ps show false sharing with
// and without a cache-line pad (false_sharing.hpp).  packed_guard.hpp fails
// the build if a packed struct regrows.  With --go the Go program of the same
// experiment (go/main.go) runs beside it.  README.md describes the flags and
// the report; NOTES.md §9.6 explains a full run's numbers.
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
#include "packed_guard.hpp"
#include "report.hpp"
#include "results.hpp"

namespace layoutlab {
namespace {

/// The whole lab after option parsing (`command`: the command line as typed,
/// for the report); returns the exit status.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  run.structs = o.config.structs;
  run.gort.runtime = run.gort.version = "gort";
  run.gort.layouts = measure_layouts(o.config.structs);
  try {
    if (o.config.arrays) run.gort.arrays = run_arrays_on_gort(o.config);  // child processes, no runtime here
  } catch (const std::exception& e) {
    fmt::print(stderr, "layout-forensics: {}\n", e.what());
    return 1;
  }
  if (o.config.sharing && !lab::run_on_gort_reporting("layout-forensics", [&] {
        run.gort.sharing = run_false_sharing(o.config.sharing_config);
      })) {
    return 1;
  }
  if (o.with_go) run_go_twin(o, &run);
  std::optional<std::string> svg_error;
  if (!o.svg_path.empty() && run.gort.sharing) svg_error = lab::write_svg(sharing_plot(run), o.svg_path);
  std::fputs(markdown_report(run, o.svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("layout-forensics", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  if (!layouts_agree(run)) {
    fmt::print(stderr, "layout-forensics: a measured layout differs from the calculator's (see section 2)\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace layoutlab

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = layoutlab::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  if (options->child) return layoutlab::run_array_child(*options->child);
  return layoutlab::lab_main(*options, lab::command_text("layout-forensics", argc, argv));
}
