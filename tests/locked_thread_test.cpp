// locked_thread_test.cpp — goroutines wired to their threads (lock_os_thread)
// meeting blocking calls, GOMAXPROCS changes and collections.  The combined
// programs run as subprocesses (tests/testprog/sched.cpp) under a timeout: a locked
// goroutine that is never run again fails with the program's goroutine dump.
#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "current.hpp"
#include "m.hpp"
#include "test_util.hpp"

namespace {

using gort::test::scaled;

pid_t gettid_now() { return static_cast<pid_t>(syscall(SYS_gettid)); }

/// The programs run under the default child timeout (kChildTimeoutMs, 120 s),
/// which only a hang reaches.  Until 2026-12-07 it was 20 s, "long enough in a
/// sanitizer build on a busy 2-CPU machine", and a TSAN run of
/// LockedGomaxprocsGC in CI passed it while still making progress: each thread
/// a locked goroutine ends and each one started for it costs TSAN about 12 ms,
/// and that program ended hundreds (on a loaded Machine A: 4-18 s a run).
using gort::test::run_testprog;

// Issue 17 item 3: a locked goroutine back from a blocking call that found an
// idle P on its way to g0 was left in the M's nextg while the M slept in
// stoplockedm: it never ran again.
TEST(LockedThread, BlockingCallsAlwaysResumeOnTheirThread) {
  for (int run = 0; run < scaled(5); ++run) {
    const auto r = run_testprog("LockedBlocking", {"GOMAXPROCS=2"});
    ASSERT_FALSE(r.timed_out) << "run " << run << " hung:\n" << r.out << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(", 0 resumed elsewhere"), std::string::npos) << r.out;
  }
}

// Issue 17 item 4: locked goroutines sleeping, blocking, receiving and
// allocating while GOMAXPROCS moves between 1 and 5 and collections run.
TEST(LockedThread, GomaxprocsChangesAndCollectionsNeverStrandALockedGoroutine) {
  for (int run = 0; run < scaled(3); ++run) {
    const auto r = run_testprog("LockedGomaxprocsGC");
    ASSERT_FALSE(r.timed_out) << "run " << run << " hung:\n" << r.out << r.err;
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
}

// lock_os_thread nests (Go 1.10+): the goroutine stays wired until as many
// unlock_os_thread calls, and an extra unlock is a no-op.
TEST(LockedThread, LocksNestUntilTheOutermostUnlock) {
  gort::run([] {
    namespace rt = gort::runtime;
    gort::test::Goroutines busy;
    std::atomic<bool> stop{false};
    for (int i = 0; i < 2; ++i) {
      busy.go([&] {
        while (!stop.load()) gort::gosched();
      });
    }
    auto wired = [] { return rt::current_m()->lockedg == rt::current_m()->curg; };
    gort::lock_os_thread();
    gort::lock_os_thread();
    gort::lock_os_thread();
    const pid_t tid = gettid_now();
    for (int unlocks = 0; unlocks < 2; ++unlocks) {
      gort::unlock_os_thread();
      EXPECT_TRUE(wired()) << "unwired after " << unlocks + 1 << " of 3 unlocks";
      for (int i = 0; i < scaled(200); ++i) {
        gort::gosched();
        gort::blocking([] { usleep(10); });
        EXPECT_EQ(gettid_now(), tid);
      }
    }
    gort::unlock_os_thread();
    EXPECT_FALSE(wired());
    EXPECT_EQ(rt::current_m()->lockedg, nullptr);
    gort::unlock_os_thread();  // not locked: no effect
    EXPECT_EQ(rt::current_m()->lockedg, nullptr);
    stop.store(true);
  });
}

// A goroutine that exits while locked takes its thread with it (Go's goexit0
// returns the M to mstart, which exits the thread): the thread's id disappears.
// The thread that called gort::run (m0) must return from it, so there it is
// only unwired (Go wedges m0 instead); runs that landed there are not counted.
TEST(LockedThread, ExitingWhileLockedEndsTheThread) {
  const pid_t m0 = gettid_now();
  gort::run([m0] {
    // Wired to its thread, the main goroutine keeps the others off it (Go's
    // runtime.main is locked to m0 the same way during init).
    gort::lock_os_thread();
    int checked = 0;
    for (int i = 0; checked < scaled(20); ++i) {
      ASSERT_LT(i, 10 * scaled(20)) << "the locked goroutines kept landing on m0";
      std::atomic<pid_t> tid{0};
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        gort::lock_os_thread();
        gort::blocking([] { usleep(10); });
        tid.store(gettid_now());
        wg.done();
      });
      wg.wait();
      if (tid.load() == m0) continue;
      ++checked;
      const std::string task = "/proc/self/task/" + std::to_string(tid.load());
      // The thread ends right after the goroutine's last switch: a bounded wait
      // that reports instead of hanging.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (access(task.c_str(), F_OK) == 0 && std::chrono::steady_clock::now() < deadline) {
        gort::sleep(std::chrono::microseconds(100));
      }
      ASSERT_NE(access(task.c_str(), F_OK), 0) << "thread " << tid.load() << " outlived its locked goroutine";
    }
  });
}

}  // namespace
