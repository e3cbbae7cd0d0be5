// runq_test.cpp — the run queues in isolation (runtime internals, no gort::run).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "p.hpp"
#include "runq.hpp"
#include "sched.hpp"
#include "test_util.hpp"

namespace {

using namespace gort::runtime;

struct RunqFixture : ::testing::Test {
  void SetUp() override {
    set_gomaxprocs_value(2);
    sched.runq = GQueue{};
    sched.runqsize.store(0);
  }
  void TearDown() override {
    sched.runq = GQueue{};
    sched.runqsize.store(0);
    set_gomaxprocs_value(0);
  }
  std::vector<std::unique_ptr<G>> make_gs(int n) {
    std::vector<std::unique_ptr<G>> v;
    for (int i = 0; i < n; ++i) {
      v.push_back(std::make_unique<G>());
      v.back()->goid = i + 1;
    }
    return v;
  }
};

TEST_F(RunqFixture, RingIsFifoAndRunnextComesFirst) {
  P p;
  auto gs = make_gs(4);
  runqput(&p, gs[0].get(), false);
  runqput(&p, gs[1].get(), false);
  runqput(&p, gs[2].get(), true);
  runqput(&p, gs[3].get(), true);  // kicks gs[2] to the ring's tail
  bool inherit = false;
  EXPECT_EQ(runqget(&p, &inherit), gs[3].get());
  EXPECT_TRUE(inherit);
  EXPECT_EQ(runqget(&p, &inherit), gs[0].get());
  EXPECT_FALSE(inherit);
  EXPECT_EQ(runqget(&p, &inherit), gs[1].get());
  EXPECT_EQ(runqget(&p, &inherit), gs[2].get());
  EXPECT_EQ(runqget(&p, &inherit), nullptr);
  EXPECT_TRUE(runqempty(&p));
}

TEST_F(RunqFixture, FullRingMovesHalfPlusOneToTheGlobalQueue) {
  P p;
  auto gs = make_gs(257);
  for (int i = 0; i < 256; ++i) runqput(&p, gs[i].get(), false);
  EXPECT_EQ(p.runq.size(), 256u);
  EXPECT_EQ(sched.runqsize.load(), 0);
  runqput(&p, gs[256].get(), false);
  EXPECT_EQ(p.runq.size(), 128u);
  EXPECT_EQ(sched.runqsize.load(), 129);
  // The oldest half went global, in order, followed by the new G.
  EXPECT_EQ(sched.runq.head, gs[0].get());
  EXPECT_EQ(sched.runq.tail, gs[256].get());
}

TEST_F(RunqFixture, GlobalGetTakesAFairShareAndFillsTheRing) {
  P p;
  auto gs = make_gs(10);
  for (auto& g : gs) globrunqput(g.get());
  // 10 queued, GOMAXPROCS 2: share is 10/2 + 1 = 6; one returned, five queued.
  G* first = globrunqget(&p, 0);
  EXPECT_EQ(first, gs[0].get());
  EXPECT_EQ(p.runq.size(), 5u);
  EXPECT_EQ(sched.runqsize.load(), 4);
  EXPECT_EQ(globrunqget(&p, 1), gs[6].get());  // max 1: nothing goes to the ring
  EXPECT_EQ(p.runq.size(), 5u);
}

TEST_F(RunqFixture, StealTakesHalfAndRunnextOnlyWhenAsked) {
  P victim, thief;
  auto gs = make_gs(11);
  for (int i = 0; i < 10; ++i) runqput(&victim, gs[i].get(), false);
  runqput(&victim, gs[10].get(), true);
  G* got = runqsteal(&thief, &victim, false);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got, gs[4].get());  // 5 taken: 4 queued on the thief, the 5th returned
  EXPECT_EQ(thief.runq.size(), 4u);
  EXPECT_EQ(victim.runq.size(), 5u);
  // Drain the victim's ring; runnext is taken only by a last-pass steal.
  bool inherit;
  while (runqget(&victim, &inherit) != nullptr) {
  }
  runqput(&victim, gs[10].get(), true);
  P thief2;
  EXPECT_EQ(runqsteal(&thief2, &victim, false), nullptr);
  EXPECT_EQ(runqsteal(&thief2, &victim, true), gs[10].get());
  EXPECT_TRUE(runqempty(&victim));
}

// An owner producing and consuming while thieves steal: every G is taken
// exactly once, none lost or duplicated.  Many rounds; also run under TSAN.
TEST_F(RunqFixture, ConcurrentStealingLosesAndDuplicatesNothing) {
  const int rounds = gort::test::scaled(20), per_round = 20'000;
  for (int round = 0; round < rounds; ++round) {
    sched.runq = GQueue{};
    sched.runqsize.store(0);
    P owner;
    P thieves[2];
    auto gs = make_gs(per_round);
    std::vector<std::atomic<int>> taken(per_round);
    std::atomic<bool> producing{true};
    auto take = [&](G* g) { taken[g->goid - 1].fetch_add(1); };
    std::vector<std::thread> ts;
    for (auto& t : thieves) {
      ts.emplace_back([&, tp = &t] {
        bool inherit;
        for (;;) {
          const bool last = !producing.load();
          if (G* g = runqsteal(tp, &owner, true)) take(g);
          while (G* g = runqget(tp, &inherit)) take(g);
          if (last && runqempty(&owner)) break;
        }
      });
    }
    bool inherit;
    for (int i = 0; i < per_round; ++i) {
      runqput(&owner, gs[i].get(), i % 7 == 0);
      if (i % 3 == 0) {
        if (G* g = runqget(&owner, &inherit)) take(g);
      }
    }
    producing.store(false);
    while (G* g = runqget(&owner, &inherit)) take(g);
    for (auto& t : ts) t.join();
    while (G* g = sched.runq.pop()) take(g);
    for (int i = 0; i < per_round; ++i) ASSERT_EQ(taken[i].load(), 1) << "G " << i + 1 << " round " << round;
  }
}

}  // namespace
