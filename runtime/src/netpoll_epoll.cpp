// netpoll_epoll.cpp — the epoll backend (mirrors golang/go src/runtime/netpoll_epoll.go).
//
// Chosen by GODEBUG=netpoll=epoll, or when io_uring is refused.  One epoll
// instance per process; every descriptor is registered edge-triggered for
// input, output and peer hang-up, its data the PollDesc tag.  The break
// descriptor (netpoll.cpp's eventfd) is registered level-triggered, so it stays
// readable until a poll drains it.
// Waits use epoll_pwait2's nanosecond timeout where the kernel has it (5.11),
// so a timer is not rounded up to the next millisecond as Go's epoll_wait does.
#include <sys/epoll.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "crash.hpp"
#include "netpoll_backend.hpp"

namespace gort::runtime {

namespace {

/// Events taken per epoll_pwait2 call (Go's netpoll takes 128).
constexpr int kMaxEvents = 128;

int epfd = -1;
/// Cleared when epoll_pwait2 is missing (ENOSYS): then millisecond epoll_wait.
std::atomic<bool> have_pwait2{true};

bool epoll_init(std::string* why) {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) {
    *why = std::string("epoll_create1: ") + std::strerror(errno);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kBreakTag;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, netpoll_break_fd(), &ev) != 0) {
    *why = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  return true;
}

// mirrors netpollopen
int epoll_open(int fd, uint64_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = tag;
  return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

// mirrors netpollclose
void epoll_close(int fd, uint64_t) {
  epoll_event ev{};
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

int wait(epoll_event* events, int64_t delay_ns) {
  if (have_pwait2.load(std::memory_order_relaxed)) {
    timespec ts{static_cast<time_t>(delay_ns / 1'000'000'000), static_cast<long>(delay_ns % 1'000'000'000)};
    const int n = epoll_pwait2(epfd, events, kMaxEvents, delay_ns < 0 ? nullptr : &ts, nullptr);
    if (n >= 0 || errno != ENOSYS) return n;
    have_pwait2.store(false, std::memory_order_relaxed);
  }
  // Go's rounding: under a millisecond waits one, very long waits one second.
  int ms = -1;
  if (delay_ns == 0) {
    ms = 0;
  } else if (delay_ns > 0 && delay_ns < 1'000'000) {
    ms = 1;
  } else if (delay_ns > 0 && delay_ns < 1'000'000'000'000'000) {
    ms = static_cast<int>(std::min<int64_t>(delay_ns / 1'000'000, 1'000'000'000));
  } else if (delay_ns > 0) {
    ms = 1'000'000'000;
  }
  return epoll_wait(epfd, events, kMaxEvents, ms);
}

// mirrors netpoll
bool epoll_poll(int64_t delay_ns, GList* to_run, int32_t* waiters_delta) {
  epoll_event events[kMaxEvents];
  int n;
  for (;;) {
    n = wait(events, delay_ns);
    if (n >= 0) break;
    if (errno != EINTR) gothrow("runtime: netpoll failed");
    if (delay_ns > 0) return false;  // a signal: the caller recomputes how long to wait
  }
  bool woke = false;
  for (int i = 0; i < n; ++i) {
    const epoll_event& ev = events[i];
    if (ev.data.u64 == kBreakTag) {
      netpoll_break_drain();
      woke = true;
      continue;
    }
    PollEvent pe{};
    pe.tag = ev.data.u64;
    pe.read = (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    pe.write = (ev.events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
    pe.error = (ev.events & EPOLLERR) != 0;
    netpoll_deliver(pe, to_run, waiters_delta);
  }
  return woke;
}

}  // namespace

const NetpollBackend kEpollBackend = {"epoll", &epoll_init, &epoll_open, &epoll_close, &epoll_poll};

}  // namespace gort::runtime
