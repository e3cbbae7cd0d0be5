// overflow.cpp — the overflowing child and the parsing of its report (see overflow.hpp).
#include "overflow.hpp"

#include <gort/runtime.hpp>
#include <gort/support/process.hpp>
#include <gort/waitgroup.hpp>
#include <lab/go_twin.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <sstream>
#include <vector>

#include "depth.hpp"

namespace stacklab {

namespace {

/// An observer for a recursion that never reaches its bottom.
class Unreached final : public DepthObserver {
 public:
  void at_deepest(int, std::uintptr_t, std::uintptr_t, bool) override {}
};

/// Extra environment for an overflowing child.  Under ThreadSanitizer the
/// runtime's crash report, printed from the SIGSEGV handler by allocating
/// symbolizers, would draw one TSAN report per allocation, each with the
/// ~800-frame stack, for minutes; the child dies right after, so they are
/// noise (tests/crash_test.cpp silences them the same way).
std::vector<std::string> child_environment() {
#if defined(GORT_TSAN)
  return {gort::env_with_option("TSAN_OPTIONS", "report_signal_unsafe=0")};
#else
  return {};
#endif
}

/// hi - lo of "stack=[0xlo, 0xhi]" in a report line (Go's and gort's
/// "runtime: sp=0x... stack=[0x..., 0x...]"), or nullopt without one.
std::optional<std::uint64_t> stack_bounds_size(const std::string& line) {
  const std::size_t at = line.find("stack=[");
  if (at == std::string::npos) return std::nullopt;
  const char* p = line.c_str() + at + 7;
  char* end = nullptr;
  const unsigned long long lo = std::strtoull(p, &end, 16);
  if (end == p || std::strncmp(end, ", ", 2) != 0) return std::nullopt;
  p = end + 2;
  const unsigned long long hi = std::strtoull(p, &end, 16);
  if (end == p || *end != ']' || hi <= lo) return std::nullopt;
  return hi - lo;
}

/// A result whose head says why no report exists.
OverflowReport not_run(std::string runtime, std::string why) {
  OverflowReport r;
  r.runtime = std::move(runtime);
  r.head.push_back(std::move(why));
  return r;
}

}  // namespace

int run_overflow_mode() {
  return gort::run([] {
    Unreached observer;
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      // Far beyond any stack: 256+ bytes per call times INT_MAX.
      const int n = depth(std::numeric_limits<int>::max(), 0, STACKLAB_FRAME_ADDRESS(), observer);
      std::fprintf(stderr, "stack-growth: depth returned %d without overflowing\n", n);
      wg.done();
    });
    wg.wait();
    return 1;
  });
}

OverflowReport parse_overflow_report(std::string runtime, int exit_code, const std::string& stderr_text) {
  OverflowReport r;
  r.runtime = std::move(runtime);
  r.exit_code = exit_code;
  std::istringstream in(stderr_text);
  std::string line;
  while (std::getline(in, line)) {
    ++r.total_lines;
    if (static_cast<int>(r.head.size()) < kOverflowHeadLines) r.head.push_back(line);
    if (!r.limit_line && line.find("goroutine stack exceeds") != std::string::npos) r.limit_line = line;
    if (line == "fatal error: stack overflow") r.fatal_line = true;
    if (!r.stack_bytes) r.stack_bytes = stack_bounds_size(line);
  }
  return r;
}

OverflowReport run_overflow_child() {
  std::string error;
  auto run = lab::run_self({"--overflow"}, child_environment(), &error);
  if (!run) return not_run("gort", "cannot run the overflow child: " + error);
  return parse_overflow_report("gort", run->exit_code, run->err);
}

OverflowReport run_go_overflow(std::uint64_t max_stack_bytes) {
  std::string error;
  auto run =
      lab::run_go_twin("stack-growth", {"-overflow", "-maxstack=" + std::to_string(max_stack_bytes)}, {}, &error);
  if (!run) return not_run("go", "Go twin not run: " + error);
  return parse_overflow_report("go", run->exit_code, run->err);
}

}  // namespace stacklab
