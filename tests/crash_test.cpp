// crash_test.cpp — how gort programs end: each case runs crash_helper as a
// subprocess and checks output shape and exit status against Go's.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

namespace {

using gort::test::run_process;

gort::test::ProcessResult helper(const std::string& mode, std::vector<std::string> env = {}) {
  return run_process({GORT_CRASH_HELPER, mode}, env);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST(Crash, UnrecoveredPanicInAGoroutinePrintsGosReportAndExits2) {
  auto r = helper("panic");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(starts_with(r.err, "panic: boom\n\ngoroutine ")) << r.err;
  EXPECT_NE(r.err.find(" [running]:\n"), std::string::npos) << r.err;
}

TEST(Crash, AnyCxxExceptionEscapingMainIsAPanic) {
  auto r = helper("std-exception");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(starts_with(r.err, "panic: std::runtime_error: disk full\n\ngoroutine 1 [running]:\n")) << r.err;
}

TEST(Crash, StackOverflowInAGoroutineIsReportedNotCorrupting) {
  auto r = helper("overflow");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("runtime: goroutine stack exceeds 245760-byte limit\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fatal error: stack overflow\n"), std::string::npos) << r.err;
}

TEST(Crash, StackOverflowInTheMainGoroutineIsReported) {
  auto r = helper("overflow-main");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: stack overflow\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("goroutine 1 [running]:"), std::string::npos) << r.err;
}

TEST(Crash, NilDereferenceIsGosRuntimeErrorPanic) {
  auto r = helper("nil");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(starts_with(r.err,
                          "panic: runtime error: invalid memory address or nil pointer dereference\n"
                          "[signal SIGSEGV: segmentation violation code="))
      << r.err;
}

TEST(Exit, ProgramEndsWhenMainReturnsWhileOthersRun) {
  auto r = helper("exit-while-busy");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "main done\n");
}

TEST(Exit, ProgramEndsEvenIfAGoroutineNeverReachesASafePoint) {
  auto r = helper("exit-while-stuck", {"GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.out, "main done\n");
}

TEST(Env, MalformedGomaxprocsWarnsOnceAndUsesTheCpuCount) {
  auto good = helper("procs", {"GOMAXPROCS=3"});
  EXPECT_EQ(good.exit_code, 0);
  EXPECT_EQ(good.out, "GOMAXPROCS=3\n");
  EXPECT_EQ(good.err, "");
  for (const char* bad : {"abc", "0", "-2", "3x", " 4"}) {
    auto r = helper("procs", {std::string("GOMAXPROCS=") + bad});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(starts_with(r.err, std::string("runtime: GOMAXPROCS=\"") + bad + "\": expected a positive integer"))
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(Env, MalformedGodebugEntriesWarnAndAreIgnored) {
  auto r = helper("procs", {"GODEBUG=schedtrace=abc,justaname,unknownknob=1", "GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "GOMAXPROCS=2\n");
  EXPECT_NE(r.err.find("runtime: GODEBUG: ignoring schedtrace=abc: expected a non-negative integer\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("runtime: GODEBUG: ignoring \"justaname\": expected name=value\n"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("unknownknob"), std::string::npos) << "unknown knobs are ignored silently, as in Go";
}

}  // namespace
