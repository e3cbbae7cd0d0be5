// sched.cpp — gort_testprog programs that combine locked threads with blocking
// calls, GOMAXPROCS changes and collections; locked_thread_test.cpp runs each
// under a timeout, so a goroutine that never runs again fails the test with
// the program's goroutine dump instead of hanging the test binary.
//
// Every program prints one line of counts on success and exits 0; a locked
// goroutine found on another thread makes it exit 1.
#include <gort/gort.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "test_util.hpp"
#include "gc_chain.hpp"
#include "testprog.hpp"

namespace gc = gort::gc;
using gort::test::scaled;
using namespace std::chrono_literals;

namespace {

pid_t gettid_now() { return static_cast<pid_t>(syscall(SYS_gettid)); }

/// GOMAXPROCS for a mode: the environment's (as the runtime reads it), or 2.
int procs_from_env() {
  const char* v = std::getenv("GOMAXPROCS");
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : 2;
}

/// Runs body(i) n times on a goroutine wired to its thread, counting every
/// return on a thread other than the one it locked (Go never resumes a locked
/// goroutine elsewhere).  Nested lock_os_thread calls, as Go allows.
template <class F>
void locked_loop(int n, std::atomic<int>* moved, F body) {
  gort::lock_os_thread();
  gort::lock_os_thread();
  const pid_t tid = gettid_now();
  for (int i = 0; i < n; ++i) {
    body(i);
    if (gettid_now() != tid) moved->fetch_add(1);
  }
  gort::unlock_os_thread();
  if (gettid_now() != tid) moved->fetch_add(1);
  gort::unlock_os_thread();
}

/// locked_loop's body run until stop is set.
template <class F>
void locked_until(const std::atomic<bool>& stop, std::atomic<int>* moved, F body) {
  gort::lock_os_thread();
  const pid_t tid = gettid_now();
  for (int i = 0; !stop.load(); ++i) {
    body(i);
    if (gettid_now() != tid) moved->fetch_add(1);
  }
  gort::unlock_os_thread();
}

using gort::testprog::chain;
using gort::testprog::Node;
using gort::testprog::chain_intact;

/// Issue 17 item 3: two locked goroutines looping over short blocking calls
/// at GOMAXPROCS (2 by default).  sysmon retakes their Ps during the calls, so
/// the calls return through every exitsyscall path.
GORT_TESTPROG(LockedBlocking) {
  return gort::run([] {
    gort::gomaxprocs(procs_from_env());
    constexpr int kLocked = 2;
    const int calls = scaled(2000);
    std::atomic<int> moved{0};
    gort::WaitGroup wg;
    wg.add(kLocked);
    for (int g = 0; g < kLocked; ++g) {
      gort::go([&] {
        locked_loop(calls, &moved, [](int) { gort::blocking([] { usleep(50); }); });
        wg.done();
      });
    }
    wg.wait();
    std::printf("locked-blocking: %d goroutines x %d calls, %d resumed elsewhere\n", kLocked, calls, moved.load());
    return moved.load() == 0 ? 0 : 1;
  });
}

/// Issue 17 item 4: four locked goroutines — sleeping, blocking, receiving,
/// allocating — plus locked goroutines that exit while locked, while one
/// locked goroutine moves GOMAXPROCS between 1 and 5 and another collects.
GORT_TESTPROG(LockedGomaxprocsGC) {
  return gort::run([] {
    const int rounds = scaled(1500);
    constexpr int kChain = 64;
    std::atomic<int> moved{0};
    std::atomic<int> broken_chains{0};
    std::atomic<bool> stop{false};
    std::atomic<long> resizes{0}, collections{0}, exited_locked{0};
    auto pings = gort::make_chan<int>();

    gort::WaitGroup locked;
    locked.add(4);
    gort::go([&] {  // sleeping: readied by timers, on whichever P runs them
      locked_loop(rounds, &moved, [](int i) { gort::sleep(std::chrono::microseconds(i % 50)); });
      locked.done();
    });
    gort::go([&] {  // blocking: every exitsyscall path, Ps retaken and retired meanwhile
      locked_loop(rounds, &moved, [](int) { gort::blocking([] { usleep(30); }); });
      locked.done();
    });
    gort::go([&] {  // receiving: readied by an unlocked sender
      locked_loop(rounds, &moved, [&](int) { pings.recv(); });
      locked.done();
    });
    gort::go([&] {  // allocating: assists, stack scans and stops while locked
      locked_loop(rounds, &moved, [&](int) {
        const gc::Ref<Node> c = chain(kChain);
        gort::gosched();
        if (!chain_intact(c, kChain)) broken_chains.fetch_add(1);
      });
      locked.done();
    });

    gort::WaitGroup helpers;
    helpers.add(4);
    gort::go([&] {  // the sender
      for (int i = 0; i < rounds; ++i) pings.send(i);
      helpers.done();
    });
    // The two that stop the world are locked too: a locked goroutine whose own
    // P is retired keeps its thread.
    gort::go([&] {  // GOMAXPROCS 1, 2, 3, 4, 5, 1, ...
      locked_until(stop, &moved, [&](int n) {
        gort::gomaxprocs(1 + n % 5);
        resizes.fetch_add(1);
        gort::sleep(100us);
      });
      helpers.done();
    });
    gort::go([&] {  // collections
      locked_until(stop, &moved, [&](int) {
        gc::collect();
        collections.fetch_add(1);
        gort::sleep(200us);
      });
      helpers.done();
    });
    gort::go([&] {  // locked goroutines that exit locked: Go ends their threads
      // At most a quarter of `rounds` threads ended (and as many started):
      // each costs TSAN about 12 ms, and until stop alone bounded them a TSAN
      // run ended ~480 of them.
      for (int i = 0; i < rounds / 4 && !stop.load(); ++i) {
        gort::WaitGroup one;
        one.add(1);
        gort::go([&] {
          gort::lock_os_thread();
          gort::blocking([] { usleep(20); });
          gort::sleep(20us);
          exited_locked.fetch_add(1);
          one.done();
        });
        one.wait();
      }
      helpers.done();
    });

    locked.wait();
    stop.store(true);
    helpers.wait();
    std::printf("locked-gomaxprocs-gc: 4 locked goroutines x %d rounds, %ld resizes, %ld collections, "
                "%ld exited locked, %d resumed elsewhere, %d broken chains\n",
                rounds, resizes.load(), collections.load(), exited_locked.load(), moved.load(),
                broken_chains.load());
    return moved.load() == 0 && broken_chains.load() == 0 ? 0 : 1;
  });
}

}  // namespace
