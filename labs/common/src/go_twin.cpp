// go_twin.cpp — building and running a lab's Go program, and running any
// program with captured output (gort::run_process, support/process).
#include "lab/go_twin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <utility>

namespace lab {

namespace fs = std::filesystem;

std::optional<gort::ProcessResult> run_program(const std::vector<std::string>& argv,
                                               const std::vector<std::string>& env, std::string* error,
                                               const std::string& input, const std::string& cwd) {
  gort::ProcessOptions options;
  options.env = env;
  options.input = input;
  options.cwd = cwd;
  gort::ProcessResult r = gort::run_process(argv, options);
  if (!r.started) {
    *error = r.error;
    return std::nullopt;
  }
  return r;
}

std::optional<gort::ProcessResult> run_self(const std::vector<std::string>& args,
                                            const std::vector<std::string>& env, std::string* error) {
  std::vector<std::string> argv{"/proc/self/exe"};
  argv.insert(argv.end(), args.begin(), args.end());
  // A child writes a profile only where env says (lab::profile_environment),
  // never over the file --cpuprofile/--memprofile gave this process.
  std::vector<std::string> child_env = env;
  for (const char* name : {"GORTCPUPROFILE=", "GORTMEMPROFILE="}) {
    const bool given = std::any_of(child_env.begin(), child_env.end(),
                                   [name](const std::string& e) { return e.rfind(name, 0) == 0; });
    if (!given) child_env.push_back(name);
  }
  return run_program(argv, child_env, error);
}

std::optional<std::string> build_go_twin(const std::string& lab, std::string* error) {
  const fs::path src = fs::path(GORT_LABS_SOURCE_DIR) / lab / "go";
  const fs::path bin = fs::path(GORT_LABS_BINARY_DIR) / lab / "go-twin";
  if (!fs::exists(src / "main.go")) {
    *error = "no Go program at " + src.string();
    return std::nullopt;
  }
  std::error_code ec;
  bool stale = !fs::exists(bin);
  for (const auto& e : fs::directory_iterator(src, ec)) {
    if (!stale && fs::last_write_time(e.path(), ec) > fs::last_write_time(bin, ec)) stale = true;
  }
  if (!stale) return bin.string();
  fs::create_directories(bin.parent_path(), ec);
  // Each twin is one main package using the standard library only, with its
  // own go.mod, so the build needs no network.  Its cache stays in the build tree.
  auto built = run_program({"go", "build", "-o", bin.string(), "."},
                           {"GOCACHE=" + (fs::path(GORT_LABS_BINARY_DIR) / "go-cache").string(),
                            "GOFLAGS=-mod=mod", "GOPROXY=off"},
                           error, {}, src.string());
  if (!built) {
    *error = "cannot build the Go program (" + *error + "); install golang-go";
    return std::nullopt;
  }
  if (built->exit_code != 0) {
    *error = "go build failed: " + built->err;
    return std::nullopt;
  }
  return bin.string();
}

std::optional<gort::ProcessResult> run_go_twin(const std::string& lab, const std::vector<std::string>& args,
                                               const std::vector<std::string>& env, std::string* error) {
  auto bin = build_go_twin(lab, error);
  if (!bin) return std::nullopt;
  std::vector<std::string> argv{*bin};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, env, error);
}

std::optional<std::string> go_twin_output(const std::string& lab, const std::vector<std::string>& args,
                                          std::string* error) {
  std::string why;
  auto twin = run_go_twin(lab, args, {}, &why);
  if (!twin) {
    *error = "not run: " + why;
    return std::nullopt;
  }
  std::fputs(twin->err.c_str(), stderr);
  if (twin->exit_code != 0) {
    *error = fmt::format("exited with status {}: {}", twin->exit_code, twin->err);
    return std::nullopt;
  }
  return std::move(twin->out);
}

}  // namespace lab
