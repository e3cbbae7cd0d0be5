// singleflight_test.cpp — gort::SingleFlight as a Go programmer observes
// golang.org/x/sync/singleflight: duplicates of an in-flight call park and
// share its result or its failure, forget starts a new flight, nothing is
// cached, and DoChan.  "The duplicates have joined" is observed by polling
// their goroutines' status until each is parked in the flight's WaitGroup
// (bounded), never by sleeping.
#include <gort/gort.hpp>
#include <gort/runtime/internal/park.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "parked.hpp"
#include "test_util.hpp"

namespace {

using gort::test::live_goroutines;
using gort::test::scaled;
namespace rt = gort::runtime;

/// Yields until every goroutine in slots is parked in the flight's WaitGroup
/// wait, or the poll bound passes; returns whether they all were.
bool wait_until_joined(const std::vector<std::atomic<rt::G*>>& slots) {
  return gort::test::wait_until_parked(slots, rt::WaitReason::SyncWaitGroupWait);
}

struct FlightError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(SingleFlight, ReturnsFnsValueUnshared) {
  gort::run([] {
    gort::SingleFlight<std::string, int> sf;
    auto [v, shared] = sf.call("key", [] { return 7; });
    EXPECT_EQ(v, 7);
    EXPECT_FALSE(shared);
    // Nothing is cached: the next call runs fn again.
    auto [v2, shared2] = sf.call("key", [] { return 8; });
    EXPECT_EQ(v2, 8);
    EXPECT_FALSE(shared2);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

/// Outcome of one caller in the duplicate-suppression tests.
struct CallerResult {
  int value = -1;
  bool shared = false;
  /// What the call threw, if anything.  Kept as the exception_ptr and read
  /// only once every caller is done: the callers share one exception object
  /// whose reference count lives in the uninstrumented C++ runtime, so TSAN
  /// cannot see that concurrent readers are ordered before its deletion.
  std::exception_ptr failure;
};

/// Runs `callers` concurrent calls of one key: the first enters fn, which
/// waits until every other caller is parked in the flight, then returns 42 or
/// throws; counts fn's runs.
std::vector<CallerResult> run_duplicates(int callers, bool fail, std::atomic<int>* fn_runs) {
  gort::SingleFlight<int, int> sf;
  std::vector<CallerResult> results(callers);
  std::vector<std::atomic<rt::G*>> duplicates(callers - 1);
  auto entered = gort::make_chan<int>(1);
  auto proceed = gort::make_chan<int>();
  auto fn = [&]() -> int {
    fn_runs->fetch_add(1);
    entered.send(1);
    proceed.recv();
    if (fail) throw FlightError("flight failed");
    return 42;
  };
  gort::WaitGroup wg;
  wg.add(callers);
  auto caller = [&](int i) {
    if (i > 0) duplicates[i - 1].store(rt::current_g(), std::memory_order_release);
    try {
      auto [v, shared] = sf.call(1, fn);
      results[i].value = v;
      results[i].shared = shared;
    } catch (const FlightError&) {
      results[i].failure = std::current_exception();
    }
    wg.done();
  };
  gort::go(caller, 0);
  entered.recv();  // the flight is in fn
  for (int i = 1; i < callers; ++i) gort::go(caller, i);
  EXPECT_TRUE(wait_until_joined(duplicates));
  proceed.send(1);
  wg.wait();
  return results;
}

TEST(SingleFlight, ConcurrentCallersShareOneRun) {
  for (int iter = 0; iter < scaled(20); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      std::atomic<int> runs{0};
      const int callers = live_goroutines(50);
      const std::vector<CallerResult> results = run_duplicates(callers, false, &runs);
      EXPECT_EQ(runs.load(), 1);
      for (const CallerResult& r : results) {
        EXPECT_EQ(r.value, 42);
        EXPECT_TRUE(r.shared);  // the first caller too: its value went to several
        EXPECT_EQ(r.failure, nullptr);
      }
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

TEST(SingleFlight, FnsExceptionReachesEveryCaller) {
  for (int iter = 0; iter < scaled(20); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      std::atomic<int> runs{0};
      const std::vector<CallerResult> results = run_duplicates(live_goroutines(20), true, &runs);
      EXPECT_EQ(runs.load(), 1);
      // Every caller, the first included, caught the very exception fn threw.
      ASSERT_NE(results[0].failure, nullptr);
      for (const CallerResult& r : results) EXPECT_EQ(r.failure, results[0].failure);
      try {
        std::rethrow_exception(results[0].failure);
      } catch (const FlightError& e) {
        EXPECT_STREQ(e.what(), "flight failed");
      }
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

TEST(SingleFlight, ForgetLetsTheNextCallRunFnAgain) {
  gort::run([] {
    gort::SingleFlight<std::string, std::string> sf;
    auto entered = gort::make_chan<int>(1);
    auto proceed = gort::make_chan<int>();
    auto first = gort::make_chan<std::pair<std::string, bool>>(1);
    gort::go([&] {
      first.send(sf.call("k", [&] {
        entered.send(1);
        proceed.recv();
        return std::string("first");
      }));
    });
    entered.recv();
    sf.forget("k");
    // The in-flight call is forgotten: this one runs its own fn at once.
    auto [v, shared] = sf.call("k", [] { return std::string("second"); });
    EXPECT_EQ(v, "second");
    EXPECT_FALSE(shared);
    proceed.send(1);
    auto [v1, shared1] = first.recv();
    EXPECT_EQ(v1, "first");
    EXPECT_FALSE(shared1);
    // forget of an absent key is harmless.
    sf.forget("absent");
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(SingleFlight, AForgottenFlightDoesNotRemoveItsSuccessor) {
  gort::run([] {
    // Go's doCall deletes the key only if the map still holds its own call.
    gort::SingleFlight<int, int> sf;
    auto entered1 = gort::make_chan<int>(1), entered2 = gort::make_chan<int>(1);
    auto proceed1 = gort::make_chan<int>(), proceed2 = gort::make_chan<int>();
    auto done = gort::make_chan<int>(2);
    gort::go([&] {
      done.send(sf.call(0, [&] { entered1.send(1); proceed1.recv(); return 1; }).first);
    });
    entered1.recv();
    sf.forget(0);
    gort::go([&] {
      done.send(sf.call(0, [&] { entered2.send(1); proceed2.recv(); return 2; }).first);
    });
    entered2.recv();
    proceed1.send(1);  // flight 1 ends; flight 2 must stay in the map
    EXPECT_EQ(done.recv(), 1);
    // A caller now joins flight 2 instead of running fn.
    std::atomic<bool> ran_own{false};
    auto joined = gort::make_chan<std::pair<int, bool>>(1);
    std::vector<std::atomic<rt::G*>> joiner(1);
    gort::go([&] {
      joiner[0].store(rt::current_g(), std::memory_order_release);
      joined.send(sf.call(0, [&] { ran_own.store(true); return 3; }));
    });
    EXPECT_TRUE(wait_until_joined(joiner));
    proceed2.send(1);
    EXPECT_EQ(done.recv(), 2);
    auto [v, shared] = joined.recv();
    EXPECT_EQ(v, 2);
    EXPECT_TRUE(shared);
    EXPECT_FALSE(ran_own.load());
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(SingleFlight, DifferentKeysFlyIndependently) {
  gort::run([] {
    gort::SingleFlight<int, int> sf;
    auto b_ran = gort::make_chan<int>(1);
    auto a = gort::make_chan<int>(1);
    gort::go([&] {
      // Key 1's fn waits for key 2's: a shared flight would deadlock.
      a.send(sf.call(1, [&] { return b_ran.recv() + 1; }).first);
    });
    EXPECT_EQ(sf.call(2, [&] { b_ran.send(10); return 20; }).first, 20);
    EXPECT_EQ(a.recv(), 11);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(SingleFlight, CallChanDeliversOneResultToEveryChannel) {
  gort::run([] {
    gort::SingleFlight<std::string, int> sf;
    std::atomic<int> runs{0};
    auto proceed = gort::make_chan<int>();
    using Result = gort::SingleFlight<std::string, int>::Result;
    std::vector<gort::Chan<Result>> chans;
    const int n = 10;
    for (int i = 0; i < n; ++i) {
      // Joining is synchronous: every channel belongs to the first flight.
      chans.push_back(sf.call_chan("k", [&] {
        runs.fetch_add(1);
        proceed.recv();
        return 5;
      }));
    }
    proceed.send(1);
    for (auto& ch : chans) {
      Result r = ch.recv();
      EXPECT_EQ(r.val, 5);
      EXPECT_EQ(r.err, nullptr);
      EXPECT_TRUE(r.shared);
    }
    EXPECT_EQ(runs.load(), 1);

    // A failure arrives in Result::err, with V's zero value.
    auto failed = sf.call_chan("f", []() -> int { throw FlightError("nope"); }).recv();
    EXPECT_EQ(failed.val, 0);
    EXPECT_FALSE(failed.shared);
    ASSERT_NE(failed.err, nullptr);
    EXPECT_THROW(std::rethrow_exception(failed.err), FlightError);
    EXPECT_TRUE(gort::test::wait_for_other_goroutines());
  });
}

TEST(SingleFlight, MixedCallAndCallChanUnderContention) {
  for (int iter = 0; iter < scaled(30); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 4);
      gort::SingleFlight<int, int> sf;
      std::atomic<int> runs{0};
      const int callers = live_goroutines(64);
      constexpr int kKeys = 4;
      gort::WaitGroup wg;
      wg.add(callers);
      std::atomic<int> wrong{0};
      for (int i = 0; i < callers; ++i) {
        gort::go([&, i] {
          const int key = i % kKeys;
          auto fn = [&, key] {
            runs.fetch_add(1);
            gort::gosched();
            return key * 10;
          };
          int v;
          if (i % 2 == 0) {
            v = sf.call(key, fn).first;
          } else {
            v = sf.call_chan(key, fn).recv().val;
          }
          if (v != key * 10) wrong.fetch_add(1);
          if (i % 7 == 0) sf.forget(key);
          wg.done();
        });
      }
      wg.wait();
      EXPECT_EQ(wrong.load(), 0);
      EXPECT_GE(runs.load(), 1);
      EXPECT_LE(runs.load(), callers);
      EXPECT_TRUE(gort::test::wait_for_other_goroutines());
    });
  }
}

}  // namespace
