// iface-bench — the course's week-7 lab ("Interface Bench", 7.3) on gort.
//
// One method called in a tight loop on the concrete type, through an
// interface (a virtual call), a std::function, a template instantiated with
// the concrete type and with the interface, and a virtual call whose dynamic
// type the compiler can see; a request handler that logs ten times through a
// Logger interface, refactored to the concrete logger and to a template; an
// int formatted directly and through type erasure (format_args, std::any,
// std::function) and boxed into the managed heap as Go's convT64 does.  Each
// variant's ns/op and allocs/op (C++ heap and managed heap), each loop quoted
// from objdump of this binary with the indirect call found and marked, and
// with --go the Go program of the same experiment (go/) beside it, with its
// go tool objdump and go build -gcflags=-m.  README.md describes the flags
// and the report; NOTES.md §9.7 explains a full run's numbers.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <algorithm>
#include <cstdio>

#include "experiment.hpp"
#include "go_side.hpp"
#include "handler.hpp"
#include "loops.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"

namespace ifacebench {
namespace {

/// This binary's functions for objdump: the chosen paths' loops and handlers.
std::vector<DisasmTarget> gort_disasm_targets(const ExperimentConfig& c) {
  std::vector<DisasmTarget> out;
  int n = 0;
  const StepPath* paths = step_paths(&n);
  for (int i = 0; i < n; ++i) {
    if (std::find(c.paths.begin(), c.paths.end(), paths[i].name) != c.paths.end()) {
      out.push_back({"three-way", paths[i].name, paths[i].symbol});
    }
  }
  const HandlerVersion* versions = handler_versions(&n);
  for (int i = 0; i < n; ++i) {
    if (std::find(c.loggers.begin(), c.loggers.end(), versions[i].name) != c.loggers.end()) {
      out.push_back({"logger", versions[i].name, versions[i].symbol});
    }
  }
  return out;
}

/// The whole lab after option parsing; returns the exit status.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  if (!lab::run_on_gort_reporting("iface-bench", [&] { run.gort = run_on_gort(o.config); })) return 1;
  fmt::print(stderr, "iface-bench: disassembling this binary with {}\n", o.objdump);
  run.gort_disassembly = disassemble_self(o.objdump, gort_disasm_targets(o.config));
  if (o.with_go) run_go_side(o, &run);
  std::optional<std::string> svg_error;
  if (!o.svg_path.empty()) svg_error = lab::write_svg(runs_plot(run), o.svg_path);
  std::fputs(markdown_report(run, o.svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty()) {
    if (!lab::write_json_file("iface-bench", o.json_path, nlohmann::json(run).dump(1))) return 1;
  }
  std::vector<std::string> failures = consistency_failures(run.gort);
  if (run.go) {
    for (std::string& f : consistency_failures(*run.go)) failures.push_back(std::move(f));
  }
  for (const std::string& f : failures) fmt::print(stderr, "iface-bench: {}\n", f);
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace ifacebench

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = ifacebench::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  return ifacebench::lab_main(*options, lab::command_text("iface-bench", argc, argv));
}
