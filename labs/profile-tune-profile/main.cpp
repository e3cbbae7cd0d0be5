// profile-tune-profile — the course's week-23 lab ("profile, tune, profile
// again", section 23.4) on gort, with pool-the-hot-path's JSON order service
// as the capstone.
//
// 1. A CPU profile of the service under the in-process load (gort::pprof),
//    its top five functions read with `go tool pprof -top`, each said to be
//    gort's runtime's or the program's (analysis.hpp).
// 2. The pick — the response built as a nlohmann document and streamed
//    through std::ostream — and its win estimated from the profile before
//    the fix runs.
// 3. The fix (the direct encoder, same bytes) measured against the original
//    as interleaved repeated runs in a benchstat-like table, and profiled again.
// 4. An execution trace of the same load, a GC stall found by trace-viewer's
//    analyses, fixed with GOGC and measured again.
// 5. GCC PGO of the service and gort (pgo.hpp), unless --short.
// With --go the Go twin (go/main.go) does 1-4 on net/http; Go 1.19 has no PGO.
// README.md describes the flags and the report; PERF_LOG.md logs the changes;
// NOTES.md §9.12 explains a full run's numbers.
#include <fmt/format.h>
#include <gort/gort.hpp>
#include <lab/cli.hpp>
#include <lab/gort_run.hpp>
#include <lab/go_twin_json.hpp>
#include <lab/report.hpp>

#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "analysis.hpp"
#include "capstone.hpp"
#include "options.hpp"
#include "pgo.hpp"
#include "report.hpp"

namespace ptp {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLabName = "profile-tune-profile";

/// Rows of each top table: the exercise's "top 5 functions".
constexpr int kTopFunctions = 5;

/// A directory for the profiles and traces: --work-dir, or a fresh temporary
/// one that is removed when the run ends.
class WorkDir {
 public:
  explicit WorkDir(const std::string& asked) {
    if (!asked.empty()) {
      fs::create_directories(asked);
      path_ = asked;
      return;
    }
    std::string tmpl = (fs::temp_directory_path() / "profile-tune-profile.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    path_ = tmpl;
    owned_ = true;
  }
  ~WorkDir() {
    std::error_code ec;
    if (owned_) fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool owned_ = false;
};

/// Steps 1-4 on gort, inside gort::run.
void run_on_gort(const Config& c, const std::string& dir, RuntimeResult* r) {
  if (c.procs > 0) gort::gomaxprocs(c.procs);
  r->runtime = "gort";
  r->procs = gort::gomaxprocs();
  r->requests_per_run = c.requests;
  r->connections = c.connections;
  r->tuned_gogc = c.gogc;
  const Setting document{"document", false, 100};
  const Setting direct{"direct", true, 100};
  const Setting tuned{fmt::format("GOGC={}", c.gogc), true, c.gogc};
  fmt::print(stderr, "{}: step 1: CPU profile of {} requests\n", kLabName, c.profile_requests);
  profile_load(c, document, dir + "/gort-cpu-document.pprof", &r->profile_before);
  r->encodings_identical = encodings_identical();
  fmt::print(stderr, "{}: step 3: the fix, {} runs per side\n", kLabName, c.runs);
  run_interleaved(c, document, direct, &r->fix_before, &r->fix_after);
  profile_load(c, direct, dir + "/gort-cpu-direct.pprof", &r->profile_after);
  fmt::print(stderr, "{}: step 4: traces at GOGC=100 and GOGC={}\n", kLabName, c.gogc);
  Setting direct100 = direct;
  direct100.label = "GOGC=100";
  trace_load(c, direct100, dir + "/gort-gogc100.trace", &r->trace_before);
  trace_load(c, tuned, dir + fmt::format("/gort-gogc{}.trace", c.gogc), &r->trace_after);
  run_interleaved(c, direct100, tuned, &r->gc_before, &r->gc_after);
}

/// The Go twin with the same parameters; its profiles land in dir.
void run_go_twin(const Config& c, const std::string& dir, LabRun* run) {
  std::optional<RuntimeResult> go;
  lab::run_go_twin_into(kLabName,
                        {"-requests", std::to_string(c.requests), "-runs", std::to_string(c.runs), "-connections",
                         std::to_string(c.connections), "-profile-requests", std::to_string(c.profile_requests),
                         "-warmup", std::to_string(c.warmup), "-gogc", std::to_string(c.gogc), "-procs",
                         std::to_string(c.procs), "-work-dir", dir},
                        &go, &run->go_error);
  if (!go) return;
  read_cpu_top("", kTopFunctions, &go->profile_before);
  read_cpu_top("", kTopFunctions, &go->profile_after);
  go->estimated_cpu_saving_percent = 0;
  run->go = std::move(go);
}

/// The --bench-child mode: runs, one JSON line each on stdout, printed as
/// each run is measured (before the server shuts down).
int bench_child(const Config& c, const ChildConfig& child) {
  const Setting s{child.direct ? "direct" : "document", child.direct, child.gogc};
  const bool ok = lab::run_on_gort_reporting(kLabName, [&] {
    if (c.procs > 0) gort::gomaxprocs(c.procs);
    bench_runs(c, s, [](const RunSample& r) {
      fmt::print("{}\n", nlohmann::json(r).dump());
      std::fflush(stdout);
    });
  });
  return ok ? 0 : 1;
}

/// The whole lab after option parsing; 0 when every step's check held.
int lab_main(const Options& o, std::string command) {
  const Config& c = o.config;
  LabRun run;
  run.command = std::move(command);
  run.machine = lab::machine_description();
  run.load_before = lab::load_average();
  std::optional<WorkDir> dir;
  try {
    dir.emplace(c.work_dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: --work-dir: {}\n", kLabName, e.what());
    return 1;
  }
  if (!lab::run_on_gort_reporting(kLabName, [&] { run_on_gort(c, dir->path(), &run.gort); })) return 1;
  fmt::print(stderr, "{}: reading the profiles (go tool pprof) and the traces (trace-viewer)\n", kLabName);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  read_cpu_top(self, kTopFunctions, &run.gort.profile_before);
  read_cpu_top(self, kTopFunctions, &run.gort.profile_after);
  run.gort.estimated_cpu_saving_percent = estimate_fix_saving(run.gort.profile_before);
  analyze_trace(&run.gort.trace_before);
  analyze_trace(&run.gort.trace_after);
  run.pgo = run_pgo_step(c, c.gogc);
  if (o.with_go) run_go_twin(c, dir->path(), &run);
  if (run.go) run.go->estimated_cpu_saving_percent = estimate_fix_saving(run.go->profile_before);

  std::optional<std::string> svg_error;
  if (!o.svg_path.empty()) svg_error = lab::write_svg(runs_plot(run), o.svg_path);
  std::fputs(markdown_report(run, o.svg_path, svg_error).c_str(), stdout);
  if (!o.json_path.empty() && !lab::write_json_file(kLabName, o.json_path, nlohmann::json(run).dump(1))) return 1;

  std::vector<std::string> problems;
  if (!run.gort.encodings_identical) problems.push_back("the two encoders' responses differ");
  for (const TraceFindings* t : {&run.gort.trace_before, &run.gort.trace_after}) {
    if (!t->error.empty()) problems.push_back("trace " + t->path + ": " + t->error);
  }
  if (run.pgo.status == "failed") problems.push_back("PGO: " + run.pgo.reason);
  for (const std::string& p : problems) fmt::print(stderr, "{}: check failed: {}\n", kLabName, p);
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace ptp

int main(int argc, char** argv) {
  int exit_code = 0;
  auto options = ptp::parse_options(argc, argv, &exit_code);
  if (!options) return exit_code;
  if (options->child.enabled) return ptp::bench_child(options->config, options->child);
  return ptp::lab_main(*options, lab::command_text("profile-tune-profile", argc, argv));
}
