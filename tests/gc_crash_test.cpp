// gc_crash_test.cpp — the collector's output and fatal errors, checked in
// subprocesses (tests/testprog/gc.cpp): the gctrace line in Go's exact format,
// checkmark catching a missed object, misuse ending with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>

#include "test_util.hpp"

namespace {

using gort::test::run_testprog;

TEST(GcCrash, GctraceLinesHaveGosFormat) {
  const auto r = run_testprog("GCTrace", {"GODEBUG=gctrace=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // gc 4 @0.046s 1%: 0.015+1.4+0.029 ms clock, 0.12+0.46/1.4/0.18+0.23 ms cpu, 10->12->9 MB, 11 MB goal,
  //   0 MB stacks, 0 MB globals, 8 P
  const std::string ms = R"((?:0|[0-9]+(?:\.[0-9]{1,3})?))";
  const std::regex line("gc ([0-9]+) @[0-9]+\\.[0-9]{3}s [0-9]+%: " + ms + "\\+" + ms + "\\+" + ms + " ms clock, " +
                        ms + "\\+" + ms + "/" + ms + "/" + ms + "\\+" + ms +
                        " ms cpu, [0-9]+->[0-9]+->[0-9]+ MB, [0-9]+ MB goal, [0-9]+ MB stacks, [0-9]+ MB globals, "
                        "[0-9]+ P( \\(forced\\))?");
  std::istringstream in(r.err);
  std::string l;
  int lines = 0, forced = 0, expect_n = 1;
  while (std::getline(in, l)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << "not Go's gctrace format: " << l;
    EXPECT_EQ(std::stoi(m[1]), expect_n++) << "cycles are numbered from 1";
    ++lines;
    if (m[2].matched) ++forced;
  }
  EXPECT_GE(lines, 2) << r.err;
  EXPECT_EQ(forced, 1) << "only the gc::collect cycle is forced";
  EXPECT_NE(r.err.rfind(" (forced)\n"), std::string::npos) << "the last line is the forced one";
}

TEST(GcCrash, NoGctraceWithoutTheSetting) {
  const auto r = run_testprog("GCTrace");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(GcCrash, CheckmarkCatchesAnObjectTheMarkMissed) {
  const auto r = run_testprog("CheckmarkMiss", {"GODEBUG=gccheckmark=1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("runtime: checkmarks found unexpected unmarked object obj=0x"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("type=gort::testprog::Node"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fatal error: checkmark found unmarked object"), std::string::npos) << r.err;
}

TEST(GcCrash, AllocatingInADestructorIsFatal) {
  const auto r = run_testprog("AllocInDestructor");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: gc: allocation from a destructor run by the sweeper"), std::string::npos)
      << r.err;
}

TEST(GcCrash, ForeignThreadAllocationNeedsAScope) {
  const auto r = run_testprog("ForeignAlloc");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: gc: managed allocation on a thread without a P"), std::string::npos) << r.err;
  const auto ok = run_testprog("ForeignAllocScoped");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "sum 4950\n");
}

TEST(GcCrash, CollectOutsideTheRuntimeIsFatal) {
  const auto r = run_testprog("CollectOutsideRun");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: gc.collect: called outside a goroutine"), std::string::npos) << r.err;
}

TEST(GcCrash, MalformedGomemlimitExitsLikeGo) {
  const auto r = run_testprog("GCTrace", {"GOMEMLIMIT=12 parsecs"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("GOMEMLIMIT=12 parsecs\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("malformed GOMEMLIMIT"), std::string::npos) << r.err;
}

TEST(GcCrash, MalformedGogcWarnsAndUsesTheDefault) {
  const auto r = run_testprog("GCTrace", {"GOGC=lots"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "runtime: GOGC: ignoring \"lots\": expected an integer percentage or \"off\"; using 100\n");
}

// GOMEMLIMIT below the live heap (Go's memoryLimitHeapGoal can only return the
// marked heap): the program finishes, the goal follows the live heap instead
// of running away from the limit, and the heap passes the live heap by no more
// than the limit (or the 4 MiB minimum heap when the limit is smaller): what
// the program allocates during a mark, which assists pace to 10% past the goal
// and which a limiting GC CPU limiter lets run on.  How many cycles and how
// long are benchmark figures (labs/gc-forensics, --memlimit 20MiB), not
// asserted here.  Sanitizer builds keep a fifth of the heap under a fifth of
// the limit.
TEST(GcCrash, RetainingPastTheMemoryLimitFinishesWithTheHeapBounded) {
  const uint64_t live_mb = static_cast<uint64_t>(gort::test::scaled(24));
  const uint64_t limit_mb = live_mb / 3;
  const auto r = run_testprog("RetainPastTheMemoryLimit",
                              {"RETAIN_MIB=" + std::to_string(live_mb), "GOMEMLIMIT=" + std::to_string(limit_mb) + "MiB",
                               "GOGC=100", "GODEBUG=gctrace=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "retained " + std::to_string(live_mb * 1024) + "\n");
  constexpr uint64_t kMinimumHeapMB = 4;
  const uint64_t overshoot_mb = std::max(limit_mb, kMinimumHeapMB);
  // The slice's backing array (192 KiB at 24 MiB) and MB truncation: 1 MB.
  constexpr uint64_t kSlackMB = 1;
  const std::regex line(R"(gc ([0-9]+) @.* ([0-9]+)->([0-9]+)->([0-9]+) MB, ([0-9]+) MB goal, .*)");
  std::istringstream in(r.err);
  std::string l;
  int cycles = 0;
  uint64_t prev_marked = 0;
  while (std::getline(in, l)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    const uint64_t start = std::stoull(m[2]), end = std::stoull(m[3]), marked = std::stoull(m[4]),
                   goal = std::stoull(m[5]);
    EXPECT_LE(end, live_mb + kSlackMB + overshoot_mb) << "the heap ran past the live heap: " << l;
    EXPECT_LE(start, live_mb + kSlackMB + overshoot_mb) << l;
    EXPECT_LE(marked, live_mb + kSlackMB) << l;
    EXPECT_LE(goal, std::max(limit_mb, prev_marked + kSlackMB)) << "the goal left the limit: " << l;
    prev_marked = marked;
    ++cycles;
  }
  EXPECT_GE(cycles, 3) << "a limit below the live heap collects repeatedly: " << r.err;
}

}  // namespace
