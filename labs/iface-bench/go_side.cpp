// go_side.cpp — running, disassembling and compiling the Go twin (see
// go_side.hpp).
#include "go_side.hpp"

#include <fmt/format.h>
#include <lab/go_twin_json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace ifacebench {

namespace {

/// A comma-separated list.
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

/// The twin's flags for the experiment gort ran.  Its boxing variants are
/// Go's own (fmt-any, fmt-itoa, append-int), run whenever gort's are.
std::vector<std::string> twin_args(const ExperimentConfig& c) {
  return {"-json",
          "-paths=" + joined(c.paths),
          "-loggers=" + joined(c.loggers),
          c.boxing.empty() ? "-boxing=" : "-boxing=fmt-any,fmt-itoa,append-int",
          fmt::format("-calls={}", c.calls),
          fmt::format("-requests={}", c.requests),
          fmt::format("-boxes={}", c.boxes),
          fmt::format("-runs={}", c.runs),
          std::string("-log-level=") + (c.log_level == Level::Debug ? "debug" : "info")};
}

/// Keeps the -m lines worth quoting: boxing and escapes in boxing.go, and
/// every devirtualisation.
std::vector<std::string> escape_lines(const std::string& compiler_output) {
  std::vector<std::string> out;
  std::istringstream lines(compiler_output);
  std::string line;
  while (std::getline(lines, line)) {
    // fmtAny's and fmtItoa's arguments, not the harness's panic message.
    const bool boxing = line.rfind("./boxing.go:", 0) == 0 && line.find("variant") == std::string::npos &&
                        (line.find("escapes to heap") != std::string::npos ||
                         line.find("argument does not escape") != std::string::npos);
    const bool devirtualised = line.find("devirtualizing") != std::string::npos;
    if (boxing || devirtualised) out.push_back(line);
  }
  return out;
}

}  // namespace

std::vector<DisasmTarget> go_disasm_targets(const ExperimentConfig& c) {
  // Every pointer type shares the shape go.shape.*uint8; an interface type
  // argument is its own shape.
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"concrete", "main.benchConcrete"},
      {"interface", "main.benchInterface"},
      {"function", "main.benchFunc"},
      {"generic", "main.benchGeneric[go.shape.*uint8_0]"},
      {"generic-iface", "main.benchGeneric[go.shape.interface { Step(int64) int64 }_0]"},
      {"devirtualised", "main.benchDevirtualised"}};
  const std::vector<std::pair<std::string, std::string>> loggers = {
      {"interface", "main.handleInterface"},
      {"concrete", "main.handleConcrete"},
      {"generic", "main.handleGeneric[go.shape.*uint8_0]"}};
  std::vector<DisasmTarget> out;
  for (const auto& [name, symbol] : paths) {
    if (std::find(c.paths.begin(), c.paths.end(), name) != c.paths.end()) out.push_back({"three-way", name, symbol});
  }
  for (const auto& [name, symbol] : loggers) {
    if (std::find(c.loggers.begin(), c.loggers.end(), name) != c.loggers.end()) out.push_back({"logger", name, symbol});
  }
  return out;
}

void run_go_side(const Options& o, LabRun* run) {
  fmt::print(stderr, "iface-bench: building the Go twin\n");
  std::string error;
  const auto binary = lab::build_go_twin("iface-bench", &error);
  if (!binary) {
    run->go_error = "not run: " + error;
    return;
  }
  lab::run_go_twin_into("iface-bench", twin_args(o.config), &run->go, &run->go_error);
  if (!run->go) return;
  run->go_disassembly = disassemble_go(*binary, go_disasm_targets(o.config));
  // The course's `go build -gcflags=-m`: the compiler's decisions, printed
  // on stderr.  Go 1.19 prints them only when it compiles, not when the
  // package comes from the build cache, so this build gets an empty cache of
  // its own each time (about 2 s here: the standard library is precompiled).
  const std::string cache = IFACE_BENCH_ESCAPE_CACHE;
  std::error_code ec;
  std::filesystem::remove_all(cache, ec);
  auto m = lab::run_program({"go", "build", "-gcflags=-m", "-o", "/dev/null", "."},
                            {"GOCACHE=" + cache, "GOFLAGS=-mod=mod", "GOPROXY=off"}, &error, {},
                            IFACE_BENCH_GO_DIR);
  if (!m || m->exit_code != 0) {
    run->go_error = "go build -gcflags=-m failed: " + (m ? m->err : error);
    return;
  }
  run->go_escape_lines = escape_lines(m->err);
}

}  // namespace ifacebench
