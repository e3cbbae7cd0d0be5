// crash.cpp — gort_testprog programs that end badly on purpose (panics,
// overflows, faults, deadlocks, fatal errors, SIGQUIT) or read the runtime's
// knobs; crash_test.cpp runs each and checks its output and exit status
// against Go's.
#include <gort/gort.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "current.hpp"
#include "m.hpp"
#include "parked.hpp"
#include "sched.hpp"
#include "testprog.hpp"

namespace {

/// The calling goroutine's record, for a goroutine that another waits on.
gort::runtime::G* self() { return gort::runtime::current_m()->curg; }

// Each frame keeps 256 bytes live, like the course's depth(n) function.
// The frame is read after the recursive call, so it cannot become a loop.
__attribute__((noinline)) int depth(int n) {
  volatile char buf[256];
  buf[0] = static_cast<char>(n);
  if (n == 0) return 0;
  const int r = depth(n - 1);
  return r + 1 + buf[0] - buf[0];
}

// A volatile store through a pointer the compiler cannot see is null; UBSAN's
// null check is off here so the fault itself is what gets reported.
__attribute__((noinline, no_sanitize("undefined"))) void store_through_nil() {
  static volatile uintptr_t zero = 0;
  *reinterpret_cast<volatile int*>(zero) = 1;
}

// Every level allocates: malloc's own frames (deeper than this one) reach the
// guard region first, so the overflow lands inside malloc, arena lock held.
__attribute__((noinline)) int depth_allocating(int n) {
  void* volatile p = std::malloc(16 + static_cast<unsigned>(n) % 4096);
  if (n == 0) return 0;
  const int r = depth_allocating(n - 1);
  std::free(p);
  return r + 1;
}

// Sizes above glibc's tcache limit (1032 bytes) and below the mmap threshold
// (128 KiB): each call takes the arena lock in _int_malloc / _int_free.
__attribute__((noinline)) void allocate_forever(std::atomic<pid_t>* tid) {
  void* held[16] = {};
  uint32_t x = static_cast<uint32_t>(gettid());
  for (unsigned i = 0;; ++i) {
    if ((i & 1023) == 0) {
      gort::preempt_point();
      tid->store(gettid(), std::memory_order_relaxed);  // the M may have changed
    }
    x = x * 1664525u + 1013904223u;
    void*& slot = held[i % 16];
    std::free(slot);
    slot = std::malloc(1100 + (x >> 16) % 60000);
  }
}

__attribute__((noinline)) void waiter(gort::WaitGroup* wg) {
  wg->wait();
  asm volatile("");  // keep this frame: no tail call
}

GORT_TESTPROG(Panic) {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([] { throw gort::Panic("boom"); });
    wg.wait();
  });
}

GORT_TESTPROG(StdException) {
  return gort::run([] { throw std::runtime_error("disk full"); });
}

GORT_TESTPROG(StackOverflow) {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([] { std::printf("%d\n", depth(1 << 30)); });
    wg.wait();
  });
}

GORT_TESTPROG(StackOverflowInMalloc) {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([] { std::printf("%d\n", depth_allocating(1 << 30)); });
    wg.wait();
  });
}

GORT_TESTPROG(SigquitInMalloc) {
  // Four goroutines allocate and free without pause; after a few
  // milliseconds one of their threads gets SIGQUIT, almost always inside
  // malloc or free.
  return gort::run([] {
    constexpr int kWorkers = 4;
    gort::gomaxprocs(kWorkers);
    static std::atomic<pid_t> tids[kWorkers];
    for (auto& t : tids) gort::go([&t] { allocate_forever(&t); });
    gort::blocking([] {
      for (auto& t : tids) {
        while (t.load() == 0) usleep(100);
      }
      const uint64_t now = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
      usleep(static_cast<useconds_t>(1000 + now % 10000));
      syscall(SYS_tgkill, getpid(), tids[now % kWorkers].load(), SIGQUIT);
      pause();
    });
    return 0;
  });
}

GORT_TESTPROG(StackOverflowInMain) {
  return gort::run([] { std::printf("%d\n", depth(1 << 30)); });
}

GORT_TESTPROG(NilDereference) {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([] { store_through_nil(); });
    wg.wait();
  });
}

GORT_TESTPROG(ExitWhileBusy) {
  // Main returns while other goroutines still run: the program ends.
  return gort::run([] {
    for (int i = 0; i < 4; ++i) {
      gort::go([] {
        for (;;) gort::preempt_point();
      });
    }
    gort::gosched();
    std::printf("main done\n");
    return 3;
  });
}

GORT_TESTPROG(ExitWhileStuck) {
  // A goroutine that never reaches a safe point cannot be stopped: the
  // process still ends with main's code, as a Go program would.
  return gort::run([] {
    std::atomic<bool> started{false};
    gort::go([&] {
      started = true;
      for (;;) asm volatile("");
    });
    while (!started) gort::gosched();
    std::printf("main done\n");
    return 4;
  });
}

GORT_TESTPROG(Deadlock) {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] { waiter(&wg); });
    wg.wait();
  });
}

GORT_TESTPROG(NoDeadlockTimer) {
  // Everything blocked but a timer pending: not a deadlock.
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      gort::sleep(std::chrono::milliseconds(30));
      wg.done();
    });
    wg.wait();
    std::printf("ok\n");
  });
}

GORT_TESTPROG(NoDeadlockBlocking) {
  // A goroutine in a blocking call may still wake the others: not a deadlock.
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      gort::blocking([] { usleep(30'000); });
      wg.done();
    });
    wg.wait();
    std::printf("ok\n");
  });
}

GORT_TESTPROG(Sigquit) {
  return gort::run([] {
    using gort::runtime::WaitReason;
    static std::atomic<gort::runtime::G*> main_g{nullptr}, waiter_g{nullptr};
    main_g = self();
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      waiter_g = self();
      waiter(&wg);
    });
    gort::go([] {
      // The signal comes once main sleeps and the waiter waits, as the test expects.
      gort::test::wait_until_parked(main_g, WaitReason::Sleep);
      gort::test::wait_until_parked(waiter_g, WaitReason::SyncWaitGroupWait);
      gort::blocking([] {
        kill(getpid(), SIGQUIT);
        pause();
      });
    });
    gort::sleep(std::chrono::seconds(5));
    return 0;
  });
}

// Never ends on its own (a pending timer is not a deadlock): what a hang looks
// like to the timeout of the test that runs it (process_test.cpp).
GORT_TESTPROG(SleepForever) {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] { waiter(&wg); });
    for (;;) gort::sleep(std::chrono::hours(1));
  });
}

GORT_TESTPROG(SleepThroughSchedtraces) {
  // Run with GODEBUG=schedtrace=N: main sleeps in 50 ms naps until sysmon has
  // printed three reports since the first nap began, however slowly a loaded
  // machine lets sysmon run (a slow start-up can see three reports before main
  // first sleeps; those do not count).
  return gort::run([] {
    const uint64_t before = gort::runtime::schedtrace_reports();
    do {
      gort::sleep(std::chrono::milliseconds(50));
    } while (gort::runtime::schedtrace_reports() < before + 3);
  });
}

GORT_TESTPROG(AsyncBusy) {
  // One P; a marked loop spins for ~0.5 s of work unless the queued
  // goroutine gets to run first (only asynchronous preemption allows that).
  return gort::run([] {
    gort::gomaxprocs(1);
    std::atomic<bool> other_ran{false};
    std::atomic<bool> in_loop{false};
    bool preempted = false;
    gort::WaitGroup wg;
    wg.add(2);
    gort::go([&] {
      gort::go([&] {
        // Count only running *during* the loop: a cooperative yield before
        // it (at the go statement) must not look like preemption.
        while (!in_loop.load()) gort::gosched();
        other_ran.store(true, std::memory_order_relaxed);
        wg.done();
      });
      gort::AsyncPreemptible region;
      in_loop.store(true);
      const auto start = std::chrono::steady_clock::now();
      while (!other_ran.load(std::memory_order_relaxed) &&
             std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)) {
      }
      preempted = other_ran.load();
      wg.done();
    });
    wg.wait();
    std::printf("%s\n", preempted ? "preempted" : "not preempted");
  });
}

GORT_TESTPROG(MutexUnlockUnlocked) {
  // A fatal error, not a panic: no catch can recover from it.
  return gort::run([] {
    gort::Mutex held;
    held.lock();
    gort::go([&] { held.lock(); });  // another goroutine for the report
    gort::Mutex mu;
    try {
      mu.unlock();
    } catch (...) {
      std::printf("recovered\n");
    }
  });
}

GORT_TESTPROG(RWMutexRUnlockUnlocked) {
  return gort::run([] {
    gort::RWMutex rw;
    rw.runlock();
  });
}

GORT_TESTPROG(RWMutexUnlockUnlocked) {
  return gort::run([] {
    gort::RWMutex rw;
    rw.rlock();
    rw.unlock();  // read-locked, not write-locked
  });
}

GORT_TESTPROG(SyncDeadlock) {
  // Every goroutine blocked in a sync primitive: the deadlock report names
  // each wait as Go does.
  return gort::run([] {
    gort::Mutex mu, cond_mu;
    gort::Cond cond(cond_mu);
    gort::RWMutex written, read;
    gort::Semaphore sem(1);
    mu.lock();
    written.lock();
    read.rlock();
    sem.acquire(1);
    gort::go([&] { mu.lock(); });
    gort::go([&] {
      cond_mu.lock();
      cond.wait();
    });
    gort::go([&] { written.rlock(); });
    gort::go([&] { read.lock(); });
    gort::go([&] { sem.acquire(1); });
    mu.lock();
  });
}

GORT_TESTPROG(PrintGomaxprocs) {
  return gort::run([] { std::printf("GOMAXPROCS=%d\n", gort::gomaxprocs()); });
}

GORT_TESTPROG(PrintMemProfileRate) {
  return gort::run([] { std::printf("MemProfileRate=%d\n", gort::mem_profile_rate()); });
}

}  // namespace
