// stack-growth — the course's week-3 lab ("Stack Growth in the Wild") on gort.
//
// Runs the course's depth(n) with a 256-byte frame per call for growing n in
// one goroutine, then spreads the same frames over many goroutines and over
// one goroutine per call, holding each set at its deepest frame to measure
// stack use per goroutine (frame addresses, mincore) and process-wide
// (StackInuse, StackSys, VmRSS); a sampler records the same figures over time
// for the SVG; a child process overflows the stack to show the runtime's
// report.  With --go the Go program of the same experiment (go/main.go) runs
// with the same resolved parameters and both appear side by side: Go copies a
// goroutine's stack to one twice the size when it runs out, gort gives every
// goroutine a fixed 256 KiB slot and pays only for the pages touched.
// README.md describes the flags and the report; NOTES.md explains the numbers.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/go_twin.hpp>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <cstdio>

#include "experiment.hpp"
#include "options.hpp"
#include "overflow.hpp"
#include "report.hpp"
#include "results.hpp"

namespace stacklab {
namespace {

/// Joins numbers with commas, as the Go twin's list flags take them.
std::string comma_list(const std::vector<int>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

/// The Go twin's flags for the experiment gort just ran (depths and total resolved).
std::vector<std::string> twin_args(const Options& o, const RuntimeResults& gort_results) {
  return {"-json",
          "-depths=" + comma_list(gort_results.depth_steps),
          "-goroutines=" + comma_list(o.config.fanouts),
          "-total-frames=" + std::to_string(gort_results.total_frames),
          fmt::format("-per-call={}", o.config.per_call),
          fmt::format("-gc-while-held={}", o.config.gc_while_held),
          "-rounds=" + std::to_string(o.config.rounds),
          "-hold-ms=" + std::to_string(o.config.hold.count()),
          "-sample-ms=" + std::to_string(o.config.sample_interval.count()),
          "-procs=" + std::to_string(gort_results.gomaxprocs)};
}

/// Runs the Go twin and reads its JSON into run.go, or says why not in run.go_error.
void run_go(const Options& o, LabRun& run) {
  fmt::print(stderr, "stack-growth: running the Go twin\n");
  std::string error;
  auto twin = lab::run_go_twin("stack-growth", twin_args(o, run.gort), {}, &error);
  if (!twin) {
    run.go_error = "not run: " + error;
    return;
  }
  if (twin->exit_code != 0) {
    run.go_error = fmt::format("exited with status {}: {}", twin->exit_code, twin->err);
    return;
  }
  try {
    run.go = nlohmann::json::parse(twin->out).get<RuntimeResults>();
  } catch (const std::exception& e) {
    run.go_error = std::string("its JSON could not be read: ") + e.what();
  }
}

/// The whole lab after option parsing (`command`: the command line as typed,
/// for the report); returns the exit status.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  std::string failure;
  bool flag_failure = false;
  gort::run([&] {
    if (o.procs > 0) gort::gomaxprocs(o.procs);
    try {
      run.gort = run_on_gort(o.config);
    } catch (const FlagError& e) {
      failure = e.what();
      flag_failure = true;
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) {
    fmt::print(stderr, "stack-growth: {}\n", failure);
    return flag_failure ? 2 : 1;
  }
  if (o.with_go) run_go(o, run);
  if (o.overflow_report) {
    fmt::print(stderr, "stack-growth: running a child that overflows its stack\n");
    run.overflow = run_overflow_child();
    if (o.with_go) run.go_overflow = run_go_overflow(run.gort.stack_limit_bytes);
  }
  std::optional<std::string> svg_error;
  if (!o.svg_path.empty()) svg_error = lab::write_svg(time_series_plot(run), o.svg_path);
  std::fputs(markdown_report(run, o.svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("stack-growth", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace stacklab

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = stacklab::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  if (options->overflow_now) return stacklab::run_overflow_mode();
  return stacklab::lab_main(*options, lab::command_text("stack-growth", argc, argv));
}
