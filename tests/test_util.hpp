// test_util.hpp — helpers shared by the test suites.
#pragma once

#include <gort/waitgroup.hpp>
#include <gort/runtime.hpp>
#include <gort/support/process.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gort::test {

/// Scale for counts in stress tests: sanitizer builds run the same tests with
/// half the iterations (both sanitizers slow switches ~10x), once each, so CI
/// stays within its budget.  Until 2026-12-07 they ran a fifth, three times
/// over (ctest --repeat): about as many iterations, but every test's fixed
/// cost — process start, gort::run, the ASAN/TSAN runtimes' set-up — paid
/// thrice (NOTES §11, "CI time").
#if defined(GORT_TSAN) || defined(GORT_ASAN)
inline constexpr int kSanitizerDivisor = 2;
#else
inline constexpr int kSanitizerDivisor = 1;
#endif

/// n scaled down for sanitizer builds (never below 1).
inline int scaled(int n) { return n / kSanitizerDivisor > 0 ? n / kSanitizerDivisor : 1; }

/// Goroutines a TSAN build keeps alive at once at most.  TSAN gives every
/// fiber a thread state of its own (gort makes one per G when the G first gets
/// a stack, fiber_make, and keeps it with the G): about 12 ms of CPU each, linear in the
/// count (NOTES §11, "CI time, a fourth time": 1,000 new goroutines 14.4 s,
/// 4,000 48.0 s, on a loaded Machine A), and it dies beyond 8,128.  A
/// thousand exercise the same code paths for the race detector.
inline constexpr int kTsanLiveGoroutines = 1000;

/// n, capped at kTsanLiveGoroutines in a TSAN build only: for counts whose
/// size is the point in release and ASAN (10,000 connections at once).
#if defined(GORT_TSAN)
inline int tsan_capped(int n) { return n < kTsanLiveGoroutines ? n : kTsanLiveGoroutines; }
#else
inline int tsan_capped(int n) { return n; }
#endif

/// Goroutines a test may keep alive at once.  TSAN builds keep at most
/// kTsanLiveGoroutines; ASAN keeps a fifth, as before the iterations went to a
/// half (its shadow memory and redzones multiply what a live goroutine keeps
/// resident).
#if defined(GORT_TSAN)
inline int live_goroutines(int n) { return tsan_capped(n); }
#elif defined(GORT_ASAN)
inline int live_goroutines(int n) { return n / 5 > 0 ? n / 5 : 1; }
#else
inline int live_goroutines(int n) { return n; }
#endif

/// Goroutines that are joined, captures and all, before the scope ends.
///
/// A Go program abandons its goroutines at exit; in gort a goroutine still
/// runnable when gort::run returns keeps its closure (and any channel handle
/// it captured) on a stack that is unmapped, which the ASAN build reports as a
/// leak.  Tests start their goroutines here instead: each runs its function,
/// destroys it (releasing the captures), and only then counts as done.
/// Precondition: used from one goroutine; destroyed before gort::run returns.
class Goroutines {
 public:
  Goroutines() = default;
  Goroutines(const Goroutines&) = delete;
  Goroutines& operator=(const Goroutines&) = delete;
  ~Goroutines() { wg_.wait(); }

  /// Starts fn() as a goroutine that the destructor (or join) waits for.
  template <class F>
  void go(F fn) {
    wg_.add(1);
    gort::go([this, fn = std::move(fn)]() mutable {
      {
        F local = std::move(fn);
        local();
      }
      wg_.done();
    });
  }

  /// Waits until every goroutine started so far has returned.
  void join() { wg_.wait(); }

 private:
  gort::WaitGroup wg_;
};

/// Starts an M besides m0 and returns once the goroutine that woke it has run:
/// goroutine 1's start wakes no M (Go's mainStarted), so a scenario that needs an
/// idle M from the beginning — one asleep in stopm or blocked in the poller — makes
/// it with one `go`, as a Go program's init does.  Precondition: called from the
/// main goroutine before it starts any other, with GOMAXPROCS >= 2 (an idle P to wake).
inline void start_second_m() {
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&wg] { wg.done(); });
  wg.wait();
}

/// CPU time (user + system) this process has used so far, in microseconds.
long process_cpu_us();

/// What a child process did (support/process: gort::run_process).
using ProcessResult = gort::ProcessResult;

/// The timeout of every child process a test runs unless it names its own:
/// far beyond any test program's legitimate run, and below ctest's per-test
/// limit (300 s), so a hang ends with the child's goroutine dump in the
/// failure message rather than with ctest killing the test binary.
inline constexpr int kChildTimeoutMs = 120'000;

/// Runs argv (argv[0] a path, or a name searched on this process's PATH)
/// with this process's environment plus env's "NAME=value" entries, stdin
/// closed, and captures both output streams.  A child still running after
/// timeout_ms gets SIGQUIT (a gort program then dumps its goroutines) and
/// SIGKILL two seconds later; the test then fails with that output attached.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          int timeout_ms = kChildTimeoutMs);

/// A test's scratch directory, <temp>/gort-<tag>-<pid>-<name>: created empty,
/// removed with everything in it when the object goes, so a test run leaves
/// nothing behind.  A path itself (dir / "out.json").
class ScratchDir : public std::filesystem::path {
 public:
  /// Creates the directory (removing a leftover of the same name first).
  ScratchDir(const std::string& tag, const std::string& name);
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  /// Removes the directory and its contents; errors are ignored.
  ~ScratchDir();
};

/// Output of `go tool pprof ARGS... FILE` (Go 1.19's, /usr/bin/go), e.g.
/// args {"-sample_index=alloc_space", "-top"}; adds a test failure with pprof's
/// output when it fails.  Its cache stays in the temporary directory.
std::string go_tool_pprof(const std::vector<std::string>& args, const std::string& file);

#if defined(GORT_TESTPROG_PATH)
/// Runs the gort_testprog program registered as name (tests/testprog/), as
/// Go's runtime tests run testprog: with env over this process's environment,
/// under a timeout.
inline ProcessResult run_testprog(const std::string& name, const std::vector<std::string>& env = {},
                                  int timeout_ms = kChildTimeoutMs) {
  return run_process({GORT_TESTPROG_PATH, name}, env, timeout_ms);
}
#endif

}  // namespace gort::test
