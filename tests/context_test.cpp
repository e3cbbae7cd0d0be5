// context_test.cpp — gort::Context as a Go programmer observes context: trees
// cancelled from any node, causes, deadlines and their timers, values and
// shadowing, done() in select, AfterFunc and its stop function, resources
// released by cancel, and many goroutines cancelling and waiting at once.
// Nothing here sleeps and hopes: "after X" is a channel receive or a bounded
// poll.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "poll_util.hpp"
#include "sched.hpp"
#include "test_util.hpp"

namespace {

using gort::test::eventually;
using gort::test::kPollBound;
using gort::test::live_goroutines;
using gort::test::scaled;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace rt = gort::runtime;

/// True if ctx's done channel is closed, without blocking.
bool is_done(const gort::Context& ctx) {
  return gort::select(gort::on_recv(ctx.done()), gort::on_default()) == 0;
}

/// An error a test cancels with, told apart by its message.
std::exception_ptr error(const std::string& what) { return std::make_exception_ptr(std::runtime_error(what)); }

/// The message of the exception e holds ("" for null).
std::string message(const std::exception_ptr& e) {
  if (!e) return "";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  }
}

/// Counts its own destructions of non-moved-from instances.
struct Tracker {
  explicit Tracker(std::atomic<int>* destroyed) : destroyed(destroyed) {}
  Tracker(const Tracker& o) : destroyed(o.destroyed) {}
  Tracker(Tracker&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)) {}
  ~Tracker() {
    if (destroyed != nullptr) destroyed->fetch_add(1);
  }
  std::atomic<int>* destroyed;
};

// ---------------------------------------------------------------------------
// The empty context.

TEST(ContextEmpty, BackgroundAndTodoAreNeverDoneAndCarryNothing) {
  gort::run([] {
    static const gort::ContextKey<int> key{"k"};
    for (const gort::Context& ctx : {gort::background(), gort::todo(), gort::Context()}) {
      EXPECT_FALSE(ctx.done());  // the nil channel, as Go's Background().Done()
      EXPECT_FALSE(is_done(ctx));
      EXPECT_EQ(ctx.err(), nullptr);
      EXPECT_EQ(gort::cause(ctx), nullptr);
      EXPECT_FALSE(ctx.deadline().has_value());
      EXPECT_EQ(ctx.value(key), nullptr);
    }
  });
}

TEST(ContextErrors, MessagesTypesAndIdentityAreGos) {
  gort::run([] {
    EXPECT_EQ(message(gort::canceled_error()), "context canceled");
    EXPECT_EQ(message(gort::deadline_exceeded_error()), "context deadline exceeded");
    EXPECT_TRUE(gort::is_canceled(gort::canceled_error()));
    EXPECT_FALSE(gort::is_canceled(gort::deadline_exceeded_error()));
    EXPECT_TRUE(gort::is_deadline_exceeded(gort::deadline_exceeded_error()));
    EXPECT_FALSE(gort::is_deadline_exceeded(gort::canceled_error()));
    EXPECT_FALSE(gort::is_canceled(nullptr));
    EXPECT_FALSE(gort::is_canceled(error("other")));
    // A fresh ContextCanceled is still "canceled" (errors.Is by type, not identity).
    EXPECT_TRUE(gort::is_canceled(std::make_exception_ptr(gort::ContextCanceled())));
    // Both derive from ContextError, so one handler takes either.
    for (const auto& e : {gort::canceled_error(), gort::deadline_exceeded_error()}) {
      bool caught = false;
      try {
        std::rethrow_exception(e);
      } catch (const gort::ContextError&) {
        caught = true;
      }
      EXPECT_TRUE(caught);
    }
    // err() hands out the same error every time, as Go's Canceled variable.
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    cancel();
    EXPECT_EQ(ctx.err(), gort::canceled_error());
    EXPECT_EQ(ctx.err(), ctx.err());
  });
}

// ---------------------------------------------------------------------------
// Trees: cancelling a node cancels its subtree and nothing else.

/// How a tree node derives from its parent; every kind can be cancelled from
/// above, so the tree mixes them.
enum class NodeKind { Cancel, ValueOverCancel, Timeout, CancelUnderValue };

struct TreeNode {
  gort::Context ctx;
  gort::CancelFunc cancel;
  int parent;  // index into the tree, -1 for the root
};

/// Builds a tree of the given depth below a with_cancel root, each node with
/// `fanout` children whose kind rotates through NodeKind.
std::vector<TreeNode> build_tree(int depth, int fanout) {
  static const gort::ContextKey<int> kDepthKey{"depth"};
  std::vector<TreeNode> tree;
  auto [root, root_cancel] = gort::with_cancel(gort::background());
  tree.push_back({root, root_cancel, -1});
  std::vector<int> level{0};
  int kind = 0;
  for (int d = 1; d <= depth; ++d) {
    std::vector<int> next;
    for (int p : level) {
      for (int f = 0; f < fanout; ++f) {
        const gort::Context parent = tree[p].ctx;
        TreeNode n{gort::Context(), gort::CancelFunc(), p};
        switch (static_cast<NodeKind>(kind++ % 4)) {
          case NodeKind::Cancel:
            std::tie(n.ctx, n.cancel) = gort::with_cancel(parent);
            break;
          case NodeKind::ValueOverCancel: {
            auto [c, cancel] = gort::with_cancel(parent);
            n.ctx = gort::with_value(c, kDepthKey, d);
            n.cancel = cancel;
            break;
          }
          case NodeKind::Timeout:
            std::tie(n.ctx, n.cancel) = gort::with_timeout(parent, 1h);
            break;
          case NodeKind::CancelUnderValue:
            std::tie(n.ctx, n.cancel) = gort::with_cancel(gort::with_value(parent, kDepthKey, -d));
            break;
        }
        next.push_back(static_cast<int>(tree.size()));
        tree.push_back(n);
      }
    }
    level = std::move(next);
  }
  return tree;
}

/// True if node i is `ancestor` or lies below it.
bool in_subtree(const std::vector<TreeNode>& tree, int i, int ancestor) {
  for (; i >= 0; i = tree[i].parent) {
    if (i == ancestor) return true;
  }
  return false;
}

struct TreeShape {
  int depth;
  int fanout;
};

class ContextTree : public ::testing::TestWithParam<TreeShape> {};

TEST_P(ContextTree, CancellingTheRootCancelsEveryNode) {
  const TreeShape shape = GetParam();
  gort::run([&] {
    std::vector<TreeNode> tree = build_tree(shape.depth, shape.fanout);
    for (const TreeNode& n : tree) ASSERT_FALSE(is_done(n.ctx));
    tree[0].cancel();
    for (const TreeNode& n : tree) {
      EXPECT_TRUE(is_done(n.ctx));
      EXPECT_EQ(n.ctx.err(), gort::canceled_error());
      EXPECT_EQ(gort::cause(n.ctx), gort::canceled_error());
    }
    for (const TreeNode& n : tree) n.cancel();  // as `defer cancel()`: harmless now
  });
}

TEST_P(ContextTree, CancellingAnInnerNodeCancelsItsSubtreeOnly) {
  const TreeShape shape = GetParam();
  gort::run([&] {
    std::vector<TreeNode> tree = build_tree(shape.depth, shape.fanout);
    // The first child of the root: its siblings, the root and their
    // subtrees stay live.
    const int inner = tree.size() > 1 ? 1 : 0;
    const auto cause = error("inner cancelled");
    tree[inner].cancel(cause);
    for (int i = 0; i < static_cast<int>(tree.size()); ++i) {
      if (in_subtree(tree, i, inner)) {
        EXPECT_TRUE(is_done(tree[i].ctx)) << "node " << i;
        EXPECT_EQ(tree[i].ctx.err(), gort::canceled_error());
        EXPECT_EQ(gort::cause(tree[i].ctx), cause) << "node " << i;
      } else {
        EXPECT_FALSE(is_done(tree[i].ctx)) << "node " << i;
        EXPECT_EQ(tree[i].ctx.err(), nullptr);
      }
    }
    tree[0].cancel();
    for (const TreeNode& n : tree) {
      EXPECT_TRUE(is_done(n.ctx));
      // The subtree keeps its first cause; the rest get the root's.
      EXPECT_NE(gort::cause(n.ctx), nullptr);
    }
    for (const TreeNode& n : tree) n.cancel();
  });
}

INSTANTIATE_TEST_SUITE_P(Shapes, ContextTree,
                         ::testing::Values(TreeShape{1, 1}, TreeShape{1, 8}, TreeShape{3, 2}, TreeShape{2, 5},
                                           TreeShape{6, 1}, TreeShape{4, 3}),
                         [](const auto& info) {
                           return "depth" + std::to_string(info.param.depth) + "_fanout" +
                                  std::to_string(info.param.fanout);
                         });

TEST(ContextCancel, ChildOfACancelledParentIsBornCancelled) {
  gort::run([] {
    auto [parent, cancel] = gort::with_cancel(gort::background());
    const auto cause = error("gone");
    cancel(cause);
    auto [child, child_cancel] = gort::with_cancel(parent);
    auto [timed, timed_cancel] = gort::with_timeout(parent, 1h);
    for (const auto& c : {child, timed}) {
      EXPECT_TRUE(is_done(c));
      EXPECT_EQ(c.err(), gort::canceled_error());
      EXPECT_EQ(gort::cause(c), cause);
    }
    child_cancel();
    timed_cancel();
  });
}

// ---------------------------------------------------------------------------
// Causes (Go 1.21's CancelCauseFunc and Cause).

struct CauseCase {
  const char* name;
  bool parent_first;  // which of the two is cancelled first
};

class ContextCause : public ::testing::TestWithParam<CauseCase> {};

// The two examples of Go's CancelCauseFunc documentation.
TEST_P(ContextCause, TheFirstCancellationOfEachContextSetsItsCause) {
  const CauseCase tc = GetParam();
  gort::run([&] {
    auto [parent, cancel_parent] = gort::with_cancel(gort::background());
    auto [child, cancel_child] = gort::with_cancel(parent);
    const auto cause1 = error("cause1");
    const auto cause2 = error("cause2");
    if (tc.parent_first) {
      cancel_parent(cause1);
      cancel_child(cause2);
      EXPECT_EQ(gort::cause(parent), cause1);
      EXPECT_EQ(gort::cause(child), cause1);
    } else {
      cancel_child(cause2);
      cancel_parent(cause1);
      EXPECT_EQ(gort::cause(parent), cause1);
      EXPECT_EQ(gort::cause(child), cause2);
    }
    // err() is Canceled whatever the cause.
    EXPECT_EQ(parent.err(), gort::canceled_error());
    EXPECT_EQ(child.err(), gort::canceled_error());
  });
}

INSTANTIATE_TEST_SUITE_P(Orders, ContextCause,
                         ::testing::Values(CauseCase{"ParentFirst", true}, CauseCase{"ChildFirst", false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ContextCause, IsNullUntilDoneThenFallsBackToErr) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    EXPECT_EQ(gort::cause(ctx), nullptr);
    cancel(nullptr);  // a null cause means Canceled
    EXPECT_EQ(gort::cause(ctx), gort::canceled_error());
    cancel(error("too late"));  // idempotent: the first cancellation counts
    EXPECT_EQ(gort::cause(ctx), gort::canceled_error());
  });
}

TEST(ContextCause, ValueContextsReportTheirCancelContextsCause) {
  gort::run([] {
    static const gort::ContextKey<std::string> key{"k"};
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    const gort::Context v = gort::with_value(ctx, key, "x");
    const auto cause = error("why");
    cancel(cause);
    EXPECT_EQ(v.err(), gort::canceled_error());
    EXPECT_EQ(gort::cause(v), cause);
  });
}

TEST(ContextCause, DeadlineCauseIsSetOnlyByTheDeadline) {
  gort::run([] {
    const auto timeout_cause = error("too slow");
    // Expired at once: the deadline's cause.
    auto [expired, cancel1] = gort::with_deadline_cause(gort::background(), Clock::now() - 1s, timeout_cause);
    EXPECT_EQ(expired.err(), gort::deadline_exceeded_error());
    EXPECT_EQ(gort::cause(expired), timeout_cause);
    cancel1();
    // Fires later: the same.
    auto [fires, cancel2] = gort::with_timeout_cause(gort::background(), 1ms, timeout_cause);
    fires.done().recv();
    EXPECT_EQ(fires.err(), gort::deadline_exceeded_error());
    EXPECT_EQ(gort::cause(fires), timeout_cause);
    cancel2();
    // Cancelled before the deadline: Canceled, and the timer cause is unused.
    auto [cancelled, cancel3] = gort::with_timeout_cause(gort::background(), 1h, timeout_cause);
    cancel3();
    EXPECT_EQ(cancelled.err(), gort::canceled_error());
    EXPECT_EQ(gort::cause(cancelled), gort::canceled_error());
  });
}

// ---------------------------------------------------------------------------
// Deadlines.

TEST(ContextDeadline, ATimeoutFiresAndReportsDeadlineExceeded) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_timeout(gort::background(), 1ms);
    ASSERT_TRUE(ctx.deadline().has_value());
    auto [v, ok] = ctx.done().recv2();  // closed by the timer
    EXPECT_FALSE(ok);
    EXPECT_EQ(ctx.err(), gort::deadline_exceeded_error());
    EXPECT_TRUE(gort::is_deadline_exceeded(ctx.err()));
    EXPECT_EQ(gort::cause(ctx), gort::deadline_exceeded_error());
    cancel();  // after the fact: changes nothing
    EXPECT_EQ(ctx.err(), gort::deadline_exceeded_error());
  });
}

TEST(ContextDeadline, ADeadlineAlreadyPastIsDoneAtOnce) {
  gort::run([] {
    struct Case {
      const char* name;
      std::function<std::pair<gort::Context, gort::CancelFunc>()> make;
    };
    const std::vector<Case> cases = {
        {"past deadline", [] { return gort::with_deadline(gort::background(), Clock::now() - 1s); }},
        {"zero timeout", [] { return gort::with_timeout(gort::background(), 0ns); }},
        {"negative timeout", [] { return gort::with_timeout(gort::background(), -5ms); }},
        {"minimum deadline", [] { return gort::with_deadline(gort::background(), Clock::time_point::min()); }},
    };
    for (const Case& c : cases) {
      auto [ctx, cancel] = c.make();
      EXPECT_TRUE(is_done(ctx)) << c.name;
      EXPECT_EQ(ctx.err(), gort::deadline_exceeded_error()) << c.name;
      cancel();
      EXPECT_EQ(ctx.err(), gort::deadline_exceeded_error()) << c.name;
    }
  });
}

TEST(ContextDeadline, AChildsDeadlineIsTheEarlierOfItsOwnAndItsParents) {
  gort::run([] {
    static const gort::ContextKey<int> key{"k"};
    const auto d1 = Clock::now() + 1h;
    auto [parent, cancel_parent] = gort::with_deadline(gort::background(), d1);
    EXPECT_EQ(parent.deadline(), d1);

    auto [later, cancel_later] = gort::with_deadline(parent, d1 + 1h);
    EXPECT_EQ(later.deadline(), d1);  // clamped: Go returns WithCancel(parent)

    const auto d0 = d1 - 30min;
    auto [earlier, cancel_earlier] = gort::with_deadline(parent, d0);
    EXPECT_EQ(earlier.deadline(), d0);

    auto [longer_timeout, cancel_longer] = gort::with_timeout(parent, 2h);
    EXPECT_EQ(longer_timeout.deadline(), d1);

    // Deadlines pass through value and cancel contexts, not without_cancel.
    EXPECT_EQ(gort::with_value(earlier, key, 1).deadline(), d0);
    EXPECT_EQ(gort::with_cancel(earlier).first.deadline(), d0);
    EXPECT_FALSE(gort::without_cancel(earlier).deadline().has_value());
    EXPECT_FALSE(gort::with_cancel(gort::background()).first.deadline().has_value());

    // The clamped child is still cancelled with its parent.
    cancel_parent();
    EXPECT_TRUE(is_done(later));
    EXPECT_TRUE(is_done(earlier));
    cancel_later();
    cancel_earlier();
    cancel_longer();
  });
}

TEST(ContextDeadline, AParentsDeadlineCancelsItsChildrenWithDeadlineExceeded) {
  gort::run([] {
    auto [parent, cancel_parent] = gort::with_timeout(gort::background(), 1ms);
    auto [child, cancel_child] = gort::with_cancel(parent);
    auto [grandchild, cancel_grandchild] = gort::with_timeout(child, 1h);
    grandchild.done().recv();
    EXPECT_EQ(parent.err(), gort::deadline_exceeded_error());
    EXPECT_EQ(child.err(), gort::deadline_exceeded_error());
    EXPECT_EQ(grandchild.err(), gort::deadline_exceeded_error());
    cancel_grandchild();
    cancel_child();
    cancel_parent();
  });
}

TEST(ContextDeadline, SaturatesAnEnormousTimeout) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_timeout(gort::background(), std::chrono::hours::max());
    ASSERT_TRUE(ctx.deadline().has_value());
    EXPECT_GT(*ctx.deadline(), Clock::now() + 24h * 365 * 100);
    EXPECT_FALSE(is_done(ctx));
    cancel();
    EXPECT_EQ(ctx.err(), gort::canceled_error());
  });
}

TEST(ContextDeadline, ManyTimeoutsAllFire) {
  gort::run([] {
    const int n = scaled(500);
    std::vector<std::pair<gort::Context, gort::CancelFunc>> contexts;
    for (int i = 0; i < n; ++i) {
      contexts.push_back(gort::with_timeout(gort::background(), std::chrono::microseconds(i % 50)));
    }
    for (auto& [ctx, cancel] : contexts) {
      ctx.done().recv();
      EXPECT_EQ(ctx.err(), gort::deadline_exceeded_error());
      cancel();
    }
  });
}

// ---------------------------------------------------------------------------
// Values.

TEST(ContextValue, LookupWalksTheChainAndTheNearestKeyWins) {
  gort::run([] {
    static const gort::ContextKey<std::string> user{"user"};
    static const gort::ContextKey<std::string> other_user{"user"};  // same name, different key
    static const gort::ContextKey<int> request{"request"};

    const gort::Context c1 = gort::with_value(gort::background(), user, "alice");
    auto [c2, cancel2] = gort::with_cancel(c1);
    const gort::Context c3 = gort::with_value(c2, request, 42);
    auto [c4, cancel4] = gort::with_timeout(c3, 1h);
    const gort::Context c5 = gort::with_value(c4, user, "bob");  // shadows alice below c5
    const gort::Context c6 = gort::without_cancel(c5);

    struct Case {
      const char* name;
      const gort::Context* ctx;
      const char* user;  // nullptr: absent
      const int* request;
    };
    static const int k42 = 42;
    const std::vector<Case> cases = {
        {"background", nullptr, nullptr, nullptr},
        {"c1", &c1, "alice", nullptr},
        {"c2 (cancel)", &c2, "alice", nullptr},
        {"c3", &c3, "alice", &k42},
        {"c4 (timeout)", &c4, "alice", &k42},
        {"c5 (shadowing)", &c5, "bob", &k42},
        {"c6 (without_cancel)", &c6, "bob", &k42},
    };
    for (const Case& c : cases) {
      const gort::Context ctx = c.ctx != nullptr ? *c.ctx : gort::background();
      const std::string* u = ctx.value(user);
      if (c.user == nullptr) {
        EXPECT_EQ(u, nullptr) << c.name;
      } else {
        ASSERT_NE(u, nullptr) << c.name;
        EXPECT_EQ(*u, c.user) << c.name;
      }
      const int* r = ctx.value(request);
      if (c.request == nullptr) {
        EXPECT_EQ(r, nullptr) << c.name;
      } else {
        ASSERT_NE(r, nullptr) << c.name;
        EXPECT_EQ(*r, *c.request) << c.name;
      }
      EXPECT_EQ(ctx.value(other_user), nullptr) << c.name;  // keys never collide
    }
    // Values survive cancellation.
    cancel2();
    ASSERT_NE(c5.value(user), nullptr);
    EXPECT_EQ(*c5.value(user), "bob");
    cancel4();
  });
}

TEST(ContextValue, WithoutCancelKeepsValuesButIsNeverCancelled) {
  gort::run([] {
    static const gort::ContextKey<int> key{"k"};
    auto [parent, cancel] = gort::with_cancel(gort::with_value(gort::background(), key, 7));
    const gort::Context detached = gort::without_cancel(parent);
    auto [child, cancel_child] = gort::with_cancel(detached);
    cancel();
    EXPECT_TRUE(is_done(parent));
    EXPECT_FALSE(detached.done());  // the nil channel
    EXPECT_EQ(detached.err(), nullptr);
    EXPECT_EQ(gort::cause(detached), nullptr);
    EXPECT_FALSE(is_done(child));
    ASSERT_NE(detached.value(key), nullptr);
    EXPECT_EQ(*detached.value(key), 7);
    cancel_child();
  });
}

TEST(ContextValue, ValuesAreFreedWithTheLastContextCarryingThem) {
  gort::run([] {
    static const gort::ContextKey<Tracker> key{"tracker"};
    std::atomic<int> destroyed{0};
    {
      auto [root, cancel] = gort::with_cancel(gort::background());
      const gort::Context v = gort::with_value(root, key, Tracker(&destroyed));
      auto [child, child_cancel] = gort::with_cancel(v);
      EXPECT_EQ(destroyed.load(), 0);
      child_cancel();
      cancel();
    }
    EXPECT_EQ(destroyed.load(), 1);
  });
}

// ---------------------------------------------------------------------------
// done() in select.

TEST(ContextSelect, DoneCompetesWithOtherChannels) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    auto work = gort::make_chan<int>();
    gort::go([work] { work.send(1); });
    int got = 0;
    EXPECT_EQ(gort::select(gort::on_recv(ctx.done(), [] {}), gort::on_recv(work, [&](int v) { got = v; })), 1);
    EXPECT_EQ(got, 1);

    // A goroutine blocked on both wakes for the cancellation.
    auto result = gort::make_chan<int>(1);
    gort::go([ctx = ctx, work, result] {
      result.send(gort::select(gort::on_recv(work), gort::on_recv(ctx.done())));
    });
    cancel();
    EXPECT_EQ(result.recv(), 1);
    // Once closed, done() is always ready.
    EXPECT_EQ(gort::select(gort::on_recv(ctx.done()), gort::on_default()), 0);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(ContextSelect, AWaiterWokenByDoneAlwaysSeesErr) {
  // Go's contract: once Done is closed, Err is non-nil.  Waiters wake while
  // the cancelling goroutine may still be inside cancel.
  for (int iter = 0; iter < scaled(50); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      auto [ctx, cancel] = gort::with_cancel(gort::background());
      const int waiters = scaled(64);
      std::atomic<int> missing_err{0};
      gort::WaitGroup wg;
      wg.add(waiters);
      for (int i = 0; i < waiters; ++i) {
        gort::go([&, ctx = ctx] {
          ctx.done().recv();
          if (ctx.err() == nullptr) missing_err.fetch_add(1);
          wg.done();
        });
      }
      gort::gosched();
      cancel();
      wg.wait();
      EXPECT_EQ(missing_err.load(), 0);
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

// ---------------------------------------------------------------------------
// AfterFunc.

TEST(AfterFunc, RunsOnceInItsOwnGoroutineAfterCancel) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    auto ran = gort::make_chan<int64_t>(2);
    std::atomic<int> runs{0};
    const gort::StopFunc stop = gort::after_func(ctx, [&, ran] {
      runs.fetch_add(1);
      ran.send(gort::goid());
    });
    EXPECT_EQ(runs.load(), 0);
    cancel();
    cancel(error("again"));
    EXPECT_NE(ran.recv(), gort::goid());  // its own goroutine
    EXPECT_FALSE(stop());                 // already started
    for (int i = 0; i < 100; ++i) gort::gosched();
    EXPECT_EQ(runs.load(), 1);
    EXPECT_EQ(ran.len(), 0);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(AfterFunc, StopBeforeCancelPreventsIt) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    std::atomic<int> runs{0};
    const gort::StopFunc stop = gort::after_func(ctx, [&] { runs.fetch_add(1); });
    EXPECT_TRUE(stop());
    EXPECT_FALSE(stop());  // already stopped
    cancel();
    // A second registration made after the stopped one does run: the
    // cancellation happened and started what was still registered.
    auto ran = gort::make_chan<int>(1);
    auto [ctx2, cancel2] = gort::with_cancel(gort::background());
    const gort::StopFunc stop_a = gort::after_func(ctx2, [&] { runs.fetch_add(1); });
    gort::after_func(ctx2, [ran] { ran.send(1); });
    EXPECT_TRUE(stop_a());
    cancel2();
    ran.recv();
    for (int i = 0; i < 100; ++i) gort::gosched();
    EXPECT_EQ(runs.load(), 0);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(AfterFunc, RunsAtOnceOnADoneContextAndNeverOnBackground) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    cancel();
    auto ran = gort::make_chan<int>(1);
    const gort::StopFunc stop = gort::after_func(ctx, [ran] { ran.send(1); });
    EXPECT_EQ(ran.recv(), 1);
    EXPECT_FALSE(stop());

    // Background is never done: stop finds the function still registered.
    std::atomic<int> runs{0};
    const gort::StopFunc never = gort::after_func(gort::background(), [&] { runs.fetch_add(1); });
    EXPECT_TRUE(never());
    EXPECT_EQ(runs.load(), 0);
    EXPECT_FALSE(gort::StopFunc()());  // the empty StopFunc stops nothing
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(AfterFunc, IsStartedByADeadline) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_timeout(gort::background(), 1ms);
    auto ran = gort::make_chan<int>(3);
    auto [child, cancel_child] = gort::with_cancel(ctx);
    gort::after_func(ctx, [ran] { ran.send(1); });
    gort::after_func(child, [ran] { ran.send(2); });
    static const gort::ContextKey<int> key{"k"};
    gort::after_func(gort::with_value(child, key, 0), [ran] { ran.send(3); });
    int sum = ran.recv() + ran.recv() + ran.recv();
    EXPECT_EQ(sum, 6);
    EXPECT_EQ(child.err(), gort::deadline_exceeded_error());
    cancel_child();
    cancel();
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(AfterFunc, ADeadlineFiredByAnMWithoutAPStillStartsIt) {
  // Go starts AfterFunc's function with `go` from the timer.  Here an idle M
  // blocks in the network poller until the deadline while goroutines that never
  // reach a schedule point take every P: the waiter finds no P to take and
  // runs the timer without one, so the after_func goroutine is started from
  // an M without a P and waits on the global run queue until a P frees.
  // The deadline must still be ahead once the idle M sleeps for it; on a loaded
  // machine 20 ms can pass first, so a round whose deadline came too early is
  // run again with twice the deadline (not counted).
  std::chrono::milliseconds deadline = 20ms;
  for (int iter = 0; iter < scaled(5);) {
    bool scenario_ran = false;
    gort::run([&] {
      gort::gomaxprocs(2);
      gort::test::start_second_m();  // the idle M that will sleep in the poller
      const int procs = gort::gomaxprocs();
      auto [ctx, cancel] = gort::with_timeout(gort::background(), deadline);
      auto ran = gort::make_chan<int>(1);
      gort::after_func(ctx, [ran] { ran.send(1); });
      // The other P's M went idle and now sleeps until the deadline.
      ASSERT_TRUE(eventually([&] { return rt::sched.lastpoll.load() == 0 || ctx.err() != nullptr; }));
      if (ctx.err() != nullptr) {  // the deadline passed before the M slept for it
        EXPECT_EQ(ran.recv(), 1);
        return;
      }
      scenario_ran = true;
      std::atomic<bool> gave_up{false};
      gort::WaitGroup spinners;
      spinners.add(procs);
      for (int i = 0; i < procs; ++i) {
        gort::go([&, ctx = ctx] {
          const auto give_up = Clock::now() + kPollBound;
          while (ctx.err() == nullptr) {
            if (Clock::now() > give_up) {
              gave_up.store(true);
              break;
            }
          }
          spinners.done();
        });
      }
      EXPECT_EQ(ran.recv(), 1);
      spinners.wait();
      EXPECT_FALSE(gave_up.load());
      EXPECT_EQ(ctx.err(), gort::deadline_exceeded_error());
      cancel();
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
    if (scenario_ran) {
      ++iter;
    } else {
      ASSERT_LT(deadline, 10s) << "the idle M never slept for the deadline";
      deadline *= 2;
    }
  }
}

TEST(AfterFunc, StopRacingCancelLetsExactlyOneWin) {
  for (int iter = 0; iter < scaled(200); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      auto [ctx, cancel] = gort::with_cancel(gort::background());
      const int n = 16;
      auto ran = gort::make_chan<int>(n);
      std::vector<gort::StopFunc> stops;
      for (int i = 0; i < n; ++i) stops.push_back(gort::after_func(ctx, [ran] { ran.send(1); }));
      std::atomic<int> stopped{0};
      gort::WaitGroup wg;
      wg.add(2);
      gort::go([&] {
        for (auto& stop : stops) stopped.fetch_add(stop() ? 1 : 0);
        wg.done();
      });
      gort::go([&, cancel = cancel] {
        cancel();
        wg.done();
      });
      wg.wait();
      // Every function not stopped was started and reports in.
      for (int i = 0; i < n - stopped.load(); ++i) ran.recv();
      for (int i = 0; i < 20; ++i) gort::gosched();
      EXPECT_EQ(ran.len(), 0);
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

// ---------------------------------------------------------------------------
// Resources: cancel and stop unregister; a tree dropped uncancelled is freed.

TEST(ContextResources, StopReleasesTheRegistrationAtOnce) {
  gort::run([] {
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    std::atomic<int> destroyed{0};
    {
      const gort::StopFunc stop = gort::after_func(ctx, [t = Tracker(&destroyed)] {});
      EXPECT_TRUE(stop());
    }
    // The parent, still live, no longer holds the function.
    EXPECT_EQ(destroyed.load(), 1);
    cancel();
  });
}

TEST(ContextResources, CancelledChildrenLeaveTheirParent) {
  gort::run([] {
    static const gort::ContextKey<int> key{"k"};
    auto [root, cancel_root] = gort::with_cancel(gort::background());
    const gort::Context value_child = gort::with_value(root, key, 1);  // registers nothing
    const int n = scaled(1000);
    std::vector<gort::CancelFunc> cancels;
    std::vector<gort::StopFunc> stops;
    for (int i = 0; i < n; ++i) {
      switch (i % 3) {
        case 0: cancels.push_back(gort::with_cancel(root).second); break;
        case 1: cancels.push_back(gort::with_timeout(value_child, std::chrono::hours(1 + i)).second); break;
        default: stops.push_back(gort::after_func(value_child, [] {})); break;
      }
    }
    EXPECT_EQ(gort::detail::registered_children(root), static_cast<std::size_t>(n));
    for (const auto& cancel : cancels) cancel();
    EXPECT_EQ(gort::detail::registered_children(root), stops.size());
    for (const auto& stop : stops) EXPECT_TRUE(stop());
    EXPECT_EQ(gort::detail::registered_children(root), 0u);
    // Cancelling the parent empties its set as well.
    auto [child, cancel_child] = gort::with_cancel(root);
    EXPECT_EQ(gort::detail::registered_children(root), 1u);
    cancel_root();
    EXPECT_EQ(gort::detail::registered_children(root), 0u);
    cancel_child();
  });
}

TEST(ContextResources, ATreeDroppedUncancelledIsFreed) {
  gort::run([] {
    std::atomic<int> destroyed{0};
    {
      auto [root, cancel_root] = gort::with_cancel(gort::background());
      auto [child, cancel_child] = gort::with_cancel(root);
      auto [timed, cancel_timed] = gort::with_timeout(child, 1h);
      gort::after_func(child, [t = Tracker(&destroyed)] {});
      gort::after_func(root, [t = Tracker(&destroyed)] {});
      (void)timed;
      // Dropped without cancelling (Go vet would complain; Go's collector
      // reclaims it all, and so must we).  The armed timer keeps `timed`
      // alive until its deadline or the end of the program.
      cancel_timed();
    }
    EXPECT_EQ(destroyed.load(), 2);
  });
}

TEST(ContextResources, AnArmedTimerLeftAtExitIsReleased) {
  // Leak checkers (ASAN) see the context freed when the runtime ends.
  gort::run([] {
    auto [ctx, cancel] = gort::with_timeout(gort::background(), 1h);
    (void)cancel;
  });
}

// ---------------------------------------------------------------------------
// Concurrency.

TEST(ContextConcurrency, ManyGoroutinesCancelAndWaitAtOnce) {
  for (int iter = 0; iter < scaled(100); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      static const gort::ContextKey<int> key{"i"};
      auto [root, cancel_root] = gort::with_cancel(gort::background());
      const int children = live_goroutines(32);
      gort::WaitGroup wg;
      std::atomic<int> woken{0}, after_funcs_started{0}, after_funcs_stopped{0};
      auto after_func_ran = gort::make_chan<int>(children);
      std::vector<std::pair<gort::Context, gort::CancelFunc>> nodes;
      for (int i = 0; i < children; ++i) {
        switch (i % 3) {
          case 0: nodes.push_back(gort::with_cancel(root)); break;
          case 1: nodes.push_back(gort::with_timeout(root, std::chrono::microseconds(i * 7 % 100))); break;
          default: {
            auto [c, cancel] = gort::with_cancel(gort::with_value(root, key, i));
            nodes.emplace_back(c, cancel);
          }
        }
      }
      for (int i = 0; i < children; ++i) {
        const auto [ctx, cancel] = nodes[i];
        wg.add(3);
        // A waiter,
        gort::go([&, ctx = ctx] {
          ctx.done().recv();
          if (ctx.err() != nullptr) woken.fetch_add(1);
          wg.done();
        });
        // a canceller of its own node, racing the root's cancel,
        gort::go([&, cancel = cancel, i] {
          if (i % 2 == 0) cancel(error("own"));
          wg.done();
        });
        // and an after_func that is either started or stopped.
        gort::go([&, ctx = ctx, i] {
          const gort::StopFunc stop = gort::after_func(ctx, [&, after_func_ran] {
            after_funcs_started.fetch_add(1);
            after_func_ran.send(1);
          });
          if (i % 4 == 1 && stop()) after_funcs_stopped.fetch_add(1);
          wg.done();
        });
      }
      cancel_root();
      wg.wait();
      EXPECT_EQ(woken.load(), children);
      for (int i = 0; i < children - after_funcs_stopped.load(); ++i) after_func_ran.recv();
      EXPECT_EQ(after_funcs_started.load() + after_funcs_stopped.load(), children);
      for (const auto& [ctx, cancel] : nodes) {
        const auto e = ctx.err();
        EXPECT_TRUE(gort::is_canceled(e) || gort::is_deadline_exceeded(e));
        cancel();
      }
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

TEST(ContextConcurrency, DeepChainsCancelledFromBothEnds) {
  for (int iter = 0; iter < scaled(50); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(2 + iter % 3);
      const int depth = 64;
      std::vector<std::pair<gort::Context, gort::CancelFunc>> chain;
      chain.push_back(gort::with_cancel(gort::background()));
      for (int i = 1; i < depth; ++i) {
        chain.push_back(i % 5 == 0 ? gort::with_timeout(chain.back().first, 1h) : gort::with_cancel(chain.back().first));
      }
      gort::WaitGroup wg;
      wg.add(depth);
      for (int i = 0; i < depth; ++i) {
        gort::go([&, i] {
          // Leaves cancel themselves from the bottom while the root goes from the top.
          if (i == 0 || i > depth / 2) chain[i].second();
          chain[i].first.done().recv();
          wg.done();
        });
      }
      wg.wait();
      for (auto& [ctx, cancel] : chain) {
        EXPECT_EQ(ctx.err(), gort::canceled_error());
        cancel();
      }
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

// A with_timeout context whose deadline fires while goroutines on four Ps
// cancel it, and an after_func on it that all of them try to stop at once: the
// context ends once (cancelled or expired), and either the function ran once
// or exactly one stop returned true.
TEST(ContextConcurrency, ADeadlineFiringWhileManyGoroutinesCancelAndStop) {
  for (int round = 0; round < scaled(200); ++round) {
    gort::run([&] {
      gort::gomaxprocs(4);
      std::atomic<int> ran{0};
      std::atomic<int> stopped{0};
      {
        auto [ctx, cancel] = gort::with_timeout(gort::background(), std::chrono::microseconds(round % 50));
        const gort::StopFunc stop = gort::after_func(ctx, [&ran] { ran.fetch_add(1); });
        gort::test::Goroutines gs;
        for (int g = 0; g < 8; ++g) {
          gs.go([&, g, ctx = ctx, cancel = cancel] {
            if (g % 2 == 0) cancel();
            if (stop()) stopped.fetch_add(1);
            ctx.done().recv();
            const auto e = ctx.err();
            EXPECT_TRUE(gort::is_canceled(e) || gort::is_deadline_exceeded(e));
          });
        }
      }
      EXPECT_LE(stopped.load(), 1);
      EXPECT_TRUE(eventually([&] { return ran.load() + stopped.load() >= 1; }));
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
      EXPECT_EQ(ran.load() + stopped.load(), 1);
    });
  }
}

// ---------------------------------------------------------------------------
// Depth: nothing done with a context walks its chain recursively, so chains far
// deeper than a goroutine's stack could hold one frame per level for are
// cancelled, searched and freed.

/// Levels of the deep chains: one frame per level of even 64 bytes would need
/// 6 MiB, beyond a goroutine's 240 KiB stack.
constexpr int kDeepChain = 100'000;

/// Levels between two Tracker values in a deep chain.
constexpr int kTrackerEvery = 1'000;

/// A deep chain of with_cancel contexts, a Tracker value every kTrackerEvery
/// levels; `root` is its top.  The intermediate CancelFuncs are dropped (the
/// parents keep their children registered).
gort::Context deep_chain(const gort::Context& root, const gort::ContextKey<Tracker>& key,
                         std::atomic<int>* destroyed) {
  gort::Context leaf = root;
  for (int i = 0; i < kDeepChain; ++i) {
    if (i % kTrackerEvery == 0) leaf = gort::with_value(leaf, key, Tracker(destroyed));
    leaf = gort::with_cancel(leaf).first;
  }
  return leaf;
}

TEST(ContextDepth, ADeepChainIsCancelledFromItsRootSearchedAndFreed) {
  gort::run([] {
    const gort::ContextKey<Tracker> tracker{"tracker"};
    const gort::ContextKey<int> top{"top"};
    const gort::ContextKey<int> absent{"absent"};
    std::atomic<int> destroyed{0};
    auto ran = gort::make_chan<int>(1);
    {
      auto [root, cancel_root] = gort::with_cancel(gort::with_value(gort::background(), top, 7));
      gort::Context leaf = deep_chain(root, tracker, &destroyed);
      gort::StopFunc stop = gort::after_func(leaf, [ran] { ran.send(1); });
      ASSERT_NE(leaf.value(top), nullptr);
      EXPECT_EQ(*leaf.value(top), 7) << "found at the far end of the chain";
      EXPECT_EQ(leaf.value(absent), nullptr) << "the whole chain walked";
      EXPECT_EQ(leaf.err(), nullptr);
      EXPECT_EQ(gort::cause(leaf), nullptr);
      cancel_root(error("shutdown"));
      EXPECT_TRUE(is_done(leaf));
      EXPECT_EQ(leaf.err(), gort::canceled_error());
      EXPECT_EQ(message(gort::cause(leaf)), "shutdown");
      EXPECT_EQ(ran.recv(), 1) << "the leaf's after_func started";
      EXPECT_FALSE(stop());
      EXPECT_EQ(destroyed.load(), 0);
    }
    EXPECT_EQ(destroyed.load(), kDeepChain / kTrackerEvery) << "the cancelled chain was freed";
  });
}

TEST(ContextDepth, ADeepUncancelledChainIsFreedWhenDropped) {
  gort::run([] {
    const gort::ContextKey<Tracker> tracker{"tracker"};
    std::atomic<int> destroyed{0};
    {
      auto [root, cancel_root] = gort::with_cancel(gort::background());
      gort::Context leaf = deep_chain(root, tracker, &destroyed);
      EXPECT_EQ(gort::detail::registered_children(root), 1u);
      EXPECT_EQ(leaf.err(), nullptr);
    }  // the root, its CancelFunc and the leaf go: nothing can cancel the chain
    EXPECT_EQ(destroyed.load(), kDeepChain / kTrackerEvery);
  });
}

TEST(ContextDepth, ADeepChainOfDeadlinesIsCancelledWithEveryTimerStopped) {
  gort::run([] {
    // Each deadline a nanosecond earlier than its parent's, so every level
    // has a timer of its own (a later one would make it a with_cancel).
    const auto base = Clock::now() + 1h;
    auto [root, cancel_root] = gort::with_deadline(gort::background(), base);
    gort::Context leaf = root;
    for (int i = 1; i <= kDeepChain; ++i) leaf = gort::with_deadline(leaf, base - std::chrono::nanoseconds(i)).first;
    EXPECT_EQ(leaf.deadline(), base - std::chrono::nanoseconds(kDeepChain));
    cancel_root();
    EXPECT_EQ(leaf.err(), gort::canceled_error()) << "cancelled, not expired";
    EXPECT_TRUE(gort::is_canceled(gort::cause(leaf)));
  });
}

TEST(ContextDepth, ADeadlineCancelsADeepChainFromItsTimer) {
  gort::run([] {
    // The timer function walks the chain on whatever stack runs timers.  A
    // deadline that passes while the chain is still being built cancels each
    // new level as it is born instead, so that round is repeated with twice
    // the time the building took.
    std::chrono::nanoseconds timeout = 20ms;
    for (;;) {
      const auto start = Clock::now();
      auto [root, cancel_root] = gort::with_timeout(gort::background(), timeout);
      gort::Context leaf = root;
      for (int i = 0; i < kDeepChain; ++i) leaf = gort::with_cancel(leaf).first;
      if (root.err() != nullptr) {
        timeout = 2 * std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start);
        continue;
      }
      leaf.done().recv();
      EXPECT_EQ(leaf.err(), gort::deadline_exceeded_error());
      EXPECT_EQ(gort::cause(leaf), gort::deadline_exceeded_error());
      cancel_root();
      break;
    }
  });
}

// ---------------------------------------------------------------------------
// Semaphore::acquire with a context (x/sync's Acquire(ctx, n)).

TEST(SemaphoreContext, AcquiresWhenWeightIsFree) {
  gort::run([] {
    gort::Semaphore sem(3);
    EXPECT_EQ(sem.acquire(gort::background(), 2), nullptr);
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    EXPECT_EQ(sem.acquire(ctx, 1), nullptr);
    EXPECT_FALSE(sem.try_acquire(1));
    sem.release(3);
    cancel();
  });
}

TEST(SemaphoreContext, ADoneContextFailsEvenWhenWeightIsFree) {
  gort::run([] {
    gort::Semaphore sem(1);
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    cancel();
    EXPECT_EQ(sem.acquire(ctx, 1), gort::canceled_error());
    EXPECT_TRUE(sem.try_acquire(1));  // left unchanged
    sem.release(1);
  });
}

TEST(SemaphoreContext, CancellationEndsTheWaitAndLeavesTheSemaphoreUnchanged) {
  gort::run([] {
    gort::Semaphore sem(2);
    ASSERT_TRUE(sem.try_acquire(2));
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    auto result = gort::make_chan<std::exception_ptr>(1);
    gort::go([&, ctx = ctx] { result.send(sem.acquire(ctx, 1)); });
    gort::gosched();
    cancel();
    EXPECT_EQ(result.recv(), gort::canceled_error());
    sem.release(2);
    EXPECT_TRUE(sem.try_acquire(2));  // the cancelled waiter took nothing
    sem.release(2);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(SemaphoreContext, ADeadlineEndsAnOversizedRequest) {
  gort::run([] {
    gort::Semaphore sem(1);
    auto [ctx, cancel] = gort::with_timeout(gort::background(), 1ms);
    EXPECT_EQ(sem.acquire(ctx, 5), gort::deadline_exceeded_error());  // can never be served
    EXPECT_TRUE(sem.try_acquire(1));
    sem.release(1);
    cancel();
  });
}

TEST(SemaphoreContext, ACancelledHeadWaiterLetsTheNextOneIn) {
  gort::run([] {
    gort::Semaphore sem(3);
    ASSERT_TRUE(sem.try_acquire(2));
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    auto big = gort::make_chan<std::exception_ptr>(1);
    auto small = gort::make_chan<std::exception_ptr>(1);
    gort::go([&, ctx = ctx] { big.send(sem.acquire(ctx, 2)); });  // head: does not fit
    ASSERT_TRUE(eventually([&] { return !sem.try_acquire(0); }));  // the head is queued
    gort::go([&] { small.send(sem.acquire(gort::background(), 1)); });  // fits, but waits behind
    gort::gosched();
    EXPECT_EQ(small.len(), 0);
    cancel();
    EXPECT_EQ(big.recv(), gort::canceled_error());
    EXPECT_EQ(small.recv(), nullptr);  // the head left, so the weight went on
    sem.release(3);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(SemaphoreContext, CancellationRacingGrantsNeverLosesWeight) {
  for (int iter = 0; iter < scaled(50); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      const int64_t size = 4;
      gort::Semaphore sem(size);
      std::atomic<int64_t> held{0};
      std::atomic<bool> over{false};
      const int workers = live_goroutines(64);
      gort::WaitGroup wg;
      wg.add(workers);
      for (int w = 0; w < workers; ++w) {
        gort::go([&, w] {
          for (int k = 0; k < 20; ++k) {
            auto [ctx, cancel] = gort::with_timeout(gort::background(), std::chrono::microseconds((w + k) % 30));
            const int64_t n = 1 + (w + k) % 3;
            if (sem.acquire(ctx, n) == nullptr) {
              if (held.fetch_add(n) + n > size) over.store(true);
              gort::gosched();
              held.fetch_sub(n);
              sem.release(n);
            }
            cancel();
          }
          wg.done();
        });
      }
      wg.wait();
      EXPECT_FALSE(over.load());
      EXPECT_TRUE(sem.try_acquire(size));  // every granted weight came back
      sem.release(size);
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

}  // namespace
