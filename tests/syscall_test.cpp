// syscall_test.cpp — blocking calls: the P is lent out and handed on.
#include <gort/gort.hpp>
#include <gort/runtime/internal/park.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "test_util.hpp"

namespace {

using namespace std::chrono;

TEST(Blocking, ReturnsTheResultAndPropagatesExceptions) {
  gort::run([] {
    EXPECT_EQ(gort::blocking([] { return 41 + 1; }), 42);
    int side = 0;
    gort::blocking([&] { side = 7; });
    EXPECT_EQ(side, 7);
    EXPECT_THROW(gort::blocking([]() -> int { throw std::runtime_error("io"); }), std::runtime_error);
    // The goroutine is running normally again afterwards.
    gort::gosched();
  });
}

// On one P, a goroutine blocked in a long call must not stop the others:
// sysmon hands the P to another M.  The blocked call waits for a goroutine
// queued on that very P, so without the hand-off this would never finish.
TEST(Blocking, LongBlockingCallHandsThePToAnotherM) {
  for (int iter = 0; iter < gort::test::scaled(20) + 1; ++iter) {
    gort::run([] {
      gort::gomaxprocs(1);
      std::atomic<bool> progressed{false};
      gort::WaitGroup wg;
      wg.add(2);
      gort::go([&] {
        gort::go([&] {  // queued in runnext of this P, which we then lend out
          progressed = true;
          wg.done();
        });
        gort::blocking([&] {
          while (!progressed.load()) std::this_thread::sleep_for(microseconds(50));
        });
        wg.done();
      });
      wg.wait();
      EXPECT_TRUE(progressed.load());
    });
  }
}

// sysmon sleeps while every P is idle.  A goroutine coming back from a blocking
// call takes the idle P itself (no M is started, so nothing wakes sysmon),
// readies another goroutine and blocks again: the new call must wake sysmon
// (Go's entersyscall_sysmon), or the P, with a runnable goroutine in runnext,
// stays lent to the call for good.  The blocking call gives up after 10 s so a
// failure is a failure, not a hang.
TEST(Blocking, BlockingCallAfterAllPsWereIdleStillHandsThePOn) {
  gort::run([] {
    gort::gomaxprocs(1);
    const int n = gort::test::scaled(300);
    int handed_on = 0;
    for (int i = 0; i < n; ++i) {
      // The P is retaken during this call and, with no work, goes idle; sysmon
      // sees every P idle and sleeps; exitsyscall takes the idle P back.
      gort::blocking([] { std::this_thread::sleep_for(microseconds(300)); });
      std::atomic<bool> progressed{false};
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {  // runnext of the P about to be lent out
        progressed = true;
        wg.done();
      });
      const bool ran = gort::blocking([&] {
        const auto give_up = steady_clock::now() + seconds(10);
        while (!progressed.load() && steady_clock::now() < give_up) std::this_thread::sleep_for(microseconds(20));
        return progressed.load();
      });
      wg.wait();
      if (!ran) break;
      ++handed_on;
    }
    EXPECT_EQ(handed_on, n) << "a goroutine readied before a blocking call did not run during it";
  });
}

// The same idle P taken back by exitsyscall, then kept by a goroutine that
// never blocks again: sysmon must be awake to preempt it after its time slice
// (Go's exitsyscallfast_pidle wakes it), or the goroutine it readied never
// runs on the only P.  The loop gives up after 10 s.
TEST(Blocking, GoroutineBackOnAnIdlePIsStillPreempted) {
  gort::run([] {
    gort::gomaxprocs(1);
    const int n = gort::test::scaled(20);
    int preempted = 0;
    for (int i = 0; i < n; ++i) {
      gort::blocking([] { std::this_thread::sleep_for(microseconds(300)); });
      std::atomic<bool> progressed{false};
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        progressed = true;
        wg.done();
      });
      const auto give_up = steady_clock::now() + seconds(10);
      while (!progressed.load() && steady_clock::now() < give_up) gort::preempt_point();
      const bool ran = progressed.load();
      wg.wait();
      if (!ran) break;
      ++preempted;
    }
    EXPECT_EQ(preempted, n) << "a goroutine spinning on the only P was never preempted";
  });
}

// Many goroutines in short and long blocking calls at once, with others
// computing: everyone finishes and goroutines come back to a P each time.
TEST(Blocking, ManyConcurrentBlockingCallsAllReturn) {
  gort::run([] {
    gort::gomaxprocs(2);
    const int n = gort::test::scaled(64), calls = gort::test::scaled(100);
    std::atomic<long> done{0};
    gort::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&, i] {
        for (int k = 0; k < calls; ++k) {
          gort::blocking([&] { usleep((i + k) % 3 == 0 ? 200 : 1); });
          if (k % 10 == 0) gort::gosched();
        }
        done.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(done.load(), n);
  });
}

// gomaxprocs (a stop-the-world) completes while goroutines sit in blocking calls.
TEST(Blocking, StopTheWorldDoesNotWaitForBlockingCalls) {
  gort::run([] {
    std::atomic<bool> release{false};
    std::atomic<int> inside{0};
    gort::WaitGroup wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i) {
      gort::go([&] {
        gort::blocking([&] {
          inside.fetch_add(1);
          while (!release.load()) std::this_thread::sleep_for(microseconds(200));
        });
        wg.done();
      });
    }
    while (inside.load() < 3) gort::sleep(microseconds(100));
    const int prev = gort::gomaxprocs(1);
    gort::gomaxprocs(prev);
    release = true;
    wg.wait();
  });
}

TEST(Blocking, LockedGoroutineKeepsItsThreadAcrossABlockingCall) {
  gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      gort::lock_os_thread();
      const auto self = std::this_thread::get_id();
      for (int i = 0; i < 20; ++i) {
        gort::blocking([] { usleep(300); });
        EXPECT_EQ(std::this_thread::get_id(), self);
      }
      gort::unlock_os_thread();
      wg.done();
    });
    wg.wait();
  });
}

}  // namespace
