// fd.cpp — Go's internal/poll.FD over the runtime's poller (gort/runtime/internal/netpoll.hpp).
//
// Each part mirrors golang/go src/internal/poll:
//   - the reference count and locks: fdMutex (fd_mutex.go, here FdMutex) with
//     FD's readLock / writeLock / incref / decref wrappers (fd_mutex.go);
//     one reader and one writer at a time, every operation holding a reference;
//   - Close (fd_unix.go FD.Close): increfAndClose marks the mutex closed,
//     poll_unblock (pollDesc.evict) wakes every goroutine parked in poll_wait
//     with kErrNetClosing, and the last reference dropped runs destroy
//     (poll_close, then close(2), then semrelease of csema_), so the number is
//     never reused while an operation is still using it; Close itself waits on
//     csema_ for that, as Go's does;
//   - Read / Write / Accept (fd_unix.go): try the system call first and only
//     on EAGAIN park in poll_wait, then retry (the poller's readiness is a
//     hint, not a promise); poll_reset first (pollDesc.prepare) so a closed
//     descriptor or a passed deadline fails before any system call;
//   - deadlines (fd_poll_runtime.go setDeadlineImpl) go to poll_set_deadline
//     under a reference; the conversion from wall-clock time is net.cpp's.
// Writes use send(2) with MSG_NOSIGNAL: a peer that has gone yields EPIPE as
// an error, never SIGPIPE (Go gets the same from its SIGPIPE handling).
#include "fd.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <gort/runtime/internal/sema.hpp>

namespace gort::net::poll {

namespace {

// Go's maxRW: a stream read or write asks for at most 1 GiB per system call
// (some kernels fail larger ones).
constexpr std::size_t kMaxRW = std::size_t{1} << 30;

/// poll_reset / poll_wait's outcome as an error (mirrors convertErr).
Errno convert(runtime::PollResult r) {
  switch (r) {
    case runtime::PollResult::Ready: return 0;
    case runtime::PollResult::Closing: return kErrNetClosing;
    case runtime::PollResult::Timeout: return kErrDeadlineExceeded;
  }
  return 0;
}

}  // namespace

Errno FD::init() {
  int err = 0;
  pd_ = runtime::poll_open(sysfd_, &err);
  return pd_ != nullptr ? 0 : err;
}

/// Runs an unlock method when the operation's scope ends (Go's defer).
template <void (FD::*Unlock)()>
struct FD::Unlocker {
  FD* fd;
  ~Unlocker() { (fd->*Unlock)(); }
};

// mirrors FD.incref / FD.decref
Errno FD::incref() { return fdmu_.incref() ? 0 : kErrNetClosing; }
void FD::decref() {
  if (fdmu_.decref()) destroy();
}

// mirrors FD.readLock / readUnlock / writeLock / writeUnlock
Errno FD::readLock() { return fdmu_.rwlock(true) ? 0 : kErrNetClosing; }
void FD::readUnlock() {
  if (fdmu_.rwunlock(true)) destroy();
}
Errno FD::writeLock() { return fdmu_.rwlock(false) ? 0 : kErrNetClosing; }
void FD::writeUnlock() {
  if (fdmu_.rwunlock(false)) destroy();
}

// mirrors FD.destroy: the last reference is gone, nobody can be in poll_wait.
void FD::destroy() {
  if (pd_ != nullptr) runtime::poll_close(pd_);
  pd_ = nullptr;
  ::close(sysfd_);
  sysfd_ = -1;
  runtime::semrelease(&csema_);
}

Errno FD::close() {
  if (!fdmu_.increfAndClose()) return kErrNetClosing;
  // Unblock any I/O; once it has returned, the final decref destroys.
  if (pd_ != nullptr) runtime::poll_unblock(pd_);
  decref();
  runtime::semacquire(&csema_, runtime::WaitReason::Semacquire);
  return 0;
}

IOResult FD::read(std::span<char> buf) {
  if (Errno e = readLock()) return {0, e};
  const Unlocker<&FD::readUnlock> unlock{this};
  if (buf.empty()) return {};
  if (Errno e = convert(runtime::poll_reset(pd_, runtime::PollMode::Read))) return {0, e};
  const std::size_t len = std::min(buf.size(), kMaxRW);
  for (;;) {
    const ssize_t n = ::read(sysfd_, buf.data(), len);
    if (n >= 0) return {static_cast<std::size_t>(n), 0};  // 0: end of stream (FD.eofError)
    if (errno == EINTR) continue;                         // ignoringEINTRIO
    if (errno != EAGAIN) return {0, errno};
    if (Errno e = convert(runtime::poll_wait(pd_, runtime::PollMode::Read))) return {0, e};
  }
}

IOResult FD::write(std::span<const char> data) {
  if (Errno e = writeLock()) return {0, e};
  const Unlocker<&FD::writeUnlock> unlock{this};
  if (Errno e = convert(runtime::poll_reset(pd_, runtime::PollMode::Write))) return {0, e};
  std::size_t nn = 0;
  for (;;) {
    const std::size_t len = std::min(data.size() - nn, kMaxRW);
    const ssize_t n = ::send(sysfd_, data.data() + nn, len, MSG_NOSIGNAL);
    if (n > 0) nn += static_cast<std::size_t>(n);
    if (nn == data.size()) return {nn, 0};
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (Errno e = convert(runtime::poll_wait(pd_, runtime::PollMode::Write))) return {nn, e};
      continue;
    }
    if (n < 0) return {nn, errno};
    if (n == 0) return {nn, kErrUnexpectedEOF};  // a stream send never returns 0
  }
}

int FD::accept(sockaddr_storage* sa, socklen_t* salen, Errno* err, const char** errcall) {
  *errcall = "";
  if ((*err = readLock()) != 0) return -1;
  const Unlocker<&FD::readUnlock> unlock{this};
  if ((*err = convert(runtime::poll_reset(pd_, runtime::PollMode::Read))) != 0) return -1;
  for (;;) {
    *salen = sizeof *sa;
    const int s = ::accept4(sysfd_, reinterpret_cast<sockaddr*>(sa), salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (s >= 0) return s;
    const int e = errno;
    if (e == EINTR || e == ECONNABORTED) continue;  // the peer gave up while queued: next one
    if (e == EAGAIN) {
      if ((*err = convert(runtime::poll_wait(pd_, runtime::PollMode::Read))) != 0) return -1;
      continue;
    }
    *err = e;
    *errcall = "accept4";
    return -1;
  }
}

Errno FD::wait_write() { return convert(runtime::poll_wait(pd_, runtime::PollMode::Write)); }

Errno FD::shutdown(int how) {
  if (Errno e = incref()) return e;
  const Errno e = ::shutdown(sysfd_, how) == 0 ? 0 : errno;
  decref();
  return e;
}

Errno FD::getsockopt_int(int level, int name, int* value) {
  if (Errno e = incref()) return e;
  socklen_t len = sizeof *value;
  const Errno e = ::getsockopt(sysfd_, level, name, value, &len) == 0 ? 0 : errno;
  decref();
  return e;
}

Errno FD::set_deadline(int64_t deadline_ns, runtime::PollMode mode) {
  if (Errno e = incref()) return e;
  if (pd_ != nullptr) runtime::poll_set_deadline(pd_, deadline_ns, mode);
  decref();
  return 0;
}

}  // namespace gort::net::poll
