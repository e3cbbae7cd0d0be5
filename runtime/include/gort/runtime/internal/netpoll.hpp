// gort/runtime/internal/netpoll.hpp — the network poller's interface, for net/.
//
// Mirrors the poll_runtime_* functions of golang/go src/runtime/netpoll.go,
// which Go's internal/poll (fd_poll_runtime.go) calls: a descriptor is
// registered once (poll_open), I/O tries the system call first and, on EAGAIN,
// parks the goroutine in poll_wait until the poller sees the descriptor ready,
// its deadline passes or it is closed (poll_unblock).  The reference count that
// keeps a descriptor open while an operation uses it (Go's fdMutex) is the
// caller's: poll_close is called once no goroutine can use the descriptor.
// The design and the two backends (io_uring, epoll) are described in
// runtime/src/netpoll.cpp.
#pragma once

#include <cstdint>

namespace gort::runtime {

/// A registered descriptor's poll state (Go's pollDesc).  Opaque to callers;
/// records are recycled, never freed, so a late event for a closed descriptor
/// lands in a record that can tell it is stale.
struct PollDesc;

/// The direction a goroutine waits for.
enum class PollMode : uint8_t {
  Read,   // Go's 'r'
  Write,  // Go's 'w'
  Both,   // Go's 'r'+'w', for deadlines only
};

/// Outcome of poll_reset / poll_wait (mirrors pollNoError, pollErrClosing,
/// pollErrTimeout in netpoll.go).
enum class PollResult : uint8_t {
  Ready,    // the descriptor may be ready: retry the system call
  Closing,  // poll_unblock was called: Go's ErrNetClosing ("use of closed network connection")
  Timeout,  // this direction's deadline has passed: Go's ErrDeadlineExceeded ("i/o timeout")
};

/// Registers non-blocking descriptor fd with the poller for both directions
/// (mirrors poll_runtime_pollOpen); returns null with *err set to an errno value
/// when the backend refuses it.  Precondition: fd is open and non-blocking.
PollDesc* poll_open(int fd, int* err);

/// Deregisters pd and recycles it (mirrors poll_runtime_pollClose); the caller
/// closes the descriptor after this returns.  Preconditions: poll_unblock(pd)
/// was called and no goroutine is in poll_wait on pd.
void poll_close(PollDesc* pd);

/// Prepares a wait in `mode` (mirrors poll_runtime_pollReset): Ready when the
/// caller may go on to try the system call, else why not.
PollResult poll_reset(PollDesc* pd, PollMode mode);

/// Parks the calling goroutine until pd may be ready in `mode` (Read or Write),
/// its deadline passes or it is closed (mirrors poll_runtime_pollWait); the
/// goroutine shows as `[IO wait]`.  At most one goroutine waits per direction
/// (the caller serialises readers and writers, as Go's fdMutex does).
/// Precondition: called from a goroutine.
PollResult poll_wait(PollDesc* pd, PollMode mode);

/// Sets the deadline of one or both directions (mirrors
/// poll_runtime_pollSetDeadline): `deadline_ns` is on the runtime clock
/// (nanotime_now in gort/runtime/internal/timer.hpp), 0 clears it, and a value not after now makes waits in
/// that direction fail with Timeout at once, waking a goroutine that waits.
void poll_set_deadline(PollDesc* pd, int64_t deadline_ns, PollMode mode);

/// Marks pd closing and wakes every goroutine waiting on it (mirrors
/// poll_runtime_pollUnblock); later waits return Closing.
void poll_unblock(PollDesc* pd);

/// The backend in force: "uring" or "epoll" (GODEBUG=netpoll chooses; see netpoll.cpp).
/// Precondition: the runtime has started (gort::run).
const char* netpoll_backend_name();

}  // namespace gort::runtime
