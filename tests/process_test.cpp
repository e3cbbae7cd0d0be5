// process_test.cpp — how the tests and the labs run a child process
// (support/process: gort::run_process) and gort_testprog's command line
// (tests/testprog/main.cpp): PATH search, environment, stdin, working
// directory, and the timeout that asks a hung child for its goroutine dump.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <string>

#include "test_util.hpp"

namespace {

TEST(Process, BareNameIsSearchedOnThisProcesssPathNotTheChilds) {
  gort::ProcessOptions o;
  o.env = {"PATH=/nonexistent-gort-dir"};
  auto r = gort::run_process({"sh", "-c", "echo \"$PATH\""}, o);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/nonexistent-gort-dir\n");
}

TEST(Process, ProgramNotFoundIsNotStarted) {
  auto r = gort::run_process({"gort-no-such-program"});
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error, "gort-no-such-program: No such file or directory");
  auto p = gort::run_process({"/nonexistent-gort-dir/prog"});
  EXPECT_FALSE(p.started);
}

TEST(Process, EnvironmentIsThisProcesssWithEntriesReplacedOrAdded) {
  ASSERT_EQ(setenv("GORT_PROCESS_TEST_KEPT", "kept", 1), 0);
  ASSERT_EQ(setenv("GORT_PROCESS_TEST_REPLACED", "old", 1), 0);
  gort::ProcessOptions o;
  o.env = {"GORT_PROCESS_TEST_REPLACED=new", "GORT_PROCESS_TEST_ADDED=added"};
  auto r = gort::run_process({"/bin/sh", "-c",
                              "echo $GORT_PROCESS_TEST_KEPT $GORT_PROCESS_TEST_REPLACED $GORT_PROCESS_TEST_ADDED; "
                              "env | grep -c ^GORT_PROCESS_TEST_REPLACED="},
                             o);
  unsetenv("GORT_PROCESS_TEST_KEPT");
  unsetenv("GORT_PROCESS_TEST_REPLACED");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "kept new added\n1\n");
}

TEST(Process, StdinGetsTheInputThenEndOfFile) {
  auto empty = gort::run_process({"cat"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");
  gort::ProcessOptions o;
  o.input = std::string(1 << 20, 'x');  // beyond any socket buffer
  auto r = gort::run_process({"cat"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, o.input);
}

// The caller must not die of SIGPIPE when a child leaves its input unread.
TEST(Process, UnreadInputIsDroppedWithoutSigpipe) {
  gort::ProcessOptions o;
  o.input = std::string(1 << 20, 'x');
  auto r = gort::run_process({"true"}, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(Process, RunsInTheGivenDirectory) {
  gort::ProcessOptions o;
  o.cwd = "/";
  auto r = gort::run_process({"sh", "-c", "pwd"}, o);
  EXPECT_EQ(r.out, "/\n");
  o.cwd = "/nonexistent-gort-dir";
  EXPECT_FALSE(gort::run_process({"sh", "-c", "pwd"}, o).started);
}

TEST(Process, ExitStatusOrSignal) {
  EXPECT_EQ(gort::run_process({"sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(gort::run_process({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + SIGTERM);
}

// A hung gort program gets SIGQUIT at the timeout and prints every goroutine.
TEST(Process, TimeoutSendsSigquitAndKeepsTheGoroutineDump) {
  gort::ProcessOptions o;
  o.timeout_ms = 1000;
  auto r = gort::run_process({GORT_TESTPROG_PATH, "SleepForever"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with("SIGQUIT: quit\n")) << r.err;
  EXPECT_NE(r.err.find("\ngoroutine 1 [sleep]:\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("waiter(gort::WaitGroup*)"), std::string::npos) << r.err;
}

// A child that ignores SIGQUIT is killed after the grace period.
TEST(Process, ChildIgnoringSigquitIsKilledAfterTheGrace) {
  gort::ProcessOptions o;
  o.timeout_ms = 200;
  o.quit_grace_ms = 200;
  auto r = gort::run_process({"sh", "-c", "trap '' QUIT; exec sleep 60"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

// A test's child that hangs fails the test, with the dump in the message.
TEST(Process, TestsChildTimeoutFailsTheTestWithTheDump) {
  EXPECT_NONFATAL_FAILURE(gort::test::run_testprog("SleepForever", {}, 1000), "goroutine 1 [sleep]:");
}

TEST(Testprog, ListNamesEveryProgram) {
  auto r = gort::test::run_process({GORT_TESTPROG_PATH, "--list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"Deadlock\n", "ChanWaitReasons\n", "GCTrace\n", "LockedBlocking\n", "TraceWorkload\n"}) {
    EXPECT_NE(r.out.find(name), std::string::npos) << name << r.out;
  }
}

TEST(Testprog, UnknownNameExits2WithTheList) {
  auto r = gort::test::run_testprog("NoSuchProgram");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("gort_testprog: unknown program NoSuchProgram; the programs:\n")) << r.err;
  EXPECT_NE(r.err.find("\nDeadlock\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
