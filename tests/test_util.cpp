// test_util.cpp — the tests' child processes (a failure when one hangs) and
// CPU time, and a std::terminate handler that shows where it was called.
#include "test_util.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <execinfo.h>

namespace {

/// A std::terminate in a test binary prints where it came from before the
/// abort (libstdc++'s handler names only the exception), so a rare one seen
/// in CI can be traced from its log.
[[noreturn]] void terminate_with_backtrace() {
  void* pcs[64];
  const int n = backtrace(pcs, 64);
  std::fputs("std::terminate called from:\n", stderr);
  backtrace_symbols_fd(pcs, n, 2);
  if (std::current_exception()) {
    std::fputs("with an active exception\n", stderr);
  } else {
    std::fputs("without an active exception\n", stderr);
  }
  std::abort();
}

const bool terminate_handler_installed = (std::set_terminate(terminate_with_backtrace), true);

}  // namespace

namespace gort::test {

long process_cpu_us() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  auto us = [](const timeval& t) { return t.tv_sec * 1'000'000L + t.tv_usec; };
  return us(r.ru_utime) + us(r.ru_stime);
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          int timeout_ms) {
  gort::ProcessOptions options;
  options.env = env;
  options.timeout_ms = timeout_ms;
  ProcessResult r = gort::run_process(argv, options);
  if (!r.started) ADD_FAILURE() << "cannot run " << argv[0] << ": " << r.error;
  if (r.timed_out) {
    std::string command;
    for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
    ADD_FAILURE() << command << " still ran after " << timeout_ms << " ms: sent SIGQUIT"
                  << (r.exit_code == 128 + SIGKILL ? ", then SIGKILL" : "") << "; its stdout:\n"
                  << r.out << "\nits stderr (a gort program's goroutine dump):\n" << r.err;
  }
  return r;
}

ScratchDir::ScratchDir(const std::string& tag, const std::string& name)
    : std::filesystem::path(std::filesystem::temp_directory_path() /
                            ("gort-" + tag + "-" + std::to_string(::getpid()) + "-" + name)) {
  std::error_code ec;
  std::filesystem::remove_all(*this, ec);
  std::filesystem::create_directories(*this);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(*this, ec);
}

std::string go_tool_pprof(const std::vector<std::string>& args, const std::string& file) {
  const std::string cache = ::testing::TempDir() + "gort_go_tool_pprof_cache";
  std::vector<std::string> argv{"/usr/bin/go", "tool", "pprof"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(file);
  const ProcessResult r = run_process(argv, {"GOCACHE=" + cache, "PPROF_TMPDIR=" + cache});
  EXPECT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0) << "go tool pprof " << testing::PrintToString(args) << " " << file << ":\n"
                            << r.out << r.err;
  return r.out;
}

}  // namespace gort::test
