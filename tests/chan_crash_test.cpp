// chan_crash_test.cpp — channel panics and wait reasons as a Go programmer
// sees them on stderr: runs tests/chan_helper.cpp's modes as subprocesses.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "test_util.hpp"

namespace {

gort::test::ProcessResult helper(const std::string& mode) {
  return gort::test::run_process({GORT_CHAN_HELPER, mode});
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

struct PanicCase {
  const char* mode;
  const char* first_lines;
};

/// Names a case by its mode in test listings.
void PrintTo(const PanicCase& c, std::ostream* os) { *os << c.mode; }

class ChanPanic : public ::testing::TestWithParam<PanicCase> {};

TEST_P(ChanPanic, UnrecoveredPanicPrintsGosMessageAndExits2) {
  const auto r = helper(GetParam().mode);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(starts_with(r.err, GetParam().first_lines)) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Go, ChanPanic,
    ::testing::Values(PanicCase{"send-on-closed", "panic: send on closed channel\n\ngoroutine 1 [running]:\n"},
                      PanicCase{"close-of-nil", "panic: close of nil channel\n\ngoroutine 1 [running]:\n"},
                      PanicCase{"close-of-closed", "panic: close of closed channel\n\ngoroutine 1 [running]:\n"}),
    [](const auto& info) {
      std::string name = info.param.mode;
      for (char& ch : name) {
        if (ch == '-') ch = '_';
      }
      return name;
    });

TEST(ChanDeadlock, MainBlockedOnAReceiveIsReportedAsGoDoes) {
  const auto r = helper("recv-only-main");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(starts_with(r.err, "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"))
      << r.err;
}

TEST(ChanDeadlock, EveryChannelWaitReasonAppearsInTheReport) {
  const auto r = helper("wait-reasons");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(starts_with(r.err, "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [select (no cases)]:\n"))
      << r.err;
  for (const char* reason : {"chan receive", "chan send", "select", "chan send (nil chan)", "chan receive (nil chan)"}) {
    EXPECT_NE(r.err.find(std::string(" [") + reason + "]:\n"), std::string::npos) << reason << "\n" << r.err;
  }
}

}  // namespace
