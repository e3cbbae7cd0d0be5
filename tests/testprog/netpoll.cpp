// netpoll.cpp — gort_testprog programs for the network poller, run by
// netpoll_test.cpp once per backend (GODEBUG=netpoll=uring and =epoll): the
// backend is chosen once per process, so each backend gets its own child.
// They use the runtime's poll_* interface on socketpairs, below net/.
#include <gort/gort.hpp>
#include <gort/runtime/internal/netpoll.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gort/runtime/internal/timer.hpp>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "parked.hpp"
#include "sched.hpp"
#include "test_util.hpp"
#include "testprog.hpp"

namespace {

namespace rt = gort::runtime;

/// A non-blocking socketpair, both ends registered with the poller.
struct PolledPair {
  int fd[2] = {-1, -1};
  rt::PollDesc* pd[2] = {nullptr, nullptr};

  PolledPair() {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) != 0) {
      std::perror("socketpair");
      std::_Exit(3);
    }
    for (int i = 0; i < 2; ++i) {
      int err = 0;
      pd[i] = rt::poll_open(fd[i], &err);
      if (pd[i] == nullptr) {
        std::fprintf(stderr, "poll_open: %d\n", err);
        std::_Exit(3);
      }
    }
  }
  ~PolledPair() {
    for (int i = 0; i < 2; ++i) {
      rt::poll_unblock(pd[i]);
      rt::poll_close(pd[i]);
      close(fd[i]);
    }
  }
};

/// Reads exactly n bytes from a polled descriptor, parking on EAGAIN (the
/// shape of internal/poll's FD.Read).  Returns false at end of stream.
bool read_full(int fd, rt::PollDesc* pd, char* buf, std::size_t n) {
  if (rt::poll_reset(pd, rt::PollMode::Read) != rt::PollResult::Ready) return false;
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = read(fd, buf + got, n - got);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r == 0) {
      return false;
    } else if (errno == EAGAIN) {
      if (rt::poll_wait(pd, rt::PollMode::Read) != rt::PollResult::Ready) return false;
    } else if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

/// Writes all n bytes, parking while the socket buffer is full (FD.Write).
bool write_full(int fd, rt::PollDesc* pd, const char* buf, std::size_t n) {
  if (rt::poll_reset(pd, rt::PollMode::Write) != rt::PollResult::Ready) return false;
  std::size_t put = 0;
  while (put < n) {
    const ssize_t r = write(fd, buf + put, n - put);
    if (r > 0) {
      put += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EAGAIN) {
      if (rt::poll_wait(pd, rt::PollMode::Write) != rt::PollResult::Ready) return false;
    } else if (!(r < 0 && errno == EINTR)) {
      return false;
    }
  }
  return true;
}

int iterations(int n) { return gort::test::scaled(n); }

}  // namespace

// Prints the backend in force, for the fallback and GODEBUG tests.
GORT_TESTPROG(NetpollBackend) {
  return gort::run([] { std::printf("%s\n", rt::netpoll_backend_name()); });
}

// As a container runtime's seccomp profile does: io_uring_setup fails with
// EPERM.  gort falls back to epoll, says so once, and the ping-pong passes.
GORT_TESTPROG(NetpollWithoutIoUring) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    std::perror("seccomp");
    return 3;
  }
  return gort::run([] {
    PolledPair p;
    char c = 'x';
    if (!write_full(p.fd[0], p.pd[0], &c, 1) || !read_full(p.fd[1], p.pd[1], &c, 1) || c != 'x') {
      std::printf("ping failed\n");
      return 1;
    }
    std::printf("%s\n", rt::netpoll_backend_name());
    return 0;
  });
}

// Goroutines on GOMAXPROCS Ps ping-pong random-sized messages over socketpairs;
// every byte is checked.  A reader parked on one P is readied by a write from
// another while other goroutines keep the Ps busy: a lost wake-up hangs it.
GORT_TESTPROG(NetpollPingPong) {
  return gort::run([] {
    constexpr int kPairs = 8;
    constexpr std::size_t kMaxMessage = 65536;  // above a socketpair's buffer: writers park too
    const int rounds = iterations(150);
    std::atomic<int> failures{0};
    std::atomic<bool> done{false};
    gort::WaitGroup wg;
    wg.add(kPairs);
    // A busy goroutine: the Ps are rarely idle, so readiness arrives through
    // the non-blocking polls of find_runnable and sysmon as well.  Joined
    // before main's function returns: it reads `done` on main's stack.
    gort::WaitGroup busy;
    busy.add(1);
    gort::go([&] {
      while (!done.load(std::memory_order_relaxed)) gort::gosched();
      busy.done();
    });
    for (int i = 0; i < kPairs; ++i) {
      gort::go([&, i] {
        PolledPair p;
        gort::WaitGroup echo;
        echo.add(1);
        // The echo side: reads a length-prefixed message and sends it back.  Its buffer is
        // freed before echo.done(): once main returns, a goroutine still between done() and
        // its destructors is abandoned, and the ASAN build would report the buffer leaked.
        gort::go([&] {
          {
            std::vector<char> storage(kMaxMessage);
            char* buf = storage.data();
            for (;;) {
              uint32_t len = 0;
              if (!read_full(p.fd[1], p.pd[1], reinterpret_cast<char*>(&len), sizeof len)) break;
              if (len == 0 || !read_full(p.fd[1], p.pd[1], buf, len) ||
                  !write_full(p.fd[1], p.pd[1], buf, len)) {
                break;
              }
            }
          }
          echo.done();
        });
        uint32_t seed = 12345u + static_cast<uint32_t>(i);
        std::vector<char> out_storage(kMaxMessage), in_storage(kMaxMessage);
        char* out = out_storage.data();
        char* in = in_storage.data();
        for (int r = 0; r < rounds; ++r) {
          seed = seed * 1103515245u + 12345u;
          // Mostly small messages, sometimes larger than a socket buffer, so
          // writers park too.
          const uint32_t len = 1 + (r % 16 == 15 ? seed % 65536 : seed % 512);
          for (uint32_t k = 0; k < len; ++k) out[k] = static_cast<char>(seed >> (k % 24));
          if (!write_full(p.fd[0], p.pd[0], reinterpret_cast<const char*>(&len), sizeof len) ||
              !write_full(p.fd[0], p.pd[0], out, len) || !read_full(p.fd[0], p.pd[0], in, len) ||
              std::memcmp(in, out, len) != 0) {
            failures.fetch_add(1);
            break;
          }
        }
        const uint32_t zero = 0;
        write_full(p.fd[0], p.pd[0], reinterpret_cast<const char*>(&zero), sizeof zero);
        echo.wait();
        wg.done();
      });
    }
    wg.wait();
    done.store(true);
    busy.wait();
    std::printf("%s ok, failures=%d\n", rt::netpoll_backend_name(), failures.load());
    return failures.load() == 0 ? 0 : 1;
  });
}

// netpollBreak, thousands of times: the only M blocks in the poller until a
// timer an hour away; a thread outside the runtime then arms a timer due at
// once, which must break the poller's wait (wake_for_timer).  A lost break
// leaves the program asleep for an hour (the harness's timeout reports it).
GORT_TESTPROG(NetpollBreak) {
  return gort::run([] {
    gort::gomaxprocs(1);
    gort::go([] { gort::sleep(std::chrono::hours(1)); });  // the far timer
    static std::atomic<rt::G*> main_g{nullptr};
    main_g = rt::current_g();
    const int rounds = iterations(3000);
    int woken = 0;
    for (int r = 0; r < rounds; ++r) {
      static rt::RuntimeTimer t;
      std::atomic<bool> armed{false};
      std::thread waker([&] {
        // Once main is parked and the M is in the poller, arm a due timer.
        while (!(gort::test::is_parked(main_g, rt::WaitReason::Sleep) &&
                 rt::sched.lastpoll.load(std::memory_order_seq_cst) == 0)) {
          std::this_thread::yield();
        }
        t.when = rt::nanotime_now();
        t.period = 0;
        t.f = [](void* arg, uintptr_t, int64_t) { rt::ready(static_cast<rt::G*>(arg)); };
        t.arg = main_g.load();
        armed.store(true);
        rt::addtimer(&t);
      });
      rt::park(rt::WaitReason::Sleep);
      waker.join();
      if (armed.load()) ++woken;
    }
    std::printf("woken %d of %d\n", woken, rounds);
  });
}

// A goroutine waiting on the network is not a deadlock, as a Go server
// blocked in accept is not: main waits in poll_wait until a thread outside
// the runtime writes.
GORT_TESTPROG(NetpollWaitIsNotADeadlock) {
  return gort::run([] {
    PolledPair p;
    static std::atomic<rt::G*> main_g{nullptr};
    main_g = rt::current_g();
    std::thread writer([&] {
      while (!gort::test::is_parked(main_g, rt::WaitReason::IOWait)) std::this_thread::yield();
      const char c = 'y';
      if (write(p.fd[0], &c, 1) != 1) std::_Exit(3);
    });
    char c = 0;
    const bool ok = read_full(p.fd[1], p.pd[1], &c, 1);
    writer.join();
    std::printf("%s\n", ok && c == 'y' ? "ok" : "bad");
  });
}

// Main parks in read and its M switches straight to the next goroutine, so
// no M passes through find_runnable to become the poller; that goroutine then
// blocks in a system call.  sysmon takes its P back and every P is idle: the
// hand-off of that last P must start an M to poll (Go's handoffp), or the
// write that readies main is never seen and both wait for ever (the harness's
// timeout dumps them).  The interleaving came from a TSAN run, where the other
// M had gone to sleep before main parked; here that M is made to sleep first,
// and the goroutine is started while a (counted) spinning M keeps it asleep.
// Run with GOMAXPROCS=2.
GORT_TESTPROG(NetpollLastPHandedOffStartsAPoller) {
  return gort::run([] {
    gort::test::start_second_m();  // the M the loop waits for in stopm
    const int n = iterations(20);
    auto wait_until = [](auto cond) {
      while (!cond()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    for (int i = 0; i < n; ++i) {
      PolledPair p;
      int done[2];
      if (pipe2(done, O_CLOEXEC) != 0) return 3;
      // The other M asleep in stopm, its P idle, nobody spinning.
      wait_until([] {
        rt::LockGuard g(rt::sched.lock);
        return rt::sched.nmidle >= 1 && rt::sched.npidle.load() == rt::gomaxprocs() - 1 &&
               rt::sched.nmspinning.load() == 0;
      });
      gort::WaitGroup wg;
      wg.add(1);
      rt::sched.nmspinning.fetch_add(1);  // newproc's wakep sees a spinner and wakes nobody
      gort::go([&] {
        const char r = gort::blocking([&] {
          // Write only once sysmon has taken this P back and every P is idle.
          wait_until([] { return rt::sched.npidle.load() == rt::gomaxprocs(); });
          if (write(p.fd[0], "x", 1) != 1) std::_Exit(3);
          char c = 0;
          return read(done[0], &c, 1) == 1 ? c : '?';
        });
        if (r != 'y') {
          std::printf("iteration %d: main said %c\n", i, r);
          std::_Exit(1);
        }
        wg.done();
      });
      rt::sched.nmspinning.fetch_sub(1);
      char c = 0;
      const char r = read_full(p.fd[1], p.pd[1], &c, 1) && c == 'x' ? 'y' : 'n';  // parks first
      if (write(done[1], &r, 1) != 1) return 3;
      wg.wait();
      close(done[0]);
      close(done[1]);
    }
    std::printf("ok\n");
    return 0;
  });
}

// A goroutine waiting on the network shows as [IO wait] in a SIGQUIT dump.
GORT_TESTPROG(NetpollSigquitShowsIOWait) {
  return gort::run([] {
    PolledPair p;
    static std::atomic<rt::G*> reader_g{nullptr};
    gort::go([&] {
      reader_g = rt::current_g();
      char c;
      read_full(p.fd[1], p.pd[1], &c, 1);
    });
    gort::test::wait_until_parked(reader_g, rt::WaitReason::IOWait);
    gort::blocking([] {
      kill(getpid(), SIGQUIT);
      pause();
    });
  });
}
