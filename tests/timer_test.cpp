// timer_test.cpp — runtime timers and gort::sleep.
#include <gort/gort.hpp>
#include <gort/runtime/internal/timer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "p.hpp"
#include "poll_util.hpp"
#include "sched.hpp"
#include "test_util.hpp"

namespace {

using namespace std::chrono;
using gort::test::scaled;
namespace rt = gort::runtime;

TEST(Sleep, NeverReturnsEarly) {
  gort::run([] {
    const int n = gort::test::scaled(2000);
    std::atomic<int> early{0};
    gort::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&, i] {
        const auto d = microseconds((i * 7919) % 3000);
        const auto t0 = steady_clock::now();
        gort::sleep(d);
        if (steady_clock::now() - t0 < d) early.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(early.load(), 0);
  });
}

// A sleeping program's one idle M waits in the network poller until the
// timer (Go's findrunnable), not on a futex: an observer outside the runtime
// sees the poller taken (lastpoll 0) with a wake-up time set, while every
// sleep still returns no earlier than asked.
TEST(Sleep, TheIdleMWaitsForTheTimerInTheNetworkPoller) {
  gort::run([] {
    gort::gomaxprocs(1);
    std::atomic<bool> seen{false};
    std::atomic<bool> done{false};
    std::thread observer([&] {
      while (!done.load() && !seen.load()) {
        if (rt::sched.lastpoll.load() == 0 && rt::sched.poll_until.load() != 0) seen.store(true);
      }
    });
    int early = 0;
    for (int nap = 0; nap < 2000 && !seen.load(); ++nap) {  // 2000 naps: 10 s, far beyond need
      const auto t0 = steady_clock::now();
      gort::sleep(milliseconds(5));
      if (steady_clock::now() - t0 < milliseconds(5)) ++early;
    }
    done.store(true);
    observer.join();
    EXPECT_TRUE(seen.load());
    EXPECT_EQ(early, 0);
  });
}

TEST(Sleep, ZeroOrNegativeReturnsAtOnce) {
  gort::run([] {
    gort::sleep(nanoseconds(0));
    gort::sleep(milliseconds(-5));
    SUCCEED();
  });
}

// On one P, a sleeping goroutine wakes while another keeps the P busy: its
// timer runs at the busy goroutine's next schedule point (sysmon preempts it
// after 10 ms).  If timers never fired, the busy loop would never end.
TEST(Sleep, TimerFiresWhileThePIsBusy) {
  gort::run([] {
    gort::gomaxprocs(1);
    std::atomic<bool> woke{false};
    gort::WaitGroup wg;
    wg.add(2);
    gort::go([&] {
      gort::sleep(milliseconds(2));
      woke = true;
      wg.done();
    });
    gort::go([&] {
      while (!woke.load()) gort::preempt_point();
      wg.done();
    });
    wg.wait();
    EXPECT_TRUE(woke.load());
  });
}

// Two Ps: the sleeper's timer sits on a P whose goroutine computes without any
// safe point.  Only another M (the timer waiter) can run that timer.
TEST(Sleep, TimerOnABusyPIsRunByAnotherM) {
  gort::run([] {
    gort::gomaxprocs(2);
    std::atomic<bool> woke{false};
    std::atomic<bool> sleeping{false};
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      // Runs on this P; arm the timer here, then hog the P from a fresh goroutine
      // placed in runnext so it runs on this same P right after we park.
      gort::go([&] {
        while (!sleeping.load()) asm volatile("");
        while (!woke.load()) asm volatile("");  // no safe point at all
        wg.done();
      });
      sleeping = true;
      gort::sleep(milliseconds(3));
      woke = true;
    });
    wg.wait();
    EXPECT_TRUE(woke.load());
  });
}

TEST(Sleep, IdleRuntimeWaitingForTimersBurnsAlmostNoCpu) {
  gort::run([] {
    const long before = gort::test::process_cpu_us();
    gort::WaitGroup wg;
    wg.add(10);
    for (int i = 0; i < 10; ++i) {
      gort::go([&] {
        gort::sleep(milliseconds(500));
        wg.done();
      });
    }
    wg.wait();
    const long cpu_us = gort::test::process_cpu_us() - before;
    // An M that polls instead of sleeping until the next timer burns the whole 500 ms on
    // its core; a sleeping runtime uses a few ms in release builds, and up to ~100 ms under
    // TSAN on a slow machine (its own background thread, sysmon's backoff ticks: 85 and
    // 104 ms seen).  Half the wait keeps the two apart by a factor of two either way.
    EXPECT_LT(cpu_us, 250'000) << "an M must sleep until the next timer, not poll";
  });
}

struct Fired {
  std::mutex mu;
  std::vector<uintptr_t> order;
};

void record(void* arg, uintptr_t seq, int64_t) {
  auto* f = static_cast<Fired*>(arg);
  std::lock_guard<std::mutex> g(f->mu);
  f->order.push_back(seq);
}

// Every armed timer fires exactly once, deleted ones never, a modified one at
// its new time.  (Timers due within microseconds of each other may be run by
// two Ms at once — the timer waiter and a P — so their relative order is not
// asserted; timer 0 is moved 50 ms past the others so its place is certain.)
TEST(Timers, EachFiresOnceDeletedNeverModifiedAtItsNewTime) {
  gort::run([] {
    Fired fired;
    const int n = 500;
    std::vector<rt::RuntimeTimer> timers(n);
    std::vector<int> perm(n);
    for (int i = 0; i < n; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), std::mt19937(42));
    const int64_t base = rt::nanotime_now() + 200'000'000;  // arming and deleting finish long before
    for (int i : perm) {
      timers[i].when = base + int64_t(i) * 10'000;  // 10 µs apart, ascending by index
      timers[i].f = &record;
      timers[i].arg = &fired;
      timers[i].seq = static_cast<uintptr_t>(i);
      rt::addtimer(&timers[i]);
    }
    // Delete every 7th; move timer 0 to the very end.
    int deleted = 0;
    for (int i = 7; i < n; i += 7) {
      EXPECT_TRUE(rt::deltimer(&timers[i]));
      EXPECT_FALSE(rt::deltimer(&timers[i]));
      ++deleted;
    }
    EXPECT_TRUE(rt::modtimer(&timers[0], base + int64_t(n) * 10'000 + 50'000'000, 0));
    // Wait until every live timer fired (bounded: a lost timer fails, not hangs).
    const size_t want = static_cast<size_t>(n - deleted);
    for (int i = 0; i < 10'000; ++i) {
      {
        std::lock_guard<std::mutex> g(fired.mu);
        if (fired.order.size() >= want) break;
      }
      gort::sleep(milliseconds(1));
    }
    gort::sleep(milliseconds(2));  // a deleted timer that wrongly fired would show up now
    std::lock_guard<std::mutex> g(fired.mu);
    ASSERT_EQ(fired.order.size(), static_cast<size_t>(n - deleted));
    EXPECT_EQ(fired.order.back(), 0u);
    std::vector<int> times_fired(n, 0);
    for (uintptr_t s : fired.order) ++times_fired[s];
    for (int i = 0; i < n; ++i) EXPECT_EQ(times_fired[i], (i != 0 && i % 7 == 0) ? 0 : 1) << "timer " << i;
  });
}

void count_firing(void* arg, uintptr_t, int64_t) { static_cast<std::atomic<int64_t>*>(arg)->fetch_add(1); }

/// True if some P's heap holds t (taking each P's timers lock).
bool in_any_heap(const rt::RuntimeTimer* t) {
  for (auto& slot : rt::allp) {
    rt::P* pp = slot.load();
    if (pp == nullptr) continue;
    rt::LockGuard g(pp->timers_lock);
    if (std::find(pp->timers.begin(), pp->timers.end(), t) != pp->timers.end()) return true;
  }
  return false;
}

// One runtime timer changed by eight goroutines on four Ps at once (Go's
// modtimer/deltimer from several goroutines), some changes due at once so the
// timer also fires meanwhile.  Every arming (the first and one per modtimer)
// ends exactly once: it fires, or a later modtimer/deltimer returns true for
// it.  A timer inserted twice fires too often, stays in a heap after its last
// deltimer, or corrupts a heap.
TEST(Timers, ConcurrentModtimerAndDeltimerEndEachArmingOnce) {
  for (int round = 0; round < scaled(200); ++round) {
    gort::run([&] {
      gort::gomaxprocs(4);
      constexpr int kGoroutines = 8;
      const int ops = scaled(1000);
      std::atomic<int64_t> fired{0};
      std::atomic<int64_t> armings{1};
      std::atomic<int64_t> ended_by_call{0};
      rt::RuntimeTimer t;
      t.f = &count_firing;
      t.arg = &fired;
      t.when = rt::nanotime_now() + 3'600'000'000'000;
      rt::addtimer(&t);
      {
        gort::test::Goroutines gs;
        for (int g = 0; g < kGoroutines; ++g) {
          gs.go([&, g] {
            for (int i = 0; i < ops; ++i) {
              if ((i + g) % 7 == 3) {
                if (rt::deltimer(&t)) ended_by_call.fetch_add(1);
                continue;
              }
              // One change in four is due now; the rest lie an hour away.
              const int64_t when = rt::nanotime_now() + ((i + g) % 4 == 0 ? 0 : 3'600'000'000'000);
              armings.fetch_add(1);
              if (rt::modtimer(&t, when, 0)) ended_by_call.fetch_add(1);
            }
          });
        }
      }
      if (rt::deltimer(&t)) ended_by_call.fetch_add(1);
      EXPECT_FALSE(rt::deltimer(&t));
      EXPECT_TRUE(gort::test::eventually([&] { return fired.load() + ended_by_call.load() >= armings.load(); }));
      EXPECT_EQ(fired.load() + ended_by_call.load(), armings.load());
      EXPECT_FALSE(in_any_heap(&t));
    });
  }
}

TEST(Timers, PeriodicTimerRearmsItself) {
  gort::run([] {
    Fired fired;
    rt::RuntimeTimer t;
    t.when = rt::nanotime_now() + 1'000'000;
    t.period = 1'000'000;
    t.f = &record;
    t.arg = &fired;
    rt::addtimer(&t);
    for (;;) {
      gort::sleep(milliseconds(1));
      std::lock_guard<std::mutex> g(fired.mu);
      if (fired.order.size() >= 5) break;
    }
    EXPECT_TRUE(rt::deltimer(&t));
  });
}

}  // namespace
