// errgroup_test.cpp — gort::ErrGroup as a Go programmer observes
// golang.org/x/sync/errgroup: Wait returns after every goroutine, the first
// failure is reported and cancels the group's context, limits hold, TryGo,
// and SetLimit's panic.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "poll_util.hpp"
#include "test_util.hpp"

namespace {

using gort::test::live_goroutines;
using gort::test::scaled;

/// A failure a test's goroutine throws, told apart by its message.
struct TaskError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The message of what g.wait() throws, or "" if it returns.
std::string wait_failure(gort::ErrGroup& g) {
  try {
    g.wait();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// True if ctx's done channel is closed, without blocking.
bool is_done(const gort::Context& ctx) {
  return gort::select(gort::on_recv(ctx.done()), gort::on_default()) == 0;
}

TEST(ErrGroup, WaitReturnsAfterEveryGoroutine) {
  for (int iter = 0; iter < scaled(20); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      gort::ErrGroup g;  // errgroup.Group{}
      const int n = live_goroutines(200);
      std::atomic<int> finished{0};
      for (int i = 0; i < n; ++i) {
        g.go([&] {
          gort::gosched();
          finished.fetch_add(1);
        });
      }
      g.wait();
      EXPECT_EQ(finished.load(), n);
      EXPECT_EQ(g.context().err(), nullptr);  // background: nothing to cancel
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

TEST(ErrGroup, TheFirstFailureIsRethrownAndCancelsTheContext) {
  gort::run([] {
    auto [parent, cancel_parent] = gort::with_cancel(gort::background());
    gort::ErrGroup g(parent);
    const int n = 8;
    std::atomic<int> saw_cancel{0};
    g.go([] { throw TaskError("first"); });
    for (int i = 0; i < n; ++i) {
      // These fail only after the first failure cancelled the context.
      g.go([&, i](const gort::Context& ctx) {
        ctx.done().recv();
        if (gort::is_canceled(ctx.err())) saw_cancel.fetch_add(1);
        throw TaskError("later " + std::to_string(i));
      });
    }
    EXPECT_EQ(wait_failure(g), "first");
    EXPECT_EQ(saw_cancel.load(), n);
    EXPECT_EQ(g.context().err(), gort::canceled_error());
    // The failure is the cancellation's cause (WithContext uses WithCancelCause).
    const std::exception_ptr cause = gort::cause(g.context());
    bool cause_is_first = false;
    try {
      std::rethrow_exception(cause);
    } catch (const TaskError& e) {
      cause_is_first = std::string(e.what()) == "first";
    }
    EXPECT_TRUE(cause_is_first);
    EXPECT_FALSE(is_done(parent));  // only the group's own context
    // Wait reports the same failure every time, as Go's Wait returns g.err.
    EXPECT_EQ(wait_failure(g), "first");
    cancel_parent();
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ErrGroup, WaitCancelsTheContextWhenAllSucceed) {
  gort::run([] {
    gort::ErrGroup g(gort::background());
    std::atomic<bool> ctx_live_inside{false};
    g.go([&](const gort::Context& ctx) { ctx_live_inside.store(ctx.err() == nullptr); });
    g.wait();
    EXPECT_TRUE(ctx_live_inside.load());
    EXPECT_EQ(g.context().err(), gort::canceled_error());
    EXPECT_EQ(gort::cause(g.context()), gort::canceled_error());
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ErrGroup, AParentsCancellationReachesTheGroupsContext) {
  gort::run([] {
    auto [parent, cancel_parent] = gort::with_cancel(gort::background());
    gort::ErrGroup g(parent);
    g.go([](const gort::Context& ctx) {
      ctx.done().recv();
      std::rethrow_exception(ctx.err());  // the usual `return ctx.Err()`
    });
    cancel_parent();
    EXPECT_EQ(wait_failure(g), "context canceled");
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ErrGroup, AGroupWithoutAContextReportsButCancelsNothing) {
  gort::run([] {
    gort::ErrGroup g;
    auto proceed = gort::make_chan<int>();
    std::atomic<bool> second_saw_done{true};
    g.go([] { throw TaskError("boom"); });
    g.go([&](const gort::Context& ctx) {
      proceed.recv();
      second_saw_done.store(ctx.err() != nullptr);
    });
    proceed.send(1);
    EXPECT_EQ(wait_failure(g), "boom");
    EXPECT_FALSE(second_saw_done.load());
    EXPECT_FALSE(g.context().done());  // background's nil channel
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

class ErrGroupLimit : public ::testing::TestWithParam<int> {};

TEST_P(ErrGroupLimit, IsNeverExceeded) {
  const int limit = GetParam();
  for (int iter = 0; iter < scaled(10); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      gort::ErrGroup g;
      g.set_limit(limit);
      std::atomic<int> active{0}, max_active{0}, finished{0};
      const int n = scaled(400);
      for (int i = 0; i < n; ++i) {
        g.go([&] {
          const int now = active.fetch_add(1) + 1;
          int seen = max_active.load();
          while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
          }
          gort::gosched();
          active.fetch_sub(1);
          finished.fetch_add(1);
        });
      }
      g.wait();
      EXPECT_EQ(finished.load(), n);
      EXPECT_LE(max_active.load(), limit);
      EXPECT_GE(max_active.load(), 1);
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

INSTANTIATE_TEST_SUITE_P(Limits, ErrGroupLimit, ::testing::Values(1, 2, 5, 32));

TEST(ErrGroup, TryGoStartsOnlyWithinTheLimit) {
  gort::run([] {
    gort::ErrGroup g;
    g.set_limit(2);
    auto release = gort::make_chan<int>();
    std::atomic<int> ran{0};
    auto blocker = [&] {
      release.recv();
      ran.fetch_add(1);
    };
    EXPECT_TRUE(g.try_go(blocker));
    EXPECT_TRUE(g.try_go(blocker));
    EXPECT_FALSE(g.try_go([&] { ran.fetch_add(100); }));  // two active: full
    release.send(1);
    release.send(1);
    g.wait();
    EXPECT_EQ(ran.load(), 2);
    EXPECT_TRUE(g.try_go([&] { ran.fetch_add(1); }));  // room again
    g.wait();
    EXPECT_EQ(ran.load(), 3);

    gort::ErrGroup unlimited;
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.try_go([] {}));
    unlimited.wait();
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ErrGroup, SetLimitWhileGoroutinesAreActivePanicsAsGo) {
  gort::run([] {
    gort::ErrGroup g;
    g.set_limit(3);
    auto release = gort::make_chan<int>();
    g.go([&] { release.recv(); });
    g.go([&] { release.recv(); });
    std::string message;
    try {
      g.set_limit(5);
    } catch (const gort::Panic& p) {
      message = p.what();
    }
    EXPECT_EQ(message, "errgroup: modify limit while 2 goroutines in the group are still active");
    // Removing the limit is never checked, as in Go.
    EXPECT_NO_THROW(g.set_limit(-1));
    release.send(1);
    release.send(1);
    g.wait();
    EXPECT_NO_THROW(g.set_limit(1));  // idle again
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ErrGroup, DestroyingAnUnwaitedGroupCancelsAndJoinsItsGoroutines) {
  gort::run([] {
    std::atomic<int> finished{0};
    gort::Context group_ctx;
    {
      gort::ErrGroup g(gort::background());
      group_ctx = g.context();
      for (int i = 0; i < 4; ++i) {
        g.go([&](const gort::Context& ctx) {
          ctx.done().recv();  // ends only when the group's context is cancelled
          finished.fetch_add(1);
        });
      }
    }
    EXPECT_EQ(finished.load(), 4);
    EXPECT_EQ(group_ctx.err(), gort::canceled_error());
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ErrGroup, ManyFailingGoroutinesReportExactlyOne) {
  for (int iter = 0; iter < scaled(50); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      gort::ErrGroup g(gort::background());
      g.set_limit(iter % 2 == 0 ? -1 : 4);
      const int n = live_goroutines(64);
      for (int i = 0; i < n; ++i) {
        g.go([i](const gort::Context& ctx) {
          if (i % 3 == 0) throw TaskError("task " + std::to_string(i));
          ctx.done().recv();
        });
      }
      const std::string failure = wait_failure(g);
      EXPECT_EQ(failure.rfind("task ", 0), 0u) << failure;
      EXPECT_TRUE(gort::is_canceled(g.context().err()));
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

}  // namespace
