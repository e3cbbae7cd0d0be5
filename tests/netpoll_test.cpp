// netpoll_test.cpp — the network poller on both backends (runtime/src/netpoll.cpp).
//
// Every program runs in a child (tests/testprog/netpoll.cpp) once with
// GODEBUG=netpoll=uring and once with =epoll: the backend is chosen once per
// process.  A child that hangs (a lost wake-up) is stopped by the harness's
// timeout with its goroutine dump.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "test_util.hpp"

namespace {

using gort::test::run_testprog;

class NetpollBackends : public testing::TestWithParam<const char*> {
 protected:
  std::string godebug() const { return std::string("GODEBUG=netpoll=") + GetParam(); }
};

TEST_P(NetpollBackends, GodebugChoosesTheBackend) {
  auto r = run_testprog("NetpollBackend", {godebug()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(GetParam()) + "\n");
  EXPECT_EQ(r.err, "");
}

TEST_P(NetpollBackends, PingPongOnEveryPCountChecksEveryByte) {
  for (const char* procs : {"GOMAXPROCS=1", "GOMAXPROCS=2", "GOMAXPROCS=4"}) {
    auto r = run_testprog("NetpollPingPong", {godebug(), procs});
    EXPECT_EQ(r.exit_code, 0) << procs << "\n" << r.out << r.err;
    EXPECT_EQ(r.out, std::string(GetParam()) + " ok, failures=0\n") << procs;
  }
}

TEST_P(NetpollBackends, AnEarlierTimerBreaksThePollersWaitEveryTime) {
  auto r = run_testprog("NetpollBreak", {godebug()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("woken ([0-9]+) of \\1\n"))) << r.out;
}

TEST_P(NetpollBackends, AGoroutineWaitingOnTheNetworkIsNotADeadlock) {
  auto r = run_testprog("NetpollWaitIsNotADeadlock", {godebug()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST_P(NetpollBackends, TheLastPHandedOffInABlockingCallStartsAPoller) {
  auto r = run_testprog("NetpollLastPHandedOffStartsAPoller", {godebug(), "GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST_P(NetpollBackends, DumpShowsIOWait) {
  auto r = run_testprog("NetpollSigquitShowsIOWait", {godebug()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("\ngoroutine [0-9]+ \\[IO wait\\]:\n"))) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Netpoll, NetpollBackends, testing::Values("uring", "epoll"),
                         [](const testing::TestParamInfo<const char*>& p) { return std::string(p.param); });

TEST(Netpoll, IoUringRefusedFallsBackToEpollWithOneLine) {
  auto r = run_testprog("NetpollWithoutIoUring");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "epoll\n");
  EXPECT_EQ(r.err, "runtime: netpoll: io_uring_setup: Operation not permitted; using epoll\n");
}

TEST(Netpoll, InsistingOnIoUringWhenRefusedExitsWithTheReason) {
  auto r = run_testprog("NetpollWithoutIoUring", {"GODEBUG=netpoll=uring"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "runtime: GODEBUG=netpoll=uring: io_uring_setup: Operation not permitted\n");
}

TEST(Netpoll, MalformedChoiceWarnsAndUsesTheDefault) {
  auto r = run_testprog("NetpollBackend", {"GODEBUG=netpoll=kqueue"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "uring\n");
  EXPECT_EQ(r.err, "runtime: GODEBUG: ignoring netpoll=kqueue: expected uring or epoll\n");
}

}  // namespace
