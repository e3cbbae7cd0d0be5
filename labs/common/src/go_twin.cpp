// go_twin.cpp — building and running a lab's Go program, and running any
// program with captured output (Boost.Process).
#include "lab/go_twin.hpp"

#include <sys/wait.h>

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <filesystem>
#include <future>

namespace lab {

namespace bp = boost::process;
namespace fs = std::filesystem;

std::optional<ProcessRun> run_program(const std::vector<std::string>& argv,
                                      const std::vector<std::string>& env, std::string* error,
                                      const std::string& input, const std::string& cwd) {
  if (argv.empty()) {
    *error = "no program named";
    return std::nullopt;
  }
  fs::path exe = argv[0];
  if (argv[0].find('/') == std::string::npos) exe = bp::search_path(argv[0]).string();
  if (exe.empty() || !fs::exists(exe)) {
    *error = argv[0] + ": not found";
    return std::nullopt;
  }
  bp::environment environment = boost::this_process::environment();
  for (const auto& kv : env) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) environment[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  try {
    boost::asio::io_context io;
    std::future<std::string> out, err;
    bp::child child(exe.string(), bp::args(args), environment, bp::std_in < boost::asio::buffer(input),
                    bp::std_out > out, bp::std_err > err, io,
                    bp::start_dir(cwd.empty() ? fs::current_path().string() : cwd));
    io.run();
    child.wait();
    ProcessRun r;
    int status = child.native_exit_code();
    r.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    r.out = out.get();
    r.err = err.get();
    return r;
  } catch (const std::exception& e) {
    *error = argv[0] + ": " + e.what();
    return std::nullopt;
  }
}

std::optional<ProcessRun> run_self(const std::vector<std::string>& args, const std::vector<std::string>& env,
                                   std::string* error) {
  std::vector<std::string> argv{"/proc/self/exe"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, env, error);
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

std::optional<ProcessRun> run_go_twin(const std::string& lab, const std::vector<std::string>& args,
                                      const std::vector<std::string>& env, std::string* error) {
  auto bin = build_go_twin(lab, error);
  if (!bin) return std::nullopt;
  std::vector<std::string> argv{*bin};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, env, error);
}

}  // namespace lab
