// go_twin_run.cpp — the Go twin's flags and JSON (see go_twin_run.hpp).
#include "go_twin_run.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>
#include <lab/progress.hpp>

#include <cstdio>

namespace layoutlab {

namespace {

/// The twin's name under labs/.
constexpr const char* kTwin = "layout-forensics";

/// "a,b,c" from a list.
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

/// The twin's flags for the layouts and the false-sharing part.
std::vector<std::string> main_args(const ExperimentConfig& c) {
  const SharingConfig& s = c.sharing_config;
  return {"-mode=main",
          "-structs=" + joined(c.structs),
          fmt::format("-sharing={}", c.sharing),
          fmt::format("-increments={}", s.increments),
          fmt::format("-runs={}", s.runs),
          fmt::format("-procs={}", s.procs),
          fmt::format("-pad={}", s.pad_bytes)};
}

/// Runs the twin's main mode into run->go; false (with run->go_error) on failure.
bool run_main(const Options& o, LabRun* run) {
  std::string error;
  auto twin = lab::run_go_twin(kTwin, main_args(o.config), {}, &error);
  if (!twin) {
    run->go_error = "not run: " + error;
    return false;
  }
  std::fputs(twin->err.c_str(), stderr);  // the twin's progress lines, passed on
  if (twin->exit_code != 0) {
    run->go_error = fmt::format("exited with status {}: {}", twin->exit_code, twin->err);
    return false;
  }
  try {
    run->go = nlohmann::json::parse(twin->out).get<RuntimeResults>();
  } catch (const std::exception& e) {
    run->go_error = std::string("its JSON could not be read: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace

void run_go_twin(const Options& o, LabRun* run) {
  fmt::print(stderr, "layout-forensics: running the Go twin\n");
  if (!run_main(o, run)) return;
  if (!o.config.arrays) return;
  std::vector<std::pair<std::string, std::string>> children{{"none", "none"}};
  for (const std::string& s : o.config.structs) {
    for (const char* layout : {"bad", "packed"}) children.emplace_back(s, layout);
  }
  lab::Progress progress("layout-forensics: Go array runs", static_cast<long>(children.size()));
  for (const auto& [name, layout] : children) {
    std::string error;
    auto twin = lab::run_go_twin(kTwin,
                                 {"-mode=array", "-struct=" + name, "-layout=" + layout,
                                  fmt::format("-elements={}", o.config.elements),
                                  fmt::format("-rounds={}", o.config.gc_rounds)},
                                 {"GODEBUG=gctrace=1"}, &error);
    const std::string who = fmt::format("the Go array run {}/{}", name, layout);
    std::optional<ArrayRun> array;
    if (twin) array = read_array_run(*twin, who, &error);
    if (!array) {
      run->go.reset();
      run->go_error = twin ? error : who + ": " + error;
      return;
    }
    run->go->arrays.push_back(std::move(*array));
    progress.update(static_cast<long>(run->go->arrays.size()));
  }
  progress.finish();
}

}  // namespace layoutlab
