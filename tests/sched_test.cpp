// sched_test.cpp — the scheduler core as a Go programmer observes it.
#include <gort/gort.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gort/runtime/internal/sema.hpp>

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dump.hpp"
#include "g.hpp"
#include "nanotime.hpp"
#include "sched.hpp"
#include "test_util.hpp"

namespace {

using gort::test::scaled;
namespace rt = gort::runtime;

pid_t gettid_now() { return static_cast<pid_t>(syscall(SYS_gettid)); }

/// A counting semaphore on the runtime's sema table, for tests that need a
/// blocking hand-off before channels exist.
struct Sema {
  std::atomic<uint32_t> word{0};
  void acquire() { rt::semacquire(&word, rt::WaitReason::Semacquire); }
  void release() { rt::semrelease(&word); }
};

int main_returning_eight() { return 8; }
void main_returning_nothing() {}

TEST(Run, ReturnsTheMainGoroutinesExitCode) {
  EXPECT_EQ(gort::run([] { return 7; }), 7);
  EXPECT_EQ(gort::run([] {}), 0);
  // A plain function, as a Go program's main is one.
  EXPECT_EQ(gort::run(main_returning_eight), 8);
  EXPECT_EQ(gort::run(main_returning_nothing), 0);
}

TEST(Run, MainIsGoroutineOneAndCountsItself) {
  gort::run([] {
    EXPECT_EQ(gort::goid(), 1);
    EXPECT_EQ(gort::num_goroutine(), 1);
  });
}

// Goroutine 1 runs on the thread that called gort::run, as Go's main runs on
// m0: until main starts, a `go` wakes no M (Go's mainStarted), so when main
// begins m0 is the only M and nothing could have taken goroutine 1 from P 0.
// Without that guard goroutine 1's own creation started a second M, which under
// CPU load sometimes ran main, and a main that locked its thread then held some
// other thread (LockedThread.ExitingWhileLockedEndsTheThread failed that way).
TEST(Run, MainStartsOnTheCallingThreadWithNoOtherM) {
  const char* old_procs = std::getenv("GOMAXPROCS");
  const std::string saved = old_procs != nullptr ? old_procs : "";
  ::setenv("GOMAXPROCS", "4", 1);  // idle Ps for a woken M to take
  const auto caller = static_cast<pid_t>(syscall(SYS_gettid));
  for (int i = 0; i < scaled(50); ++i) {
    pid_t main_tid = 0;
    int32_t ms = -1;
    gort::run([&] {
      main_tid = static_cast<pid_t>(syscall(SYS_gettid));
      rt::sched.lock.lock();
      ms = rt::sched.mcount;
      rt::sched.lock.unlock();
    });
    ASSERT_EQ(main_tid, caller) << "iteration " << i;
    ASSERT_EQ(ms, 1) << "iteration " << i << ": an M was started before main ran";
  }
  if (old_procs != nullptr) {
    ::setenv("GOMAXPROCS", saved.c_str(), 1);
  } else {
    ::unsetenv("GOMAXPROCS");
  }
}

TEST(Run, BootsAndTearsDownRepeatedly) {
  for (int i = 0; i < scaled(200); ++i) {
    int seen = 0;
    gort::run([&] {
      gort::WaitGroup wg;
      wg.add(4);
      std::atomic<int> n{0};
      for (int k = 0; k < 4; ++k) gort::go([&] { ++n; wg.done(); });
      wg.wait();
      seen = n.load();
    });
    ASSERT_EQ(seen, 4) << "iteration " << i;
  }
}

TEST(Go, MovesItsArgumentsIntoTheNewGoroutine) {
  gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    int result = 0;
    auto p = std::make_unique<int>(41);
    gort::go(
        [&](std::unique_ptr<int> q, int add) {
          result = *q + add;
          // Freed before done: main may return as soon as done() runs, and a
          // goroutine alive at exit is abandoned with its frames (run.cpp), so
          // an argument still owned here would be reported as a leak by LSan.
          q.reset();
          wg.done();
        },
        std::move(p), 1);
    EXPECT_EQ(p, nullptr);
    wg.wait();
    EXPECT_EQ(result, 42);
  });
}

TEST(Go, GoroutineIdsAreUniqueAndIncreasing) {
  gort::run([] {
    const int n = 1000;
    std::vector<int64_t> ids(n);
    gort::WaitGroup wg;
    wg.add(n);
    for (int i = 0; i < n; ++i) gort::go([&, i] { ids[i] = gort::goid(); wg.done(); });
    wg.wait();
    std::set<int64_t> unique(ids.begin(), ids.end());
    EXPECT_EQ(unique.size(), static_cast<size_t>(n));
    EXPECT_EQ(unique.count(1), 0u);
  });
}

// One million goroutines alive at once, on a default vm.max_map_count.
TEST(Go, OneMillionGoroutinesAliveAtOnce) {
  const int n = gort::test::live_goroutines(1'000'000);
  gort::run([n] {
    gort::WaitGroup started, release, finished;
    started.add(n);
    release.add(1);
    finished.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&] {
        started.done();
        release.wait();
        finished.done();
      });
    }
    started.wait();
    EXPECT_EQ(gort::num_goroutine(), n + 1);
    release.done();
    finished.wait();
  });
}

TEST(Go, SpawnAndJoinOneMillionInWaves) {
  const int waves = 10, per_wave = gort::test::live_goroutines(100'000);
  gort::run([&] {
    std::atomic<long> ran{0};
    for (int w = 0; w < waves; ++w) {
      gort::WaitGroup wg;
      wg.add(per_wave);
      for (int i = 0; i < per_wave; ++i) gort::go([&] { ran.fetch_add(1, std::memory_order_relaxed); wg.done(); });
      wg.wait();
    }
    EXPECT_EQ(ran.load(), long(waves) * per_wave);
  });
}

// Busy goroutines end up on every P: observed per goroutine, not assumed.  They
// stay busy (reaching safe points, where sysmon's 10 ms slices rotate them
// through the global queue and wake idle Ps) until every P has been seen
// running one of them, or a large iteration budget runs out.
TEST(Sched, BusyGoroutinesSpreadOverAllPs) {
  for (int procs : {2, 4}) {
    gort::run([procs] {
      gort::gomaxprocs(procs);
      const int n = procs * 8;
      std::atomic<int> arrived{0};
      std::atomic<int> distinct{0};
      std::mutex mu;
      std::set<int> ps_seen;
      gort::WaitGroup wg;
      wg.add(n);
      for (int i = 0; i < n; ++i) {
        gort::go([&] {
          arrived.fetch_add(1);
          // Stay busy until every goroutine has started, so they overlap.
          while (arrived.load() < n) gort::preempt_point();
          for (long k = 0; distinct.load() < procs && k < 50'000'000; ++k) {
            if (k % 1024 == 0) {
              std::lock_guard<std::mutex> g(mu);
              ps_seen.insert(rt::current_p_id());
              distinct.store(static_cast<int>(ps_seen.size()));
            }
            gort::preempt_point();
          }
          wg.done();
        });
      }
      wg.wait();
      std::set<int> all;
      for (int p = 0; p < procs; ++p) all.insert(p);
      EXPECT_EQ(ps_seen, all) << "GOMAXPROCS=" << procs;
    });
  }
}

// A runnext ping-pong pair inherits one time slice forever; sysmon must preempt
// it so the goroutine waiting in the local run queue gets to run.
TEST(Sched, RunnextPingPongDoesNotStarveAThirdGoroutine) {
  for (int iter = 0; iter < scaled(5) + 1; ++iter) {
    gort::run([] {
      gort::gomaxprocs(1);
      Sema a, b;
      std::atomic<bool> third_ran{false};
      std::atomic<long> rounds{0};
      gort::WaitGroup wg;
      wg.add(2);
      gort::go([&] {  // A: starts the third goroutine mid-ping-pong
        for (long i = 0; !third_ran.load(); ++i) {
          if (i == 100) gort::go([&] { third_ran.store(true); });
          b.release();
          a.acquire();
          rounds.fetch_add(1);
        }
        b.release();
        wg.done();
      });
      gort::go([&] {  // B
        while (!third_ran.load()) {
          b.acquire();
          a.release();
        }
        a.release();
        wg.done();
      });
      wg.wait();
      EXPECT_TRUE(third_ran.load());
      EXPECT_GE(rounds.load(), 100);
    });
  }
}

TEST(Sched, GoschedInterleavesGoroutinesOnOneP) {
  gort::run([] {
    gort::gomaxprocs(1);
    std::vector<int> order;
    gort::WaitGroup wg;
    wg.add(2);
    for (int id = 0; id < 2; ++id) {
      gort::go([&, id] {
        for (int k = 0; k < 5; ++k) {
          order.push_back(id);
          gort::gosched();
        }
        wg.done();
      });
    }
    wg.wait();
    ASSERT_EQ(order.size(), 10u);
    int switches = 0;
    for (size_t i = 1; i < order.size(); ++i) switches += order[i] != order[i - 1];
    EXPECT_GE(switches, 8) << "gosched on one P must alternate the two goroutines";
  });
}

TEST(Sched, GomaxprocsChangesWhileGoroutinesRun) {
  gort::run([] {
    const int initial = gort::gomaxprocs();
    std::atomic<bool> stop{false};
    std::atomic<int> bad_p{0};
    std::atomic<int> max_procs{initial};
    gort::WaitGroup wg;
    const int n = 16;
    wg.add(n);
    for (int i = 0; i < n; ++i) {
      gort::go([&] {
        while (!stop.load()) {
          if (rt::current_p_id() >= max_procs.load()) bad_p.fetch_add(1);
          gort::preempt_point();
          gort::gosched();
        }
        wg.done();
      });
    }
    int prev = initial;
    for (int round = 0; round < scaled(200) + 10; ++round) {
      const int next = 1 + round % 4;
      // Shrinking: publish the new bound only after the resize is done.
      if (next > max_procs.load()) max_procs.store(next);
      EXPECT_EQ(gort::gomaxprocs(next), prev);
      max_procs.store(next);
      EXPECT_EQ(gort::gomaxprocs(), next);
      EXPECT_LT(rt::current_p_id(), next);
      prev = next;
      gort::gosched();
    }
    stop.store(true);
    wg.wait();
    EXPECT_EQ(bad_p.load(), 0);
  });
}

// The pitfall of GCC PR 26461: after a goroutine resumes on another thread,
// the runtime must see that thread's M, not a cached one.  The goroutines yield
// until they have migrated between threads thousands of times in all.
TEST(Sched, GoroutineMigratingMidFunctionSeesTheThreadItRunsOn) {
  gort::run([] {
    gort::gomaxprocs(4);
    const long target = 2000;
    std::mutex mu;
    std::map<int64_t, pid_t> thread_of_m;
    std::atomic<long> migrations{0}, mismatches{0};
    gort::WaitGroup wg;
    const int n = 16;
    wg.add(n);
    for (int g = 0; g < n; ++g) {
      gort::go([&] {
        int64_t last_m = rt::current_m_id();
        for (long i = 0; migrations.load() < target && i < 5'000'000; ++i) {
          gort::gosched();
          const int64_t m = rt::current_m_id();
          const pid_t tid = gettid_now();
          {
            std::lock_guard<std::mutex> lk(mu);
            auto [it, fresh] = thread_of_m.emplace(m, tid);
            if (!fresh && it->second != tid) mismatches.fetch_add(1);
          }
          if (m != last_m) migrations.fetch_add(1);
          last_m = m;
          volatile int spin = 0;
          for (int k = 0; k < int(i % 64); ++k) spin = spin + 1;
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(mismatches.load(), 0);
    EXPECT_GE(migrations.load(), target) << "the test must actually migrate goroutines";
  });
}

TEST(Sched, ManyProducersAndConsumersLoseNoWakeups) {
  gort::run([] {
    gort::gomaxprocs(4);
    const int pairs = 16, iters = scaled(20'000);
    std::vector<Sema> ping(pairs), pong(pairs);
    std::atomic<long> done{0};
    gort::WaitGroup wg;
    wg.add(2 * pairs);
    for (int p = 0; p < pairs; ++p) {
      gort::go([&, p] {
        for (int i = 0; i < iters; ++i) {
          ping[p].release();
          pong[p].acquire();
        }
        done.fetch_add(1);
        wg.done();
      });
      gort::go([&, p] {
        for (int i = 0; i < iters; ++i) {
          ping[p].acquire();
          pong[p].release();
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(done.load(), pairs);
  });
}

// A goroutine woken by an OS thread outside the runtime (ready() without an M:
// the global queue).  While it waits, a goroutine sits in a blocking call that
// joins the thread, so the runtime knows a wakeup may come (dump.cpp).
TEST(Sched, ReadyFromAThreadOutsideTheRuntime) {
  gort::run([] {
    for (int i = 0; i < scaled(200); ++i) {
      gort::WaitGroup wg, joined;
      wg.add(1);
      joined.add(1);
      std::thread t([&] { wg.done(); });
      gort::go([&] {
        gort::blocking([&] { t.join(); });
        joined.done();
      });
      wg.wait();
      joined.wait();
    }
  });
}

TEST(Sched, IdleRuntimeBurnsAlmostNoCpu) {
  gort::run([] {
    gort::WaitGroup sleeping, wake, finished;
    wake.add(1);
    sleeping.add(10);
    finished.add(10);
    for (int i = 0; i < 10; ++i) {
      gort::go([&] {
        sleeping.done();
        wake.wait();
        finished.done();  // the WaitGroups live in main's frame: join before it ends
      });
    }
    sleeping.wait();
    const long before = gort::test::process_cpu_us();
    // Every goroutine is parked for 1 s of wall time but one, which blocks its
    // thread in a system call (its M sleeps in the kernel).
    gort::go([&] {
      gort::blocking([] { std::this_thread::sleep_for(std::chrono::seconds(1)); });
      wake.done();
    });
    wake.wait();
    const long cpu_us = gort::test::process_cpu_us() - before;
    finished.wait();
    // A spinning or polling runtime would burn ~1 s per core; allow 10%.  The
    // whole release test process uses under 10 ms of CPU, the ASAN one ~50 ms; an
    // ASAN build on a busy 2-CPU machine was seen at 63 ms.
    EXPECT_LT(cpu_us, 100'000) << "CPU used while idle: " << cpu_us << " us";
  });
}

TEST(Sched, LockOsThreadPinsTheGoroutineToItsThread) {
  gort::run([] {
    gort::gomaxprocs(2);
    std::atomic<bool> stop{false};
    gort::WaitGroup others;
    others.add(4);
    for (int i = 0; i < 4; ++i) {
      gort::go([&] {
        while (!stop.load()) gort::gosched();
        others.done();
      });
    }
    gort::WaitGroup locked_done;
    locked_done.add(1);
    std::atomic<int> moved{0};
    gort::go([&] {
      gort::lock_os_thread();
      const pid_t tid = gettid_now();
      Sema s;
      for (int i = 0; i < scaled(2000); ++i) {
        gort::gosched();
        if (gettid_now() != tid) moved.fetch_add(1);
        gort::go([&] { s.release(); });
        s.acquire();  // park and be readied by another goroutine
        if (gettid_now() != tid) moved.fetch_add(1);
      }
      gort::unlock_os_thread();
      locked_done.done();
    });
    locked_done.wait();
    stop.store(true);
    others.wait();
    EXPECT_EQ(moved.load(), 0);
  });
}

TEST(Sched, LockedGoroutineThatExitsTakesItsThreadAlong) {
  gort::run([] {
    for (int i = 0; i < scaled(20) + 2; ++i) {
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        gort::lock_os_thread();
        wg.done();
      });
      wg.wait();
    }
    // The program still works after those threads exited.
    gort::WaitGroup wg;
    wg.add(100);
    for (int i = 0; i < 100; ++i) gort::go([&] { wg.done(); });
    wg.wait();
  });
}

TEST(WaitGroup, NegativeCounterPanicsWithGosMessage) {
  gort::run([] {
    gort::WaitGroup wg;
    try {
      wg.add(-1);
      FAIL() << "no panic";
    } catch (const gort::Panic& p) {
      EXPECT_STREQ(p.what(), "sync: negative WaitGroup counter");
    }
  });
}

}  // namespace

namespace {

// C++ keeps the exceptions being handled per thread.  A goroutine that parks
// inside a catch block resumes, maybe on another thread, still handling its own
// exception: `throw;` rethrows it, and other goroutines' handlers are untouched.
TEST(Exceptions, CatchBlocksSurviveParkingAndMigration) {
  gort::run([] {
    gort::gomaxprocs(2);
    const int n = 16, rounds = gort::test::scaled(200);
    std::atomic<int> wrong{0};
    gort::WaitGroup wg;
    wg.add(n);
    for (int g = 0; g < n; ++g) {
      gort::go([&, g] {
        for (int r = 0; r < rounds; ++r) {
          const std::string mine = "goroutine " + std::to_string(g) + " round " + std::to_string(r);
          try {
            try {
              throw std::runtime_error(mine);
            } catch (const std::exception&) {
              gort::gosched();  // park inside the handler; others throw meanwhile
              if (r % 7 == 0) gort::sleep(std::chrono::microseconds(50));
              throw;  // must rethrow *this* goroutine's exception
            }
          } catch (const std::exception& e) {
            if (mine != e.what()) wrong.fetch_add(1);
          }
          if (std::uncaught_exceptions() != 0) wrong.fetch_add(1);
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(wrong.load(), 0);
  });
}

struct CountsUncaughtOnDestruction {
  int* seen;
  ~CountsUncaughtOnDestruction() {
    gort::gosched();  // a destructor running during unwinding parks
    *seen = std::uncaught_exceptions();
  }
};

TEST(Exceptions, UncaughtCountFollowsTheGoroutine) {
  gort::run([] {
    gort::gomaxprocs(2);
    const int n = 8;
    std::atomic<int> wrong{0};
    gort::WaitGroup wg;
    wg.add(n);
    for (int g = 0; g < n; ++g) {
      gort::go([&] {
        for (int r = 0; r < gort::test::scaled(200); ++r) {
          int seen = -1;
          try {
            CountsUncaughtOnDestruction d{&seen};
            throw 1;
          } catch (int) {
          }
          if (seen != 1) wrong.fetch_add(1);
          int calm = -1;
          { CountsUncaughtOnDestruction d{&calm}; }
          if (calm != 0) wrong.fetch_add(1);
        }
        wg.done();
      });
    }
    wg.wait();
    EXPECT_EQ(wrong.load(), 0);
  });
}

}  // namespace

namespace {

std::string header_of(const rt::G* gp) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  rt::print_goroutine_header(f, gp);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

// Goroutine headers as Go prints them (goroutineheader): the wait reason, the
// wait time once it reaches a minute, and "locked to thread".
TEST(Dump, GoroutineHeaderShowsReasonMinutesAndLock) {
  gort::run([] {
    rt::G gp;
    gp.goid = 7;
    gp.status.store(rt::GStatus::Waiting);
    gp.waitreason = rt::WaitReason::ChanReceive;
    gp.waitsince = rt::nanotime();
    EXPECT_EQ(header_of(&gp), "goroutine 7 [chan receive]:\n");
    gp.waitsince = rt::nanotime() - 3 * 60'000'000'000LL - 1'000'000'000LL;
    EXPECT_EQ(header_of(&gp), "goroutine 7 [chan receive, 3 minutes]:\n");
    gp.lockedm = reinterpret_cast<rt::M*>(&gp);  // any non-null M
    EXPECT_EQ(header_of(&gp), "goroutine 7 [chan receive, 3 minutes, locked to thread]:\n");
    gp.lockedm = nullptr;
    gp.status.store(rt::GStatus::Runnable);
    EXPECT_EQ(header_of(&gp), "goroutine 7 [runnable]:\n");
  });
}

}  // namespace
