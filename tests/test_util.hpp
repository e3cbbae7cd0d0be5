// test_util.hpp — helpers shared by the test suites.
#pragma once

#include <gort/waitgroup.hpp>
#include <gort/runtime.hpp>

#include <string>
#include <utility>
#include <vector>

namespace gort::test {

/// Scale for counts in stress tests: sanitizer builds run the same tests with
/// fewer goroutines/iterations per run (both sanitizers slow switches ~10x) and
/// scripts/test.sh repeats their runs instead, so CI stays within its budget.
#if defined(GORT_TSAN) || defined(GORT_ASAN)
inline constexpr int kSanitizerDivisor = 5;
#else
inline constexpr int kSanitizerDivisor = 1;
#endif

/// n scaled down for sanitizer builds (never below 1).
inline int scaled(int n) { return n / kSanitizerDivisor > 0 ? n / kSanitizerDivisor : 1; }

/// Goroutines a test may keep alive at once.  TSAN counts every fiber as a
/// thread and dies beyond 8128, so TSAN builds stay well under that.
#if defined(GORT_TSAN)
inline int live_goroutines(int n) { return n < 4000 ? n : 4000; }
#else
inline int live_goroutines(int n) { return scaled(n); }
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

/// CPU time (user + system) this process has used so far, in microseconds.
long process_cpu_us();

struct ProcessResult {
  int exit_code = -1;     // exit status, or 128+signal if killed
  std::string out;        // stdout
  std::string err;        // stderr
  bool timed_out = false; // still running at the timeout: sent SIGQUIT, then SIGKILL
};

/// Runs argv with extra environment entries ("NAME=value") and captures output.
/// With timeout_ms > 0, a child still running after that long gets SIGQUIT (a
/// gort program then dumps its goroutines: the evidence of a hang) and, if it
/// has not exited two seconds later, SIGKILL; timed_out is set either way.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {}, int timeout_ms = 0);

}  // namespace gort::test
