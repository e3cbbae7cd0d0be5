// fd.hpp — Go's internal/poll.FD: a non-blocking socket whose operations park
// the goroutine on the runtime's poller.  The design is in fd.cpp.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include <gort/runtime/internal/netpoll.hpp>

#include "fd_mutex.hpp"

namespace gort::net::poll {

/// An operation's error: 0, an errno value, or one of the two errors of
/// internal/poll below (negative, so they never collide with errno).
using Errno = int;
inline constexpr Errno kErrNetClosing = -1;        // Go's ErrNetClosing
inline constexpr Errno kErrDeadlineExceeded = -2;  // Go's ErrDeadlineExceeded
inline constexpr Errno kErrUnexpectedEOF = -3;     // Go's io.ErrUnexpectedEOF

/// A count of bytes and the error that ended the operation.
struct IOResult {
  std::size_t n = 0;
  Errno err = 0;
};

class FD {
 public:
  /// Takes ownership of non-blocking socket fd (not yet registered).
  explicit FD(int fd) : sysfd_(fd) {}
  FD(const FD&) = delete;
  FD& operator=(const FD&) = delete;

  /// The descriptor, for system calls made while holding a reference.
  int sysfd() const { return sysfd_; }

  /// Registers the descriptor with the poller (mirrors FD.Init); 0 or an errno value.
  Errno init();

  /// Closes: wakes every goroutine waiting on the descriptor with
  /// kErrNetClosing and returns once the last operation using it is done and
  /// it is closed (mirrors FD.Close); kErrNetClosing if already closed.
  /// Precondition: called from a goroutine.
  Errno close();

  /// Reads at most buf.size() bytes, parking until some arrive (mirrors
  /// FD.Read); n == 0 with err == 0 is the end of the stream.
  IOResult read(std::span<char> buf);

  /// Writes all of data, parking while the socket buffer is full (mirrors
  /// FD.Write); err != 0 when it stopped short.  Never raises SIGPIPE.
  IOResult write(std::span<const char> data);

  /// Accepts a connection as a non-blocking, close-on-exec socket (mirrors
  /// FD.Accept); returns it, or -1 with *err and *errcall ("accept4") set.
  int accept(sockaddr_storage* sa, socklen_t* salen, Errno* err, const char** errcall);

  /// Parks until the descriptor is writable (mirrors FD.WaitWrite), for a
  /// non-blocking connect.  Precondition: init() succeeded.
  Errno wait_write();

  /// shutdown(2) under a reference (mirrors FD.Shutdown).
  Errno shutdown(int how);

  /// Reads an int socket option under a reference (mirrors FD.GetsockoptInt).
  Errno getsockopt_int(int level, int name, int* value);

  /// Sets the deadline of mode's direction(s) (mirrors setDeadlineImpl):
  /// deadline_ns on the runtime clock, 0 clears.
  Errno set_deadline(int64_t deadline_ns, runtime::PollMode mode);

 private:
  template <void (FD::*Unlock)()>
  struct Unlocker;
  Errno readLock();
  void readUnlock();
  Errno writeLock();
  void writeUnlock();
  Errno incref();
  void decref();
  void destroy();

  int sysfd_;
  runtime::PollDesc* pd_ = nullptr;
  FdMutex fdmu_;
  // Close waits on it for destroy (Go's FD.csema).
  std::atomic<uint32_t> csema_{0};
};

}  // namespace gort::net::poll
