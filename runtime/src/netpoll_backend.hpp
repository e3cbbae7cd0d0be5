// netpoll_backend.hpp — what the poller asks of the OS, and the two answers
// (netpoll_uring.cpp, netpoll_epoll.cpp).  The design is in netpoll.cpp.
//
// Go picks its backend at compile time (netpoll_epoll.go, netpoll_kqueue.go,
// ...) behind netpollinit / netpollopen / netpollclose / netpoll / netpollBreak.
// gort has two for one OS and picks at start-up (io_uring where it works, epoll
// otherwise), so the same five functions are a record of function pointers.
#pragma once

#include <cstdint>
#include <string>

#include "g.hpp"

namespace gort::runtime {

struct PollDesc;

/// A backend's event for one descriptor, as the generic layer consumes it.
struct PollEvent {
  /// The tag the descriptor was registered with (PollDesc address + sequence).
  uint64_t tag;
  /// Which directions may be ready.
  bool read;
  bool write;
  /// The kernel reported an error condition (EPOLLERR, POLLERR).
  bool error;
};

/// Receives the events of one poll; implemented by netpoll.cpp (mirrors netpollready).
/// Precondition: called only from inside NetpollBackend::poll.
void netpoll_deliver(const PollEvent& ev, GList* to_run, int32_t* waiters_delta);

/// Calls arm(fd, tag) under the PollDesc's lock if tag still names a live
/// registration (its sequence matches and it is not closing), so a re-armed
/// poll never lands on a descriptor number poll_close gave back; returns
/// whether it did.  Precondition: holds no runtime lock.
bool netpoll_rearm(uint64_t tag, void (*arm)(int fd, uint64_t tag));

/// The user_data / epoll data of the break descriptor, never a PollDesc's tag.
inline constexpr uint64_t kBreakTag = 1;

/// The break descriptor (netpoll.cpp): one eventfd (Go 1.21's choice over 1.19's
/// pipe) that the backend in force watches for readability and netpoll_break
/// writes.  Open before any backend's init runs.
int netpoll_break_fd();
/// Writes the break descriptor; a wake-up already pending is enough (EAGAIN is
/// fine).  Any thread, async-signal-safe.
void netpoll_break_write();
/// Empties the break descriptor: the poll that saw it readable consumed the wake-up.
void netpoll_break_drain();

struct NetpollBackend {
  /// "uring" or "epoll", as GODEBUG=netpoll spells it.
  const char* name;
  /// Sets the backend up and starts watching the break descriptor (mirrors
  /// netpollinit); false with *why set ("io_uring_setup: Operation not
  /// permitted") if it cannot.
  bool (*init)(std::string* why);
  /// Registers fd for both directions, edge-triggered, under tag (mirrors
  /// netpollopen); returns 0 or an errno value.
  int (*open)(int fd, uint64_t tag);
  /// Deregisters fd's registration `tag` before the descriptor is closed
  /// (mirrors netpollclose).
  void (*close)(int fd, uint64_t tag);
  /// Waits up to delay_ns (< 0: until an event or a break; 0: do not block) and
  /// hands each event to netpoll_deliver (mirrors netpoll).  Returns true when a
  /// break was consumed.  Precondition: called with no runtime lock held; at
  /// most one caller at a time (netpoll.cpp serialises them).
  bool (*poll)(int64_t delay_ns, GList* to_run, int32_t* waiters_delta);
};

/// The io_uring backend (netpoll_uring.cpp).
extern const NetpollBackend kUringBackend;
/// The epoll backend (netpoll_epoll.cpp).
extern const NetpollBackend kEpollBackend;

}  // namespace gort::runtime
