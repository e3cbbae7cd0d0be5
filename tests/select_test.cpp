// select_test.cpp — gort::select: uniform choice among ready cases, default,
// nil cases, one winner with the losers dequeued, duplicate channels, close,
// and golang/go test/chan/doubleselect.go's exactly-once delivery.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using gort::test::scaled;

/// Checks that each of counts is within 6 standard deviations of a fair
/// multinomial's mean (n trials, k outcomes): a correct select fails this with
/// probability below 1e-8, a biased one (say 60/40 for k = 2) fails certainly.
void expect_uniform(const std::vector<int>& counts, int n) {
  const double k = static_cast<double>(counts.size());
  const double p = 1.0 / k;
  const double sd = std::sqrt(n * p * (1 - p));
  for (std::size_t i = 0; i < counts.size(); ++i) {
    EXPECT_NEAR(counts[i], n * p, 6 * sd) << "case " << i << " of " << counts.size() << " over " << n << " selects";
  }
}

/// Runs a select over all of chans as receive cases; returns the position chosen.
int select_recv_all(const std::vector<gort::Chan<int>>& chans) {
  switch (chans.size()) {
    case 2:
      return gort::select(gort::on_recv(chans[0]), gort::on_recv(chans[1]));
    case 3:
      return gort::select(gort::on_recv(chans[0]), gort::on_recv(chans[1]), gort::on_recv(chans[2]));
    case 4:
      return gort::select(gort::on_recv(chans[0]), gort::on_recv(chans[1]), gort::on_recv(chans[2]),
                          gort::on_recv(chans[3]));
    default:
      return gort::select(gort::on_recv(chans[0]), gort::on_recv(chans[1]), gort::on_recv(chans[2]),
                          gort::on_recv(chans[3]), gort::on_recv(chans[4]), gort::on_recv(chans[5]),
                          gort::on_recv(chans[6]), gort::on_recv(chans[7]));
  }
}

class SelectFairness : public ::testing::TestWithParam<int> {};

TEST_P(SelectFairness, EveryReadyReceiveCaseIsChosenEquallyOften) {
  const int k = GetParam();
  const int n = scaled(40'000);
  gort::run([&] {
    std::vector<gort::Chan<int>> chans;
    for (int i = 0; i < k; ++i) {
      chans.push_back(gort::make_chan<int>(n));
      for (int j = 0; j < n; ++j) chans.back().send(j);  // always ready
    }
    std::vector<int> counts(k, 0);
    for (int i = 0; i < n; ++i) ++counts[select_recv_all(chans)];
    expect_uniform(counts, n);
  });
}

INSTANTIATE_TEST_SUITE_P(Cases, SelectFairness, ::testing::Values(2, 3, 4, 8),
                         [](const auto& info) { return std::to_string(info.param) + "cases"; });

class SelectSendFairness : public ::testing::TestWithParam<int> {};

TEST_P(SelectSendFairness, EveryReadySendCaseIsChosenEquallyOften) {
  const int n = scaled(40'000);
  gort::run([&] {
    std::vector<gort::Chan<int>> c;
    for (int i = 0; i < 4; ++i) c.push_back(gort::make_chan<int>(n));
    std::vector<int> counts(GetParam(), 0);
    for (int i = 0; i < n; ++i) {
      const int chosen = GetParam() == 2 ? gort::select(gort::on_send(c[0], i), gort::on_send(c[1], i))
                                         : gort::select(gort::on_send(c[0], i), gort::on_send(c[1], i),
                                                        gort::on_send(c[2], i), gort::on_send(c[3], i));
      ++counts[chosen];
    }
    for (int i = 0; i < GetParam(); ++i) EXPECT_EQ(c[i].len(), counts[i]);
    expect_uniform(counts, n);
  });
}

INSTANTIATE_TEST_SUITE_P(Cases, SelectSendFairness, ::testing::Values(2, 4),
                         [](const auto& info) { return std::to_string(info.param) + "cases"; });

TEST(Select, DefaultRunsOnlyWhenNothingIsReady) {
  gort::run([] {
    auto c = gort::make_chan<int>(1);
    bool ran_default = false;
    EXPECT_EQ(gort::select(gort::on_recv(c), gort::on_default([&] { ran_default = true; })), 1);
    EXPECT_TRUE(ran_default);
    c.send(7);
    int got = 0;
    EXPECT_EQ(gort::select(gort::on_default(), gort::on_recv(c, [&](int v, bool ok) {
                             EXPECT_TRUE(ok);
                             got = v;
                           })),
              1);
    EXPECT_EQ(got, 7);
    // A select of only a default runs it.
    EXPECT_EQ(gort::select(gort::on_default()), 0);
  });
}

TEST(Select, NilChannelCasesAreNeverChosen) {
  gort::run([] {
    gort::Chan<int> nil;
    auto ready = gort::make_chan<int>(1000);
    for (int i = 0; i < 1000; ++i) ready.send(i);
    for (int i = 0; i < 1000; ++i) {
      EXPECT_EQ(gort::select(gort::on_recv(nil), gort::on_send(nil, 1), gort::on_recv(ready)), 2);
    }
    EXPECT_EQ(gort::select(gort::on_recv(nil), gort::on_send(nil, 1), gort::on_default()), 2);
  });
}

TEST(Select, ReceiveCallbackFormsGetTheValue) {
  gort::run([] {
    auto c = gort::make_chan<std::string>(3);
    c.send("a");
    c.send("b");
    c.send("c");
    std::string seen;
    gort::select(gort::on_recv(c, [&](std::string v, bool ok) { seen += v + (ok ? "+" : "-"); }));
    gort::select(gort::on_recv(c, [&](std::string v) { seen += v; }));
    gort::select(gort::on_recv(c, [&] { seen += "?"; }));
    EXPECT_EQ(seen, "a+b?");
    EXPECT_EQ(c.len(), 0);
  });
}

/// What a select parked on receives from two unbuffered channels a and b saw:
/// the case that ran (0 for a, 1 for b), the value and ok.
struct TwoChannelSelect {
  int index = -1;
  int value = -1;
  bool ok = false;
};

/// Starts a goroutine that selects on receiving from a and b, runs wake(a, b)
/// (which must make one case ready), then checks the outcome with
/// check(result, a, b).  Runs many iterations over one and two Ps.
template <class Wake, class Check>
void run_two_channel_select(int iterations, Wake wake, Check check) {
  for (int iter = 0; iter < iterations; ++iter) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(1 + iter % 2);
      auto a = gort::make_chan<int>();
      auto b = gort::make_chan<int>();
      auto done = gort::make_chan<TwoChannelSelect>(1);
      gs.go([=] {
        TwoChannelSelect r;
        auto record = [&r](int v, bool ok) {
          r.value = v;
          r.ok = ok;
        };
        r.index = gort::select(gort::on_recv(a, record), gort::on_recv(b, record));
        done.send(r);
      });
      wake(a, b);
      check(done.recv(), a, b);
    });
  }
}

TEST(Select, LosingCasesAreDequeued) {
  // A select parked on a and b wins on a; afterwards nobody may be waiting on
  // b, or a later send on b would hand a value to a finished select.
  run_two_channel_select(
      scaled(2000), [](auto& a, auto&) { a.send(1); },
      [](TwoChannelSelect r, auto&, auto& b) {
        EXPECT_EQ(r.index, 0);
        EXPECT_EQ(r.value, 1);
        EXPECT_FALSE(b.try_send(2)) << "a receiver is still queued on the losing channel";
      });
}

TEST(Select, SameChannelTwiceWakesExactlyOneCase) {
  std::set<int> winners;
  for (int iter = 0; iter < scaled(400); ++iter) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(1 + iter % 2);
      auto c = gort::make_chan<int>();
      auto done = gort::make_chan<int>(1);
      gs.go([=] {
        std::atomic<int> ran{0};
        const int i = gort::select(gort::on_recv(c, [&] { ++ran; }), gort::on_recv(c, [&] { ++ran; }));
        done.send(ran.load() == 1 ? i : -1);
      });
      c.send(1);
      const int winner = done.recv();
      EXPECT_GE(winner, 0);
      winners.insert(winner);
      EXPECT_FALSE(c.try_send(2));
    });
  }
  EXPECT_EQ(winners, (std::set<int>{0, 1})) << "both cases on the same channel should win sometimes";
}

TEST(Select, SendAndReceiveOnOneBufferedChannel) {
  gort::run([] {
    auto c = gort::make_chan<int>(1);
    // Empty: only the send can proceed; full: only the receive.
    for (int i = 0; i < 100; ++i) {
      EXPECT_EQ(gort::select(gort::on_send(c, i), gort::on_recv(c)), 0);
      EXPECT_EQ(gort::select(gort::on_send(c, i), gort::on_recv(c)), 1);
    }
  });
}

TEST(Select, ClosedChannelIsReadyWithOkFalse) {
  gort::run([] {
    auto c = gort::make_chan<int>();
    auto never = gort::make_chan<int>();
    c.close();
    bool ok = true;
    EXPECT_EQ(gort::select(gort::on_recv(never), gort::on_recv(c, [&](int v, bool o) {
                             EXPECT_EQ(v, 0);
                             ok = o;
                           })),
              1);
    EXPECT_FALSE(ok);
  });
}

TEST(Select, CloseWakesAParkedSelect) {
  run_two_channel_select(
      scaled(500), [](auto&, auto& b) { b.close(); },
      [](TwoChannelSelect r, auto&, auto&) {
        EXPECT_EQ(r.index, 1);
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.value, 0);
      });
}

TEST(Select, SendCaseOnAClosedChannelPanics) {
  gort::run([] {
    auto c = gort::make_chan<int>(1);
    auto other = gort::make_chan<int>();
    c.close();
    std::string msg;
    try {
      gort::select(gort::on_recv(other), gort::on_send(c, 1));
    } catch (const gort::Panic& p) {
      msg = p.what();
    }
    EXPECT_EQ(msg, "send on closed channel");
  });
}

TEST(Select, ParkedSendCasePanicsWhenItsChannelIsClosed) {
  gort::run([] {
    gort::test::Goroutines gs;  // joined, captures released, before run returns
    gort::gomaxprocs(2);
    auto c = gort::make_chan<int>();
    auto other = gort::make_chan<int>();
    auto result = gort::make_chan<std::string>(1);
    gs.go([=] {
      try {
        gort::select(gort::on_recv(other), gort::on_send(c, 1));
        result.send("returned");
      } catch (const gort::Panic& p) {
        result.send(p.what());
      }
    });
    c.close();
    EXPECT_EQ(result.recv(), "send on closed channel");
  });
}

TEST(Select, MoveOnlyValuesInSendAndReceiveCases) {
  gort::run([] {
    gort::test::Goroutines gs;  // joined, captures released, before run returns
    auto c = gort::make_chan<std::unique_ptr<int>>();
    auto done = gort::make_chan<int>(1);
    gs.go([=] {
      gort::select(gort::on_recv(c, [&](std::unique_ptr<int> p, bool ok) { done.send(ok && p ? *p : -1); }));
    });
    gort::select(gort::on_send(c, std::make_unique<int>(9)));
    EXPECT_EQ(done.recv(), 9);
  });
}

// doubleselect.go: senders select over four channels, receivers read all of
// them; every value must arrive exactly once (a select must not send twice).
TEST(SelectPrograms, DoubleSelectDeliversEachValueOnce) {
  for (int procs : {1, 2, 4}) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(procs);
      const int n = scaled(20'000);
      auto c1 = gort::make_chan<int>(), c2 = gort::make_chan<int>(), c3 = gort::make_chan<int>(),
           c4 = gort::make_chan<int>();
      auto sender = [=](int start) {
        for (int i = start; i < n; i += 2) {
          gort::select(gort::on_send(c1, i), gort::on_send(c2, i), gort::on_send(c3, i), gort::on_send(c4, i));
        }
      };
      gort::WaitGroup senders;
      senders.add(2);
      gs.go([&] { sender(0); senders.done(); });
      gs.go([&] { sender(1); senders.done(); });
      auto merged = gort::make_chan<int>();
      gort::WaitGroup readers;
      readers.add(4);
      for (const auto& c : {c1, c2, c3, c4}) {
        gs.go([&, c] {
          for (int v : c) merged.send(v);
          readers.done();
        });
      }
      gs.go([&] {
        senders.wait();
        c1.close();
        c2.close();
        c3.close();
        c4.close();
        readers.wait();
        merged.close();
      });
      std::vector<char> seen(n, 0);
      int count = 0;
      for (int v : merged) {
        ASSERT_GE(v, 0);
        ASSERT_LT(v, n);
        ASSERT_EQ(seen[v], 0) << "value " << v << " received twice";
        seen[v] = 1;
        ++count;
      }
      EXPECT_EQ(count, n);
    });
  }
}

/// A select with one receive case per element of chans (N known at compile time).
template <std::size_t... I>
int select_over(const std::vector<gort::Chan<int>>& chans, std::index_sequence<I...>) {
  return gort::select(gort::on_recv(chans[I])...);
}

// Selects of 8, 40 and 100 cases take every path of building the poll and
// lock orders (insertion sort, std::sort, orders on the heap beyond 64 cases);
// half the cases name a channel twice.  Every value is received exactly once.
template <std::size_t N>
void many_cases_receive_everything() {
  gort::run([] {
    std::vector<gort::Chan<int>> distinct;
    for (std::size_t i = 0; i < N / 2; ++i) distinct.push_back(gort::make_chan<int>(2));
    std::vector<gort::Chan<int>> cases;
    for (std::size_t i = 0; i < N; ++i) cases.push_back(distinct[i % distinct.size()]);
    for (auto& c : distinct) c.send(1);
    std::vector<int> received(N / 2, 0);
    for (std::size_t k = 0; k < N / 2; ++k) ++received[select_over(cases, std::make_index_sequence<N>()) % (N / 2)];
    for (int r : received) EXPECT_EQ(r, 1);
    for (auto& c : distinct) EXPECT_EQ(c.len(), 0);
  });
}

TEST(Select, ManyCasesWithDuplicatesReceiveEverythingOnce) {
  many_cases_receive_everything<8>();
  many_cases_receive_everything<40>();
  many_cases_receive_everything<100>();
}

}  // namespace
