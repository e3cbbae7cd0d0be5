// sync_test.cpp — Mutex, RWMutex, Once, Cond and Semaphore as a Go programmer
// observes them.  Tests that need "goroutine X is now blocked in Y" poll X's
// status and wait reason (bounded), never sleep and hope.
#include <gort/gort.hpp>
#include <gort/runtime/internal/park.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "parked.hpp"
#include "poll_util.hpp"
#include "test_util.hpp"

namespace {

using gort::test::eventually;
using gort::test::wait_until_parked;
using gort::test::live_goroutines;
using gort::test::scaled;
namespace rt = gort::runtime;

// ---- Mutex ----------------------------------------------------------------

struct ExclusionCase {
  int procs;
  int goroutines;
  int iterations;
};

// A plain int incremented under the mutex by many goroutines on several Ps: a
// lost update shows in the total, a missing happens-before in TSAN's report.
TEST(Mutex, MutualExclusionUnderManyGoroutines) {
  const ExclusionCase cases[] = {
      {1, 8, 5000},   // one P: waiters park and are woken, never spin
      {2, 16, 5000},  // both cores: spinning, barging, woken waiters
      {4, 64, 1000},  // more Ps than cores: holders preempted while waiters spin
  };
  for (const ExclusionCase& c : cases) {
    gort::run([&] {
      gort::gomaxprocs(c.procs);
      gort::Mutex mu;
      long counter = 0;
      const int goroutines = live_goroutines(c.goroutines);
      const int iterations = scaled(c.iterations);
      gort::WaitGroup wg;
      wg.add(goroutines);
      for (int g = 0; g < goroutines; ++g) {
        gort::go([&] {
          for (int i = 0; i < iterations; ++i) {
            mu.lock();
            ++counter;
            if (i % 64 == 0) gort::gosched();  // yield while holding: others must park
            mu.unlock();
          }
          wg.done();
        });
      }
      wg.wait();
      EXPECT_EQ(counter, long(goroutines) * iterations) << "procs=" << c.procs;
    });
  }
}

TEST(Mutex, TryLockSucceedsOnlyWhenUnlocked) {
  gort::run([] {
    gort::Mutex mu;
    EXPECT_TRUE(mu.try_lock());
    EXPECT_FALSE(mu.try_lock());
    bool other = true;
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      other = mu.try_lock();  // held by main: fails, never blocks
      wg.done();
    });
    wg.wait();
    EXPECT_FALSE(other);
    mu.unlock();
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
}

// A Mutex is not owned by a goroutine: one may lock it and another unlock it.
TEST(Mutex, UnlockedByAnotherGoroutineLetsTheWaiterIn) {
  gort::run([] {
    gort::Mutex mu;
    mu.lock();
    std::atomic<rt::G*> waiter{nullptr};
    std::atomic<bool> got{false};
    gort::WaitGroup wg;
    wg.add(2);
    gort::go([&] {
      waiter = rt::current_g();
      mu.lock();
      got = true;
      mu.unlock();
      wg.done();
    });
    ASSERT_TRUE(wait_until_parked(waiter, rt::WaitReason::SyncMutexLock));
    EXPECT_FALSE(got.load());
    gort::go([&] {
      mu.unlock();
      wg.done();
    });
    wg.wait();
    EXPECT_TRUE(got.load());
  });
}

TEST(Mutex, WorksWithStdLockGuardUniqueLockAndScopedLock) {
  gort::run([] {
    gort::Mutex a, b;
    {
      std::lock_guard<gort::Mutex> held(a);
      EXPECT_FALSE(a.try_lock());
    }
    EXPECT_TRUE(a.try_lock());
    a.unlock();
    {
      std::unique_lock<gort::Mutex> lk(a, std::try_to_lock);
      EXPECT_TRUE(lk.owns_lock());
      std::unique_lock<gort::Mutex> again(a, std::try_to_lock);
      EXPECT_FALSE(again.owns_lock());
      lk.unlock();
      EXPECT_TRUE(again.try_lock());
    }
    {
      std::scoped_lock both(a, b);  // std::lock: lock one, try_lock the other
      EXPECT_FALSE(a.try_lock());
      EXPECT_FALSE(b.try_lock());
    }
    EXPECT_TRUE(a.try_lock());
    EXPECT_TRUE(b.try_lock());
    a.unlock();
    b.unlock();
  });
}

// Go's starvation mode, observed.  On one P: main holds the mutex while a
// waiter parks, keeps it over 1 ms, releases it (normal mode: the waiter is
// woken but does not own the mutex) and barges back in before the waiter runs.
// The waiter, having waited over 1 ms, switches the mutex to starvation mode
// when it queues again.  Main's next unlock then hands ownership to the waiter:
// main's own lock right after cannot get in first.  The waiter was the last,
// so the mutex is back in normal mode afterwards.
TEST(Mutex, StarvationModeHandsOwnershipToTheWaiterThenNormalModeReturns) {
  gort::run([] {
    gort::gomaxprocs(1);
    gort::Mutex mu;
    bool observed = false;
    // Main normally wins the barge (the waiter sits in runnext until main
    // yields); a time-slice preemption in that window lets the waiter win, and
    // the round is repeated.
    for (int round = 0; round < 20 && !observed; ++round) {
      std::atomic<rt::G*> waiter{nullptr};
      std::atomic<bool> waiter_owned{false};
      std::atomic<bool> waiter_done{false};
      gort::WaitGroup wg;
      wg.add(1);
      mu.lock();
      gort::go([&] {
        waiter = rt::current_g();
        mu.lock();
        waiter_owned = true;
        mu.unlock();
        waiter_done = true;
        wg.done();
      });
      ASSERT_TRUE(wait_until_parked(waiter, rt::WaitReason::SyncMutexLock));
      gort::sleep(std::chrono::milliseconds(2));  // the waiter has now waited over 1 ms
      EXPECT_FALSE(mu.starving());
      mu.unlock();  // normal mode: wakes the waiter, hands nothing over
      mu.lock();    // barge in
      if (waiter_owned.load()) {
        mu.unlock();
        wg.wait();
        continue;
      }
      // The waiter runs once main yields, finds the mutex held, and queues again.
      ASSERT_TRUE(wait_until_parked(waiter, rt::WaitReason::SyncMutexLock));
      observed = mu.starving();
      ASSERT_TRUE(observed) << "a waiter that waited over 1 ms did not switch to starvation mode";
      EXPECT_FALSE(mu.try_lock());
      mu.unlock();  // starvation mode: ownership goes to the waiter, and the P with it
      // semrelease's handoff yielded this P to the waiter, which ran to the end.
      EXPECT_TRUE(waiter_done.load());
      mu.lock();
      EXPECT_TRUE(waiter_owned.load()) << "main got the mutex before the waiter it was handed to";
      EXPECT_FALSE(mu.starving()) << "the last waiter did not end starvation mode";
      mu.unlock();
      wg.wait();
    }
    EXPECT_TRUE(observed);
    EXPECT_TRUE(mu.try_lock());
    mu.unlock();
  });
}

// ---- RWMutex ----------------------------------------------------------------

// Readers share the lock: every reader holds it while waiting for all the others
// to arrive, which only works if they are inside together.
TEST(RWMutex, ReadersHoldTheLockTogether) {
  gort::run([] {
    gort::RWMutex rw;
    const int readers = 32;
    std::atomic<int> inside{0};
    std::atomic<int> all_met{0};
    gort::WaitGroup wg;
    wg.add(readers);
    for (int i = 0; i < readers; ++i) {
      gort::go([&] {
        std::shared_lock<gort::RWMutex> lk(rw);
        inside.fetch_add(1);
        if (eventually([&] { return inside.load() == readers; })) all_met.fetch_add(1);
        lk.unlock();  // before done: the writer below must find the lock free
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(all_met.load(), readers);
    ASSERT_TRUE(rw.try_lock());
    rw.unlock();
  });
}

// Writers update two fields that readers must always see equal; a plain int
// so that TSAN checks the write lock's happens-before edges too.
TEST(RWMutex, WriterExcludesReadersAndOtherWriters) {
  gort::run([] {
    gort::gomaxprocs(4);
    gort::RWMutex rw;
    long a = 0, b = 0;
    std::atomic<int> torn{0};
    const int writers = 4, readers = 16, iterations = scaled(3000);
    gort::WaitGroup wg;
    wg.add(writers + readers);
    for (int w = 0; w < writers; ++w) {
      gort::go([&] {
        for (int i = 0; i < iterations; ++i) {
          std::unique_lock<gort::RWMutex> lk(rw);
          ++a;
          if (i % 32 == 0) gort::gosched();  // a reader getting in now would see a != b
          ++b;
        }
        wg.done();
      });
    }
    for (int r = 0; r < readers; ++r) {
      gort::go([&] {
        for (int i = 0; i < iterations; ++i) {
          rw.rlock();
          if (a != b) torn.fetch_add(1);
          if (i % 32 == 0) gort::gosched();
          rw.runlock();
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(torn.load(), 0);
    EXPECT_EQ(a, long(writers) * iterations);
    EXPECT_EQ(b, a);
  });
}

// Writer preference: with a reader in and a writer queued behind it, a new
// reader may not get in (try_rlock fails, rlock parks) until the writer has had
// the lock.
TEST(RWMutex, PendingWriterBlocksNewReaders) {
  gort::run([] {
    gort::RWMutex rw;
    rw.rlock();
    std::atomic<rt::G*> writer{nullptr};
    std::atomic<rt::G*> late_reader{nullptr};
    std::atomic<int> order{0};
    int writer_turn = -1, reader_turn = -1;
    gort::WaitGroup wg;
    wg.add(2);
    gort::go([&] {
      writer = rt::current_g();
      rw.lock();
      writer_turn = order.fetch_add(1);
      rw.unlock();
      wg.done();
    });
    ASSERT_TRUE(wait_until_parked(writer, rt::WaitReason::SyncRWMutexLock));
    EXPECT_FALSE(rw.try_rlock()) << "a new reader got in past a pending writer";
    EXPECT_FALSE(rw.try_lock());
    gort::go([&] {
      late_reader = rt::current_g();
      rw.rlock();
      reader_turn = order.fetch_add(1);
      rw.runlock();
      wg.done();
    });
    ASSERT_TRUE(wait_until_parked(late_reader, rt::WaitReason::SyncRWMutexRLock));
    rw.runlock();  // the last reader ahead of the writer leaves
    wg.wait();
    EXPECT_EQ(writer_turn, 0);
    EXPECT_EQ(reader_turn, 1);
  });
}

TEST(RWMutex, TryLockAndTryRLockByState) {
  enum class Held { Nothing, ReadLock, WriteLock };
  struct Case {
    Held held;
    bool try_lock;
    bool try_rlock;
  };
  const Case cases[] = {
      {Held::Nothing, true, true},
      {Held::ReadLock, false, true},
      {Held::WriteLock, false, false},
  };
  gort::run([&] {
    for (const Case& c : cases) {
      gort::RWMutex rw;
      if (c.held == Held::ReadLock) rw.rlock();
      if (c.held == Held::WriteLock) rw.lock();
      const bool locked = rw.try_lock();
      EXPECT_EQ(locked, c.try_lock) << static_cast<int>(c.held);
      if (locked) rw.unlock();
      const bool rlocked = rw.try_rlock();
      EXPECT_EQ(rlocked, c.try_rlock) << static_cast<int>(c.held);
      if (rlocked) rw.runlock();
      if (c.held == Held::ReadLock) rw.runlock();
      if (c.held == Held::WriteLock) rw.unlock();
      EXPECT_TRUE(rw.try_lock());  // everything released
      rw.unlock();
    }
  });
}

TEST(RWMutex, WorksWithStdSharedLockUniqueLockAndRLocker) {
  gort::run([] {
    gort::RWMutex rw;
    {
      std::shared_lock<gort::RWMutex> r1(rw);
      std::shared_lock<gort::RWMutex> r2(rw, std::try_to_lock);
      EXPECT_TRUE(r2.owns_lock());
      std::unique_lock<gort::RWMutex> w(rw, std::try_to_lock);
      EXPECT_FALSE(w.owns_lock());
    }
    {
      std::unique_lock<gort::RWMutex> w(rw);
      std::shared_lock<gort::RWMutex> r(rw, std::try_to_lock);
      EXPECT_FALSE(r.owns_lock());
    }
    gort::Locker reader = rw.rlocker();
    reader.lock();
    EXPECT_FALSE(rw.try_lock());
    EXPECT_TRUE(rw.try_rlock());
    rw.runlock();
    reader.unlock();
    EXPECT_TRUE(rw.try_lock());
    rw.unlock();
  });
}

// ---- Once -------------------------------------------------------------------

// Many goroutines race to call(); the function runs once, and every caller,
// when call() returns, sees what it did (a plain int: TSAN checks the edge).
TEST(Once, RunsExactlyOnceUnderContention) {
  gort::run([] {
    gort::gomaxprocs(4);
    const int rounds = scaled(300), callers = 16;
    int wrong_runs = 0, unseen = 0;
    for (int round = 0; round < rounds; ++round) {
      gort::Once once;
      int runs = 0, value = 0;
      std::atomic<int> missed{0};
      gort::WaitGroup wg;
      wg.add(callers);
      for (int c = 0; c < callers; ++c) {
        gort::go([&] {
          once.call([&] {
            ++runs;
            gort::gosched();  // widen the window for the other callers
            value = 42;
          });
          if (value != 42) missed.fetch_add(1);
          wg.done();
        });
      }
      wg.wait();
      wrong_runs += runs != 1;
      unseen += missed.load();
    }
    EXPECT_EQ(wrong_runs, 0);
    EXPECT_EQ(unseen, 0);
  });
}

// Callers that arrive while the function runs wait for it to finish (parked on
// the Once's mutex), and do not run their own function.
TEST(Once, ConcurrentCallersWaitForTheFirstToFinish) {
  gort::run([] {
    gort::Once once;
    gort::Mutex gate;
    gate.lock();
    std::atomic<rt::G*> first{nullptr};
    std::atomic<bool> finished{false};
    std::atomic<int> ran_own{0}, returned_early{0};
    const int others = 8;
    std::vector<std::atomic<rt::G*>> waiting(others);
    gort::WaitGroup wg;
    wg.add(1 + others);
    gort::go([&] {
      first = rt::current_g();
      once.call([&] {
        gate.lock();  // parks until main opens the gate
        gate.unlock();
        finished = true;
      });
      wg.done();
    });
    ASSERT_TRUE(wait_until_parked(first, rt::WaitReason::SyncMutexLock));
    for (int i = 0; i < others; ++i) {
      gort::go([&, i] {
        waiting[i] = rt::current_g();
        once.call([&] { ran_own.fetch_add(1); });
        if (!finished.load()) returned_early.fetch_add(1);
        wg.done();
      });
    }
    ASSERT_TRUE(wait_until_parked(waiting, rt::WaitReason::SyncMutexLock));
    gate.unlock();
    wg.wait();
    EXPECT_EQ(ran_own.load(), 0);
    EXPECT_EQ(returned_early.load(), 0);
  });
}

// Go: "if f panics, Do considers it to have returned; future calls of Do return
// without calling f".  The exception reaches the first caller.
TEST(Once, ThrowingFunctionStillCountsAsDone) {
  gort::run([] {
    gort::Once once;
    int runs = 0;
    try {
      once.call([&] {
        ++runs;
        throw gort::Panic("boom");
      });
      ADD_FAILURE() << "the exception did not propagate";
    } catch (const gort::Panic& p) {
      EXPECT_STREQ(p.what(), "boom");
    }
    once.call([&] { ++runs; });
    bool other_ran = false;
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      once.call([&] { other_ran = true; });
      wg.done();
    });
    wg.wait();
    EXPECT_EQ(runs, 1);
    EXPECT_FALSE(other_ran);
  });
}

// ---- Cond -------------------------------------------------------------------

// Waiters queued one after another; each signal wakes exactly one (the others
// are still parked the moment signal returns), the one that waited longest.
TEST(Cond, SignalWakesExactlyOneTheOldestWaiter) {
  gort::run([] {
    gort::Mutex mu;
    gort::Cond cond(mu);
    const int n = 8;
    std::vector<std::atomic<rt::G*>> waiters(n);
    std::vector<int> woken;  // under mu
    gort::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&, i] {
        mu.lock();
        waiters[i] = rt::current_g();
        cond.wait();
        woken.push_back(i);
        mu.unlock();
        wg.done();
      });
      // Each waiter has its ticket and is parked before the next starts.
      ASSERT_TRUE(wait_until_parked(waiters[i], rt::WaitReason::SyncCondWait));
    }
    for (int k = 0; k < n; ++k) {
      cond.signal();
      // The woken goroutine is runnable now; it never parks again (mu is free).
      int still_waiting = 0;
      for (const auto& w : waiters) still_waiting += rt::readgstatus(w.load()) == rt::GStatus::Waiting;
      EXPECT_EQ(still_waiting, n - k - 1) << "signal " << k;
      ASSERT_TRUE(eventually([&] {
        std::lock_guard<gort::Mutex> held(mu);
        return static_cast<int>(woken.size()) == k + 1;
      }));
      std::lock_guard<gort::Mutex> held(mu);
      EXPECT_EQ(woken[k], k);
    }
    wg.wait();
  });
}

TEST(Cond, BroadcastWakesEveryWaiter) {
  gort::run([] {
    gort::Mutex mu;
    gort::Cond cond(mu);
    const int n = 64;
    std::vector<std::atomic<rt::G*>> waiters(n);
    bool go_ahead = false;
    gort::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&, i] {
        mu.lock();
        waiters[i] = rt::current_g();
        while (!go_ahead) cond.wait();
        mu.unlock();
        wg.done();
      });
    }
    ASSERT_TRUE(wait_until_parked(waiters, rt::WaitReason::SyncCondWait));
    mu.lock();
    go_ahead = true;
    cond.broadcast();
    mu.unlock();
    wg.wait();  // a waiter left parked would deadlock here
  });
}

// Producers signal one item at a time to consumers that wait in a loop; a lost
// wakeup leaves items unconsumed and every goroutine asleep (Go's deadlock).
TEST(Cond, SignalLosesNoWakeupsBetweenProducersAndConsumers) {
  gort::run([] {
    gort::gomaxprocs(4);
    gort::Mutex mu;
    gort::Cond cond(mu);
    long queued = 0, consumed = 0;
    bool closed = false;
    const int producers = 4, consumers = 4, items = scaled(20000);
    gort::WaitGroup produced, drained;
    produced.add(producers);
    drained.add(consumers);
    for (int c = 0; c < consumers; ++c) {
      gort::go([&] {
        mu.lock();
        for (;;) {
          while (queued == 0 && !closed) cond.wait();
          if (queued == 0) break;
          --queued;
          ++consumed;
        }
        mu.unlock();
        drained.done();
      });
    }
    for (int p = 0; p < producers; ++p) {
      gort::go([&] {
        for (int i = 0; i < items; ++i) {
          mu.lock();
          ++queued;
          cond.signal();
          mu.unlock();
        }
        produced.done();
      });
    }
    produced.wait();
    mu.lock();
    closed = true;
    cond.broadcast();
    mu.unlock();
    drained.wait();
    EXPECT_EQ(consumed, long(producers) * items);
  });
}

// A reusable barrier on broadcast: many rounds, each released by the last to
// arrive; a lost wakeup strands a goroutine in an old round.
TEST(Cond, BroadcastBarrierLosesNoWakeupsOverManyRounds) {
  gort::run([] {
    gort::gomaxprocs(4);
    gort::Mutex mu;
    gort::Cond cond(mu);
    const int parties = 8, rounds = scaled(3000);
    int arrived = 0;
    long generation = 0;
    gort::WaitGroup wg;
    wg.add(parties);
    for (int p = 0; p < parties; ++p) {
      gort::go([&] {
        for (int r = 0; r < rounds; ++r) {
          mu.lock();
          const long gen = generation;
          if (++arrived == parties) {
            arrived = 0;
            ++generation;
            cond.broadcast();
          } else {
            while (gen == generation) cond.wait();
          }
          mu.unlock();
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(generation, rounds);
  });
}

// ---- Semaphore --------------------------------------------------------------

TEST(Semaphore, WeightsBoundWhatIsHeldAtOnce) {
  gort::run([] {
    gort::gomaxprocs(4);
    const int64_t size = 10;
    gort::Semaphore sem(size);
    std::atomic<int64_t> held{0}, most{0};
    const int goroutines = 32, iterations = scaled(2000);
    gort::WaitGroup wg;
    wg.add(goroutines);
    for (int g = 0; g < goroutines; ++g) {
      gort::go([&, g] {
        for (int i = 0; i < iterations; ++i) {
          const int64_t w = 1 + (g + i) % 4;
          sem.acquire(w);
          const int64_t now = held.fetch_add(w) + w;
          for (int64_t m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
          }
          if (i % 16 == 0) gort::gosched();
          held.fetch_sub(w);
          sem.release(w);
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_LE(most.load(), size);
    EXPECT_GT(most.load(), 1);
    EXPECT_TRUE(sem.try_acquire(size));  // everything was given back
  });
}

TEST(Semaphore, TryAcquireTakesOnlyWhatIsFree) {
  struct Step {
    enum { Try, Release } op;
    int64_t n;
    bool expect;  // for Try
  };
  const Step steps[] = {
      {Step::Try, 4, true},  {Step::Try, 6, true},  {Step::Try, 1, false},
      {Step::Release, 3, false}, {Step::Try, 4, false}, {Step::Try, 3, true},
      {Step::Try, 0, true},  {Step::Release, 10, false}, {Step::Try, 10, true},
      {Step::Try, 11, false},
  };
  gort::run([&] {
    gort::Semaphore sem(10);
    int i = 0;
    for (const Step& s : steps) {
      if (s.op == Step::Try) EXPECT_EQ(sem.try_acquire(s.n), s.expect) << "step " << i;
      else sem.release(s.n);
      ++i;
    }
  });
}

// x/sync's FIFO rule: a large request at the head blocks later small ones even
// when they would fit, and waiters are served in arrival order.
TEST(Semaphore, LargeWaiterAtTheHeadBlocksLaterSmallOnes) {
  gort::run([] {
    gort::Semaphore sem(10);
    sem.acquire(5);
    std::atomic<rt::G*> large{nullptr}, small{nullptr};
    std::atomic<int> order{0};
    std::atomic<int> large_turn{-1}, small_turn{-1};
    gort::WaitGroup wg;
    wg.add(2);
    // A goroutine that acquires n, records its turn, releases n.
    auto waiter = [&](std::atomic<rt::G*>& self, int64_t n, std::atomic<int>& turn) {
      gort::go([&, n] {
        self = rt::current_g();
        sem.acquire(n);
        turn = order.fetch_add(1);
        sem.release(n);
        wg.done();
      });
    };
    waiter(large, 10, large_turn);
    // x/sync's Acquire blocks in a select (on ctx.Done() and its ready channel).
    ASSERT_TRUE(wait_until_parked(large, rt::WaitReason::Select));
    EXPECT_FALSE(sem.try_acquire(1)) << "5 of 10 are free, but a waiter is queued";
    waiter(small, 1, small_turn);
    ASSERT_TRUE(wait_until_parked(small, rt::WaitReason::Select));
    sem.release(5);
    wg.wait();
    EXPECT_EQ(large_turn.load(), 0);
    EXPECT_EQ(small_turn.load(), 1);
    EXPECT_TRUE(sem.try_acquire(10));
  });
}

TEST(Semaphore, ReleasingMoreThanHeldPanics) {
  gort::run([] {
    gort::Semaphore sem(3);
    sem.acquire(2);
    sem.release(2);
    try {
      sem.release(1);
      ADD_FAILURE() << "no panic";
    } catch (const gort::Panic& p) {
      EXPECT_STREQ(p.what(), "semaphore: released more than held");
    }
  });
}

// A request larger than the semaphore can never be served: it blocks forever
// (x/sync without a context) but does not queue, so others still get in.
TEST(Semaphore, OversizedRequestBlocksForeverWithoutBlockingOthers) {
  gort::run([] {
    gort::Semaphore sem(4);
    std::atomic<rt::G*> doomed{nullptr};
    gort::go([&] {
      doomed = rt::current_g();
      sem.acquire(5);
      ADD_FAILURE() << "an oversized acquire returned";
    });
    ASSERT_TRUE(wait_until_parked(doomed, rt::WaitReason::ChanReceiveNilChan));
    EXPECT_TRUE(sem.try_acquire(4));
    sem.release(4);
    sem.acquire(1);
    sem.release(1);
    // The doomed goroutine is abandoned when main returns, as in Go.
  });
}

}  // namespace
