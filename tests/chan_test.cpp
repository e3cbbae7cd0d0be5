// chan_test.cpp — channels as a Go programmer knows them: hand-off, buffering,
// FIFO order, close, nil channels, element types, and the programs of
// golang/go's test/chan directory whose intent applies (sieve, fifo, nonblock,
// goroutines daisy chain).
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using gort::test::live_goroutines;
using gort::test::scaled;

/// Returns the message of the gort::Panic fn throws, or "" if it returns.
template <class F>
std::string panic_message(F&& fn) {
  try {
    fn();
  } catch (const gort::Panic& p) {
    return p.what();
  }
  return "";
}

// ---------------------------------------------------------------------------
// Basic hand-off and buffering, for unbuffered and several buffer sizes.

class ChanCapacity : public ::testing::TestWithParam<int> {};

TEST_P(ChanCapacity, DeliversEveryValueInOrderBetweenTwoGoroutines) {
  const int capacity = GetParam();
  for (int procs : {1, 2, 4}) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(procs);
      auto c = gort::make_chan<int>(capacity);
      const int n = scaled(20000);
      gs.go([c, n]() {
        for (int i = 0; i < n; ++i) c.send(i);
        c.close();
      });
      int expect = 0;
      for (int v : c) {
        ASSERT_EQ(v, expect);
        ++expect;
      }
      EXPECT_EQ(expect, n);
    });
  }
}

TEST_P(ChanCapacity, ManyProducersAndConsumersLoseNothing) {
  // No lost wakeups: every value sent is received exactly once, under
  // contention, with goroutines parking on both queues.
  const int capacity = GetParam();
  for (int iter = 0; iter < scaled(20); ++iter) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(1 + iter % 4);
      constexpr int kProducers = 8, kConsumers = 8;
      const int per_producer = scaled(2000);
      auto c = gort::make_chan<int64_t>(capacity);
      gort::WaitGroup producers, consumers;
      std::atomic<int64_t> sum{0}, count{0};
      producers.add(kProducers);
      consumers.add(kConsumers);
      for (int p = 0; p < kProducers; ++p) {
        gs.go([&, p] {
          for (int i = 0; i < per_producer; ++i) c.send(int64_t(p) * per_producer + i);
          producers.done();
        });
      }
      for (int k = 0; k < kConsumers; ++k) {
        gs.go([&] {
          for (int64_t v : c) {
            sum += v;
            ++count;
          }
          consumers.done();
        });
      }
      producers.wait();
      c.close();
      consumers.wait();
      const int64_t total = int64_t(kProducers) * per_producer;
      EXPECT_EQ(count.load(), total);
      EXPECT_EQ(sum.load(), total * (total - 1) / 2);
    });
  }
}

INSTANTIATE_TEST_SUITE_P(Capacities, ChanCapacity, ::testing::Values(0, 1, 2, 16, 1024),
                         [](const auto& info) { return "cap" + std::to_string(info.param); });

TEST(Chan, LenAndCapReportTheBuffer) {
  gort::run([] {
    auto c = gort::make_chan<int>(3);
    EXPECT_EQ(c.cap(), 3);
    EXPECT_EQ(c.len(), 0);
    c.send(1);
    c.send(2);
    EXPECT_EQ(c.len(), 2);
    EXPECT_EQ(c.recv(), 1);
    EXPECT_EQ(c.len(), 1);
    auto u = gort::make_chan<int>();
    EXPECT_EQ(u.cap(), 0);
    EXPECT_EQ(u.len(), 0);
  });
}

TEST(Chan, TrySendAndTryRecvNeverBlock) {
  gort::run([] {
    // Unbuffered with nobody waiting: both fail.
    auto u = gort::make_chan<int>();
    EXPECT_FALSE(u.try_send(1));
    EXPECT_FALSE(u.try_recv().has_value());
    // Buffered: succeed until full / empty.
    auto c = gort::make_chan<int>(2);
    EXPECT_TRUE(c.try_send(1));
    EXPECT_TRUE(c.try_send(2));
    EXPECT_FALSE(c.try_send(3));
    EXPECT_EQ(c.try_recv(), std::optional<int>(1));
    EXPECT_EQ(c.try_recv(), std::optional<int>(2));
    EXPECT_FALSE(c.try_recv().has_value());
  });
}

TEST(Chan, TrySendSucceedsWhenAReceiverIsParked) {
  gort::run([] {
    gort::test::Goroutines gs;  // joined, captures released, before run returns
    gort::gomaxprocs(1);
    auto c = gort::make_chan<int>();
    auto got = gort::make_chan<int>(1);
    gs.go([c, got]() { got.send(c.recv()); });
    // Let the receiver run until it parks; then a non-blocking send pairs with it.
    int tries = 0;
    while (!c.try_send(42)) {
      ASSERT_LT(++tries, 1'000'000) << "receiver never parked";
      gort::gosched();
    }
    EXPECT_EQ(got.recv(), 42);
  });
}

TEST(Chan, BufferStaysFifoWhileSendersWait) {
  // A receiver that finds the buffer full and a sender parked takes the head
  // and moves the sender's value to the tail (recv in chan.go): order holds.
  for (int procs : {1, 2}) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(procs);
      auto c = gort::make_chan<int>(2);
      constexpr int kSenders = 4, kPerSender = 500;
      gort::WaitGroup wg;
      wg.add(kSenders);
      for (int s = 0; s < kSenders; ++s) {
        gs.go([&, s] {
          for (int i = 0; i < kPerSender; ++i) c.send(s * kPerSender + i);
          wg.done();
        });
      }
      std::vector<int> last(kSenders, -1);
      for (int k = 0; k < kSenders * kPerSender; ++k) {
        const int v = c.recv();
        const int s = v / kPerSender;
        ASSERT_GT(v, last[s]) << "values of one sender arrived out of order";
        last[s] = v;
      }
      wg.wait();
    });
  }
}

// ---------------------------------------------------------------------------
// Close.

TEST(ChanClose, ReceiversDrainTheBufferThenSeeClosed) {
  gort::run([] {
    auto c = gort::make_chan<int>(3);
    c.send(1);
    c.send(2);
    c.close();
    EXPECT_EQ(c.recv2(), std::make_pair(1, true));
    EXPECT_EQ(c.recv2(), std::make_pair(2, true));
    EXPECT_EQ(c.recv2(), std::make_pair(0, false));
    EXPECT_EQ(c.recv2(), std::make_pair(0, false));
    EXPECT_EQ(c.recv(), 0);
    EXPECT_FALSE(c.try_recv().has_value());
  });
}

TEST(ChanClose, WakesEveryParkedReceiver) {
  for (int iter = 0; iter < scaled(50); ++iter) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(1 + iter % 3);
      const int n = 100;
      auto c = gort::make_chan<int>(iter % 2);
      std::atomic<int> parked_done{0}, saw_closed{0};
      gort::WaitGroup wg;
      wg.add(n);
      for (int i = 0; i < n; ++i) {
        gs.go([&] {
          auto [v, ok] = c.recv2();
          if (!ok && v == 0) ++saw_closed;
          ++parked_done;
          wg.done();
        });
      }
      // Every receiver runs until it parks (nothing else can make progress);
      // on one P yielding lets them all reach the channel.
      for (int k = 0; k < 100; ++k) gort::gosched();
      c.close();
      wg.wait();
      EXPECT_EQ(saw_closed.load(), n);
    });
  }
}

TEST(ChanClose, ParkedSendersPanic) {
  for (int iter = 0; iter < scaled(50); ++iter) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(1 + iter % 3);
      const int n = 50;
      auto c = gort::make_chan<std::string>();
      std::atomic<int> panicked{0};
      gort::WaitGroup started, wg;
      started.add(n);
      wg.add(n);
      for (int i = 0; i < n; ++i) {
        gs.go([&] {
          started.done();
          if (panic_message([&] { c.send(std::string("value")); }) == "send on closed channel") ++panicked;
          wg.done();
        });
      }
      started.wait();
      // The senders are parked or about to park; close catches both: a sender
      // arriving after the close panics at once.
      c.close();
      wg.wait();
      EXPECT_EQ(panicked.load(), n);
    });
  }
}

TEST(ChanClose, PanicsWithGosMessages) {
  gort::run([] {
    auto c = gort::make_chan<int>(1);
    c.close();
    EXPECT_EQ(panic_message([&] { c.send(1); }), "send on closed channel");
    EXPECT_EQ(panic_message([&] { c.try_send(1); }), "send on closed channel");
    EXPECT_EQ(panic_message([&] { c.close(); }), "close of closed channel");
    gort::Chan<int> nil;
    EXPECT_EQ(panic_message([&] { nil.close(); }), "close of nil channel");
    EXPECT_EQ(panic_message([] { gort::make_chan<int>(-1); }), "makechan: size out of range");
    // They are runtime errors, as in Go.
    try {
      c.close();
      ADD_FAILURE() << "close of closed channel did not panic";
    } catch (const gort::RuntimeError&) {
    }
  });
}

// ---------------------------------------------------------------------------
// Nil channels and handles.

TEST(ChanNil, NonBlockingOperationsFailAndLenCapAreZero) {
  gort::run([] {
    gort::Chan<int> nil;
    EXPECT_FALSE(static_cast<bool>(nil));
    EXPECT_FALSE(nil.try_send(1));
    EXPECT_FALSE(nil.try_recv().has_value());
    EXPECT_EQ(nil.len(), 0);
    EXPECT_EQ(nil.cap(), 0);
  });
}

TEST(ChanHandle, CopiesNameTheSameChannel) {
  gort::run([] {
    auto a = gort::make_chan<int>(1);
    gort::Chan<int> b = a;
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == gort::make_chan<int>(1));
    b.send(5);
    EXPECT_EQ(a.recv(), 5);
    gort::Chan<int> moved = std::move(b);
    EXPECT_FALSE(static_cast<bool>(b));  // NOLINT(bugprone-use-after-move): moved-from is nil
    EXPECT_TRUE(moved == a);
  });
}

TEST(ChanHandle, BufferedElementsAreDestroyedWithTheLastHandle) {
  auto alive = std::make_shared<int>(0);
  gort::run([&] {
    auto c = gort::make_chan<std::shared_ptr<int>>(4);
    c.send(alive);
    c.send(alive);
    EXPECT_EQ(alive.use_count(), 3);
  });
  EXPECT_EQ(alive.use_count(), 1);
}

// ---------------------------------------------------------------------------
// Element types: move-only and non-trivially-copyable.

TEST(ChanElements, MoveOnlyValuesTravelThroughEveryPath) {
  for (int capacity : {0, 1, 8}) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      auto c = gort::make_chan<std::unique_ptr<int>>(capacity);
      gs.go([c]() {
        for (int i = 0; i < 100; ++i) c.send(std::make_unique<int>(i));
        c.close();
      });
      int expect = 0;
      for (std::unique_ptr<int> p : c) {
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(*p, expect++);
      }
      EXPECT_EQ(expect, 100);
      auto [p, ok] = c.recv2();
      EXPECT_FALSE(ok);
      EXPECT_EQ(p, nullptr);
    });
  }
}

TEST(ChanElements, StringsSurviveBufferWrapAndDirectHandOff) {
  gort::run([] {
    gort::test::Goroutines gs;  // joined, captures released, before run returns
    gort::gomaxprocs(2);
    auto c = gort::make_chan<std::string>(3);
    const int n = scaled(5000);
    gs.go([c, n]() {
      for (int i = 0; i < n; ++i) c.send(std::string(40, char('a' + i % 26)) + std::to_string(i));
      c.close();
    });
    int i = 0;
    for (std::string s : c) {
      ASSERT_EQ(s, std::string(40, char('a' + i % 26)) + std::to_string(i));
      ++i;
    }
    EXPECT_EQ(i, n);
  });
}

TEST(ChanElements, SendOfAnLvalueCopiesIt) {
  gort::run([] {
    auto c = gort::make_chan<std::vector<int>>(1);
    std::vector<int> v{1, 2, 3};
    c.send(v);
    EXPECT_EQ(v.size(), 3u);
    EXPECT_EQ(c.recv(), v);
  });
}

// ---------------------------------------------------------------------------
// Programs from golang/go test/chan.

// sieve1.go: the concurrent prime sieve, a goroutine per prime.
TEST(ChanPrograms, ConcurrentPrimeSieve) {
  const std::vector<int> want{2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59,
                              61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137,
                              139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223};
  for (int procs : {1, 2, 4}) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(procs);
      auto done = gort::make_chan<int>();
      auto ch = gort::make_chan<int>();
      gort::WaitGroup exited;  // every goroutine is joined, so no channel outlives the run
      exited.add(1);
      gs.go([ch, done, &exited]() {
        for (int i = 2;; ++i) {
          if (gort::select(gort::on_send(ch, i), gort::on_recv(done)) == 1) break;
        }
        exited.done();
      });
      std::vector<gort::Chan<int>> stages;
      std::vector<int> got;
      for (std::size_t k = 0; k < want.size(); ++k) {
        const int prime = ch.recv();
        got.push_back(prime);
        auto next = gort::make_chan<int>();
        exited.add(1);
        gs.go([in = ch, out = next, prime, done, &exited]() {
          for (;;) {
            int v = 0;
            if (gort::select(gort::on_recv(in, [&](int x) { v = x; }), gort::on_recv(done)) == 1) break;
            if (v % prime != 0 && gort::select(gort::on_send(out, v), gort::on_recv(done)) == 1) break;
          }
          exited.done();
        });
        ch = next;
      }
      done.close();  // every filter and the generator return
      exited.wait();
      EXPECT_EQ(got, want);
    });
  }
}

// goroutines.go / the daisy chain: 100,000 goroutines each pass a value on.
TEST(ChanPrograms, DaisyChainOfAHundredThousandGoroutines) {
  const int n = live_goroutines(100'000);
  gort::run([&] {
    gort::test::Goroutines gs;  // joined, captures released, before run returns
    auto leftmost = gort::make_chan<int>();
    auto right = leftmost;
    auto left = leftmost;
    gort::WaitGroup exited;
    exited.add(n + 1);
    for (int i = 0; i < n; ++i) {
      right = gort::make_chan<int>();
      gs.go([l = left, r = right, &exited]() {
        l.send(1 + r.recv());
        exited.done();
      });
      left = right;
    }
    gs.go([r = right, &exited]() {
      r.send(1);
      exited.done();
    });
    EXPECT_EQ(leftmost.recv(), n + 1);
    exited.wait();
  });
}

// fifo.go: a chain of goroutines, each waiting for its predecessor before
// sending, must deliver in order through one channel.
TEST(ChanPrograms, ChainedSendersDeliverInOrder) {
  gort::run([] {
    gort::test::Goroutines gs;  // joined, captures released, before run returns
    gort::gomaxprocs(2);
    constexpr int kN = 10;
    for (int capacity : {0, 10}) {
      auto ch = gort::make_chan<int>(capacity);
      auto in = gort::make_chan<int>();
      auto start = in;
      for (int i = 0; i < kN; ++i) {
        auto out = gort::make_chan<int>();
        gs.go([in, ch, out, i]() {
          in.recv();
          ch.send(i);
          out.send(0);
        });
        in = out;
      }
      start.send(0);
      for (int i = 0; i < kN; ++i) EXPECT_EQ(ch.recv(), i);
      in.recv();
    }
  });
}

// nonblock.go: non-blocking operations succeed exactly when a partner or
// buffer space is there.
TEST(ChanPrograms, NonBlockingOperationsPairWithParkedPartners) {
  for (int capacity : {0, 1, 10}) {
    gort::run([&] {
      gort::test::Goroutines gs;  // joined, captures released, before run returns
      gort::gomaxprocs(1);
      auto c = gort::make_chan<int>(capacity);
      gort::WaitGroup wg;
      wg.add(1);
      gs.go([&] {
        for (int i = 0; i < 10; ++i) EXPECT_EQ(c.recv(), i);
        wg.done();
      });
      for (int i = 0; i < 10; ++i) {
        int tries = 0;
        while (!c.try_send(i)) {
          ASSERT_LT(++tries, 1'000'000);
          gort::gosched();
        }
      }
      wg.wait();
      wg.add(1);
      gs.go([&] {
        for (int i = 0; i < 10; ++i) c.send(i);
        wg.done();
      });
      for (int i = 0; i < 10; ++i) {
        std::optional<int> v;
        int tries = 0;
        while (!(v = c.try_recv())) {
          ASSERT_LT(++tries, 1'000'000);
          gort::gosched();
        }
        EXPECT_EQ(*v, i);
      }
      wg.wait();
    });
  }
}

}  // namespace
