// chan_crash_test.cpp — channel panics and wait reasons as a Go programmer
// sees them on stderr: runs the gort_testprog programs of tests/testprog/chan.cpp.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "test_util.hpp"

namespace {

using gort::test::run_testprog;

struct PanicCase {
  const char* name;
  const char* first_lines;
};

/// Names a case by its program in test listings.
void PrintTo(const PanicCase& c, std::ostream* os) { *os << c.name; }

class ChanPanic : public ::testing::TestWithParam<PanicCase> {};

TEST_P(ChanPanic, UnrecoveredPanicPrintsGosMessageAndExits2) {
  const auto r = run_testprog(GetParam().name);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with(GetParam().first_lines)) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Go, ChanPanic,
    ::testing::Values(PanicCase{"SendOnClosedChan", "panic: send on closed channel\n\ngoroutine 1 [running]:\n"},
                      PanicCase{"CloseOfNilChan", "panic: close of nil channel\n\ngoroutine 1 [running]:\n"},
                      PanicCase{"CloseOfClosedChan", "panic: close of closed channel\n\ngoroutine 1 [running]:\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ChanDeadlock, MainBlockedOnAReceiveIsReportedAsGoDoes) {
  const auto r = run_testprog("RecvOnlyMain");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"))
      << r.err;
}

TEST(ChanDeadlock, EveryChannelWaitReasonAppearsInTheReport) {
  const auto r = run_testprog("ChanWaitReasons");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [select (no cases)]:\n"))
      << r.err;
  for (const char* reason : {"chan receive", "chan send", "select", "chan send (nil chan)", "chan receive (nil chan)"}) {
    EXPECT_NE(r.err.find(std::string(" [") + reason + "]:\n"), std::string::npos) << reason << "\n" << r.err;
  }
}

}  // namespace
