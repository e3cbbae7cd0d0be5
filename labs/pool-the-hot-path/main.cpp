// pool-the-hot-path — the course's week-8 lab ("Pool the Hot Path") on gort.
//
// A JSON order service on gort::http (service.hpp) is loaded by wrk or by an
// in-process client (load.hpp); its allocation profile's top sites are read
// with the real `go tool pprof` (external.hpp); the encode buffer, the site
// that fits a pool, comes from a gort::Pool in the pooled variant, and the
// report sets allocs/op and p99 latency before and after side by side.  Then
// the misuse — Put without Reset — runs in child processes: the inserted
// assertion catches it in every build, ThreadSanitizer in the TSAN build.
// With --go the Go program of the same experiment (go/main.go: net/http,
// encoding/json, sync.Pool) runs with the same parameters.  README.md
// describes the flags and the report; NOTES.md §9.10 explains a full run.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/plot.hpp>
#include <lab/report.hpp>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "external.hpp"
#include "load.hpp"
#include "options.hpp"
#include "report.hpp"
#include "results.hpp"

namespace pool_lab {
namespace {

namespace fs = std::filesystem;

/// How many allocation sites the report lists per profile (the course's three).
constexpr int kTopSites = 3;

/// The directory the profiles go to: --profile-dir, or a fresh temporary one
/// (removed by the caller at the end).
std::string profile_directory(const Config& c, bool* temporary) {
  *temporary = c.profile_dir.empty();
  const fs::path dir = *temporary ? fs::temp_directory_path() / fmt::format("pool-the-hot-path-{}", ::getpid())
                                  : fs::path(c.profile_dir);
  fs::create_directories(dir);
  return dir.string();
}

/// Reads each variant's profile with go tool pprof, a later variant's against
/// the earlier one (-diff_base), so each lists its own phase only.
void read_profiles(RuntimeResult* r, const std::string& dir) {
  std::string base;
  for (VariantResult& v : r->variants) {
    v.profile_path = dir + "/" + r->runtime + "-" + v.variant + ".pb.gz";
    std::string error;
    v.top_objects = pprof_top(v.profile_path, base, "alloc_objects", kTopSites, &error);
    if (error.empty()) v.top_space = pprof_top(v.profile_path, base, "alloc_space", kTopSites, &error);
    v.profile_error = error;
    base = v.profile_path;
  }
}

/// The whole lab after option parsing; returns the exit status: 0 when every
/// check held, 1 when one failed (the report says which) or output failed.
int lab_main(const Options& o, std::string command) {
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
#if defined(GORT_TSAN) || defined(__SANITIZE_THREAD__)
  run.tsan_build = true;
#endif
  bool temporary = false;
  std::string dir;
  try {
    dir = profile_directory(o.config, &temporary);
  } catch (const std::exception& e) {
    fmt::print(stderr, "pool-the-hot-path: cannot create the profile directory: {}\n", e.what());
    return 1;
  }
  if (!temporary) run.profile_dir = dir;
  if (!lab::run_on_gort_reporting("pool-the-hot-path", [&] { run.gort = run_experiment(o.config, dir); })) return 1;
  read_profiles(&run.gort, dir);
  if (o.with_go) {
    run_go_twin(o.config, dir, &run);
    if (run.go) read_profiles(&*run.go, dir);
  }
  if (!o.no_misuse) {
    for (const char* mode : {"assert", "race"}) run.misuse.push_back(run_misuse_child(mode));
    if (o.with_go) {
      for (const char* mode : {"assert", "race"}) run.misuse.push_back(run_go_misuse(mode, dir, o.short_mode));
    }
  }
  if (temporary) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::optional<std::string> svg_error;
  std::string svg_path = has_latency_plot(run) ? o.svg_path : std::string();
  if (!svg_path.empty()) svg_error = lab::write_svg(latency_plot(run), svg_path);
  std::fputs(markdown_report(run, svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty() && !lab::write_json_file("pool-the-hot-path", o.json_path, json_text(run))) return 1;
  const std::vector<std::string> problems = check(run);
  for (const std::string& p : problems) fmt::print(stderr, "pool-the-hot-path: check failed: {}\n", p);
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace pool_lab

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = pool_lab::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  if (!options->misuse.empty()) return pool_lab::run_misuse(options->misuse);
  return pool_lab::lab_main(*options, lab::command_text("pool-the-hot-path", argc, argv));
}
