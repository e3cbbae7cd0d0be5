// netpoll_uring.cpp — the io_uring backend, gort's default (netpoll.cpp has the
// model and why the ring is shared by every M).
//
// One ring per process.  Each registered descriptor has one multishot POLL_ADD
// (POLLIN | POLLOUT | POLLRDHUP) armed for its whole life: every wake-up of the
// socket posts a completion carrying the PollDesc tag and the ready mask — the
// edge-triggered readiness Go's epoll registration gives, so netpoll.cpp does
// not know which backend it runs on.  The break descriptor (netpoll.cpp's
// eventfd) has a multishot poll of its own.
//
// Where the kernel's work for an event runs.  A wake-up of a polled socket does
// not post the completion itself: it queues task work to the thread that
// submitted the poll, and that thread posts it.  By default the kernel
// interrupts that thread at once to run it (an inter-processor interrupt, which
// in a VM goes through the hypervisor): measured on Machine A, 64-byte echo
// with 64 connections, 16-19 µs of server CPU per message against epoll's 7-9.
// The ring is therefore set up with IORING_SETUP_COOP_TASKRUN (Linux 5.19): the
// task work waits for the submitting thread's next entry into the kernel (a
// system call, or the timer tick's interrupt for a thread that computes), and a
// submitter asleep (an idle M on its futex, an M in a blocking call's poll(2)
// or read(2), the M blocked in this ring) is still woken for it — so nothing
// waits for ever, and a busy M, which makes system calls all the time, runs it
// without being interrupted: about 10.5 µs per message
// (bench/results/2026-12-06-net.md).  Only an uninterruptible sleep (a vfork
// parent until its child execs) holds the work back until it ends, flag or no
// flag.  Older kernels refuse the flag and get the ring without it.
//
// Start-up probe (uring_init): the ring is set up with a completion queue of
// kCqEntries; the kernel must offer IORING_FEAT_EXT_ARG (a wait with a timeout
// that needs no submission, so only submitters touch the submission queue),
// IORING_FEAT_NODROP (completions are never dropped when the queue is full:
// they wait in the kernel's overflow list, which the next poll flushes) and the
// POLL_ADD and ASYNC_CANCEL opcodes; multishot poll (Linux 5.13) is proven by
// arming the break eventfd, writing it and waiting for a completion that says
// more will follow.  Any failure — seccomp's EPERM (Docker's default profile),
// ENOMEM under a low RLIMIT_MEMLOCK, ENOSYS on an old kernel — is the reason
// netpoll.cpp prints when it falls back to epoll.
//
// Submissions (open, close, re-arm) come from any thread and go in at once
// under sq_lock; the poller never holds it while it waits.  A multishot poll
// can end (the kernel could not post a completion, or the descriptor was
// closed): a completion without IORING_CQE_F_MORE.  For a registration still
// live the poll is armed again and both directions are reported ready, so a
// goroutine that waited retries its system call; arming polls the current
// state, so no edge falls between the two polls.  Close submits an ASYNC_CANCEL
// for the tag at once, so the ring drops its reference to the file (at once,
// or when a wake-up in progress has run) and the socket really closes after
// close(2); the removed poll's last completion
// carries a stale tag by the time it is read and is dropped.
#include <liburing.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "crash.hpp"
#include "lock_futex.hpp"
#include "netpoll_backend.hpp"

namespace gort::runtime {

namespace {

/// Submission queue entries: submissions are one per open, close or re-arm and
/// go in at once, so a few are enough; a full queue is submitted and retried.
constexpr unsigned kSqEntries = 64;
/// Completion queue entries: a poll drains it, but between two polls every
/// live descriptor can post several completions (read and write edges); 16 Ki
/// covers 10,000 busy connections before completions spill into the kernel's
/// overflow list (slower, never lost: IORING_FEAT_NODROP).
constexpr unsigned kCqEntries = 16384;
/// Completions taken per poll, as Go's netpoll takes 128 epoll events (the
/// epoll backend too): the rest wait in the queue for the next poll.  Taking
/// them all at once (1,000 busy connections) overflows the P's run queue
/// (256 slots), and an overflow moves the older half of it to the global queue
/// behind the newer goroutines; io_uring's p99 at 1,000 connections was
/// 1.2-1.6× epoll's when every poll drained the queue.
constexpr unsigned kBatch = 128;
/// user_data of the cancel submitted at close, whose completions say nothing.
constexpr uint64_t kRemoveTag = 2;
/// The readiness every registration asks for.
constexpr unsigned kPollMask = POLLIN | POLLOUT | POLLRDHUP;

io_uring ring;
Lock sq_lock;

/// Submits what is queued, retrying while the kernel is interrupted or busy.
/// Caller holds sq_lock.
void submit_locked() {
  for (;;) {
    const int r = io_uring_submit(&ring);
    if (r >= 0) return;
    if (r != -EINTR && r != -EAGAIN && r != -EBUSY) gothrow("runtime: io_uring_submit failed");
  }
}

/// Takes a submission slot, submitting what is queued if the queue is full.
/// Caller holds sq_lock.
io_uring_sqe* get_sqe() {
  for (;;) {
    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring)) return sqe;
    submit_locked();
  }
}

/// Arms a multishot poll of fd for mask under tag.
void arm(int fd, unsigned mask, uint64_t tag) {
  LockGuard g(sq_lock);
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_poll_multishot(sqe, fd, mask);
  io_uring_sqe_set_data64(sqe, tag);
  submit_locked();
}

/// Arms a registered descriptor's readiness poll (netpoll_rearm's callback too).
void arm_poll(int fd, uint64_t tag) { arm(fd, kPollMask, tag); }

void arm_break() { arm(netpoll_break_fd(), POLLIN, kBreakTag); }

bool fail(std::string* why, const char* what, int err) {
  *why = std::string(what) + ": " + std::strerror(err);
  return false;
}

/// Proves multishot poll: the break eventfd's poll must post a completion that
/// says more will follow.  Waits at most a second (it completes at once).
bool probe_multishot(std::string* why) {
  arm_break();
  netpoll_break_write();
  __kernel_timespec ts{1, 0};
  io_uring_cqe* cqe = nullptr;
  const int r = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
  if (r < 0) return fail(why, "io_uring: multishot poll probe", -r);
  const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  const int res = cqe->res;
  io_uring_cqe_seen(&ring, cqe);
  netpoll_break_drain();
  if (res < 0) return fail(why, "io_uring: multishot poll", -res);
  if (!more) {
    *why = "io_uring: multishot poll unsupported (Linux 5.13 or later needed)";
    return false;
  }
  return true;
}

bool uring_init(std::string* why) {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_COOP_TASKRUN;
  p.cq_entries = kCqEntries;
  int r = io_uring_queue_init_params(kSqEntries, &ring, &p);
  if (r == -EINVAL) {  // before Linux 5.19: no COOP_TASKRUN, an interrupt per wake-up
    p = io_uring_params{};
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
    p.cq_entries = kCqEntries;
    r = io_uring_queue_init_params(kSqEntries, &ring, &p);
  }
  if (r < 0) return fail(why, "io_uring_setup", -r);
  auto refuse = [&](const char* what) {
    *why = what;
    io_uring_queue_exit(&ring);
    return false;
  };
  if ((p.features & IORING_FEAT_EXT_ARG) == 0) return refuse("io_uring: no IORING_FEAT_EXT_ARG (Linux 5.11 or later needed)");
  if ((p.features & IORING_FEAT_NODROP) == 0) return refuse("io_uring: no IORING_FEAT_NODROP (Linux 5.5 or later needed)");
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  if (probe == nullptr) return refuse("io_uring: opcode probe refused (Linux 5.6 or later needed)");
  const bool ops = io_uring_opcode_supported(probe, IORING_OP_POLL_ADD) &&
                   io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL);
  io_uring_free_probe(probe);
  if (!ops) return refuse("io_uring: POLL_ADD or ASYNC_CANCEL unsupported");
  if (!probe_multishot(why)) {
    io_uring_queue_exit(&ring);
    netpoll_break_drain();  // the epoll backend starts with it empty
    return false;
  }
  return true;
}

// mirrors netpollopen
int uring_open(int fd, uint64_t tag) {
  arm_poll(fd, tag);
  return 0;
}

// mirrors netpollclose: the removal is submitted now, before close(2).  It is
// an ASYNC_CANCEL, not a POLL_REMOVE: POLL_REMOVE fails with EALREADY while
// the poll is being woken (its task work pending), and the poll then stays
// armed for ever, holding the file, so close(2) never closes the socket and
// the peer never sees the FIN.  A cancel marks the poll cancelled even then.
void uring_close(int, uint64_t tag) {
  LockGuard g(sq_lock);
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_cancel64(sqe, tag, 0);
  io_uring_sqe_set_data64(sqe, kRemoveTag);
  submit_locked();
}

/// Handles one completion; returns true if it was the break.
bool handle(const io_uring_cqe* cqe, GList* to_run, int32_t* waiters_delta) {
  const uint64_t tag = cqe->user_data;
  if (tag == kRemoveTag) return false;
  const bool ended = (cqe->flags & IORING_CQE_F_MORE) == 0;
  if (tag == kBreakTag) {
    netpoll_break_drain();
    if (ended) arm_break();
    return true;
  }
  PollEvent pe{};
  pe.tag = tag;
  if (cqe->res >= 0) {
    const unsigned mask = static_cast<unsigned>(cqe->res);
    pe.read = (mask & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)) != 0;
    pe.write = (mask & (POLLOUT | POLLHUP | POLLERR)) != 0;
    pe.error = (mask & POLLERR) != 0;
  }
  if (ended) {
    // Poll again if the registration is live, and report both directions so a
    // goroutine that waited retries its system call.
    if (!netpoll_rearm(tag, &arm_poll)) return false;  // removed at close, or recycled since
    pe.read = pe.write = true;
  }
  netpoll_deliver(pe, to_run, waiters_delta);
  return false;
}

// mirrors netpoll
bool uring_poll(int64_t delay_ns, GList* to_run, int32_t* waiters_delta) {
  io_uring_cqe* cqe = nullptr;
  if (delay_ns != 0) {
    int r;
    if (delay_ns < 0) {
      r = io_uring_wait_cqe(&ring, &cqe);
    } else {
      __kernel_timespec ts{delay_ns / 1'000'000'000, delay_ns % 1'000'000'000};
      r = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
    }
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN) gothrow("runtime: netpoll: io_uring wait failed");
  }
  bool woke = false;
  io_uring_cqe* batch[kBatch];
  const unsigned n = io_uring_peek_batch_cqe(&ring, batch, kBatch);
  for (unsigned i = 0; i < n; ++i) woke |= handle(batch[i], to_run, waiters_delta);
  io_uring_cq_advance(&ring, n);
  return woke;
}

}  // namespace

const NetpollBackend kUringBackend = {"uring", &uring_init, &uring_open, &uring_close, &uring_poll};

}  // namespace gort::runtime
