// time_test.cpp — gort::after, gort::tick, Timer and Ticker: what they send,
// when stop and reset take effect, dropped ticks, and their lifetimes (timers
// still armed when the program ends are freed: the ASAN build checks leaks).
#include <gort/gort.hpp>
#include <gort/time.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "poll_util.hpp"
#include "test_util.hpp"

namespace {

using namespace std::chrono_literals;
using gort::test::eventually;
using gort::test::scaled;
using Clock = std::chrono::steady_clock;

TEST(After, SendsTheFireTimeOnceAfterTheDuration) {
  gort::run([] {
    const auto start = Clock::now();
    auto c = gort::after(2ms);
    const gort::TimePoint fired = c.recv();
    EXPECT_GE(fired - start, 2ms);
    EXPECT_GE(Clock::now(), fired);
    EXPECT_EQ(c.cap(), 1);
    EXPECT_FALSE(c.try_recv().has_value()) << "after sends exactly once";
  });
}

TEST(After, ZeroAndNegativeDurationsFireAtOnce) {
  gort::run([] {
    for (auto d : {0ns, -5ns}) {
      auto c = gort::after(d);
      c.recv();  // returns: fired
    }
  });
}

TEST(After, ServesAsASelectTimeout) {
  gort::run([] {
    auto never = gort::make_chan<int>();
    EXPECT_EQ(gort::select(gort::on_recv(never), gort::on_recv(gort::after(1ms))), 1);
  });
}

TEST(Timer, StopBeforeFiringReturnsTrueAndNothingIsSent) {
  gort::run([] {
    gort::gomaxprocs(1);  // one timer heap: timers fire in deadline order
    gort::Timer t(20ms);
    EXPECT_TRUE(t.stop());
    EXPECT_FALSE(t.stop()) << "a second stop finds it stopped";
    gort::after(40ms).recv();  // later than t would have fired
    EXPECT_FALSE(t.c().try_recv().has_value());
  });
}

TEST(Timer, StopAfterFiringReturnsFalseAndTheValueStaysInTheChannel) {
  gort::run([] {
    gort::Timer t(1ms);
    // Wait until it has fired (the value is buffered), then stop.
    while (t.c().len() == 0) gort::after(1ms).recv();
    EXPECT_FALSE(t.stop());
    EXPECT_TRUE(t.c().try_recv().has_value()) << "Go 1.19: stop does not drain";
  });
}

TEST(Timer, ResetRearmsAndReportsWhetherItWasActive) {
  gort::run([] {
    gort::Timer t(1h);
    EXPECT_TRUE(t.reset(1ms)) << "was armed";
    t.c().recv();
    EXPECT_FALSE(t.reset(1ms)) << "had fired";
    t.c().recv();  // fires again
    EXPECT_FALSE(t.stop());
  });
}

TEST(Timer, DestroyingAHandleStopsIt) {
  gort::run([] {
    gort::gomaxprocs(1);
    gort::Chan<gort::TimePoint> c;
    {
      gort::Timer t(10ms);
      c = t.c();
    }
    gort::after(30ms).recv();
    EXPECT_FALSE(c.try_recv().has_value());
  });
}

TEST(Ticker, TheNthTickComesNoEarlierThanNPeriodsAndStopEndsThem) {
  gort::run([] {
    const auto start = Clock::now();
    gort::Ticker tk(2ms);
    // Firing k is due k periods after the start; every tick received is a
    // distinct firing, so the n-th cannot be earlier than n periods.
    for (int n = 1; n <= 6; ++n) EXPECT_GE(tk.c().recv() - start, n * 2ms) << "tick " << n;
    tk.stop();
    tk.c().try_recv();  // a tick sent just before stop may remain
    gort::after(10ms).recv();
    EXPECT_FALSE(tk.c().try_recv().has_value()) << "ticked after stop";
  });
}

TEST(Ticker, SlowReceiversMissTicksInsteadOfQueueingThem) {
  gort::run([] {
    gort::Ticker tk(1ms);
    gort::sleep(10ms);  // about ten ticks go by
    EXPECT_EQ(tk.c().len(), 1) << "the buffer holds one tick; the rest were dropped";
    tk.stop();
  });
}

TEST(Ticker, ResetChangesThePeriod) {
  gort::run([] {
    gort::Ticker tk(1h);
    tk.reset(1ms);
    tk.c().recv();
    tk.c().recv();
    tk.stop();
  });
}

TEST(Ticker, NonPositivePeriodsPanicAndTickReturnsNil) {
  gort::run([] {
    std::string msg;
    try {
      gort::Ticker tk(0ns);
    } catch (const gort::Panic& p) {
      msg = p.what();
    }
    EXPECT_EQ(msg, "non-positive interval for NewTicker");
    gort::Ticker tk(1h);
    msg.clear();
    try {
      tk.reset(-1ns);
    } catch (const gort::Panic& p) {
      msg = p.what();
    }
    EXPECT_EQ(msg, "non-positive interval for Ticker.Reset");
    EXPECT_FALSE(static_cast<bool>(gort::tick(0ns)));
  });
}

TEST(Tick, KeepsTicking) {
  gort::run([] {
    auto c = gort::tick(1ms);
    for (int i = 0; i < 3; ++i) c.recv();
  });
}

TEST(TimerLifetime, ArmedTimersAreFreedWhenTheProgramEnds) {
  // Leak-checked by the ASAN build: nothing here fires before run returns.
  gort::run([] {
    auto a = gort::after(1h);
    auto t = gort::tick(1h);
    gort::Timer timer(1h);
    gort::Ticker ticker(1h);
    EXPECT_EQ(a.len() + t.len() + timer.c().len() + ticker.c().len(), 0);
  });
}

TEST(TimerConcurrency, ManyGoroutinesStopResetAndReceive) {
  for (int iter = 0; iter < scaled(10); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      const int n = gort::test::live_goroutines(500);
      std::atomic<int> fired{0};
      gort::test::Goroutines gs;  // joined after each Timer/Ticker is destroyed
      for (int i = 0; i < n; ++i) {
        gs.go([&, i] {
          gort::Timer t(std::chrono::microseconds(i % 200));
          if (i % 3 == 0) t.stop();
          if (i % 3 == 1) t.reset(std::chrono::microseconds(50));
          if (i % 3 != 0) {
            t.c().recv();
            ++fired;
          }
          if (i % 5 == 0) {
            gort::Ticker tk(std::chrono::microseconds(100));
            tk.c().recv();
          }
        });
      }
      gs.join();
      EXPECT_EQ(fired.load(), n - (n + 2) / 3);
    });
  }
}

// A server's idle timeout: one Timer reset by every handler, eight goroutines
// on four Ps, one reset in four due at once so the timer fires meanwhile.
// Afterwards the timer is armed exactly once (by the last reset); once the
// firings in flight have sent, only the handle holds the timer, and one more
// reset sends exactly one tick.
TEST(TimerConcurrency, ResetFromManyGoroutinesLeavesOneArming) {
  for (int round = 0; round < scaled(100); ++round) {
    gort::run([&] {
      gort::gomaxprocs(4);
      const int resets = scaled(2000);
      gort::Timer t(1h);
      {
        gort::test::Goroutines gs;
        for (int g = 0; g < 8; ++g) {
          gs.go([&, g] {
            for (int i = 0; i < resets; ++i) {
              t.reset((i + g) % 4 == 0 ? 0ns : 1h);
              if (i % 8 == 0) t.c().try_recv();
            }
            t.reset(1h);
          });
        }
      }
      EXPECT_TRUE(t.stop()) << "armed by the last reset";
      EXPECT_FALSE(t.stop());
      ASSERT_TRUE(eventually([&] { return gort::detail::timer_references(t) == 1; }))
          << gort::detail::timer_references(t) << " references: an arming was not ended";
      t.c().try_recv();
      EXPECT_FALSE(t.reset(1ms));
      t.c().recv();
      ASSERT_TRUE(eventually([&] { return gort::detail::timer_references(t) == 1; }));
      EXPECT_FALSE(t.stop());
      EXPECT_FALSE(t.c().try_recv().has_value()) << "one reset, one tick";
    });
  }
}

// Tickers stopped and reset from eight goroutines on four Ps (some periods
// short enough to tick meanwhile), and after() timers started alongside:
// afterwards the ticker runs once more with one arming, and stopped it holds
// none.
TEST(TimerConcurrency, TickerStopAndResetFromManyGoroutines) {
  for (int round = 0; round < scaled(100); ++round) {
    gort::run([&] {
      gort::gomaxprocs(4);
      const int ops = scaled(1000);
      gort::Ticker tk(1h);
      {
        gort::test::Goroutines gs;
        for (int g = 0; g < 8; ++g) {
          gs.go([&, g] {
            for (int i = 0; i < ops; ++i) {
              if ((i + g) % 5 == 0) {
                tk.stop();
              } else {
                tk.reset((i + g) % 3 == 0 ? 1us : 1h);
              }
              if (i % 64 == 0) gort::after(0ns).recv();
            }
            tk.reset(1h);
          });
        }
      }
      tk.stop();
      ASSERT_TRUE(eventually([&] { return gort::detail::timer_references(tk) == 1; }))
          << gort::detail::timer_references(tk) << " references: an arming was not ended";
      tk.c().try_recv();
      tk.reset(1ms);
      tk.c().recv();
      tk.c().recv();
      EXPECT_EQ(gort::detail::timer_references(tk), 2) << "one arming while it ticks";
      tk.stop();
      ASSERT_TRUE(eventually([&] { return gort::detail::timer_references(tk) == 1; }));
      tk.c().try_recv();
      EXPECT_FALSE(tk.c().try_recv().has_value());
    });
  }
}

}  // namespace
