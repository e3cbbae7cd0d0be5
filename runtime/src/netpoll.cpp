// netpoll.cpp — the network poller (mirrors golang/go src/runtime/netpoll.go and
// the netpoll calls of proc.go).
//
// The model is Go's.  Each descriptor net/ opens is registered once, for both
// directions, edge-triggered (poll_open).  Its PollDesc has one slot per
// direction (rg, wg) holding nothing, "ready" (an edge arrived while nobody
// waited), "wait" (a goroutine is on its way to park) or the parked G.  I/O
// always tries the system call first; only on EAGAIN does net/ call poll_wait,
// which parks the goroutine `[IO wait]` until the poller sees an edge
// (netpoll_deliver, Go's netpollready), the direction's deadline passes
// (deadline_fired, Go's netpolldeadlineimpl) or the descriptor is closed
// (poll_unblock).  A ready edge that arrives before the goroutine parks is kept
// in the slot, so no wake-up is lost between the EAGAIN and the park
// (netpollblock / netpollblockcommit).
//
// Who polls (proc.cpp, sysmon.cpp, stw.cpp):
//   - find_runnable polls without blocking before it steals, when goroutines
//     wait on the network (Go's findrunnable);
//   - an M that finds nothing to run, once its P is back on the idle list,
//     blocks in the poller until the earliest timer of any P, if no other M
//     already does (sched.lastpoll == 0 says one does; sched.poll_until is when
//     it wakes).  This replaces a futex sleep until the next timer: a sleeping
//     program's one busy thread sleeps in the poller, as Go's does;
//   - netpoll_break wakes that M early: a timer added earlier than poll_until
//     (timers.cpp wake_for_timer, Go's wakeNetPoller), shutdown;
//   - sysmon polls when nobody has for 10 ms, and start_the_world polls once,
//     as Go's startTheWorldWithSema does;
//   - handoffp starts an M for the last running P when no M is in the poller
//     (a P taken back from a blocking call), so that, as in Go, while every P
//     is idle and goroutines wait on the network one M is always in the
//     poller: sysmon sleeps for good then.  A goroutine that parks and whose
//     M switches straight to the next goroutine passes through no
//     find_runnable, and that goroutine's blocking call was such a case.
// Goroutines the poller readies are injected as Go's injectglist does (on the
// global queue with one M started per idle P, the rest on the caller's P).
// One poll runs at a time (poll_lock): a non-blocking poll that finds the lock
// held skips, since whoever holds it delivers every event anyway.  Go lets
// several Ms call epoll_wait at once; io_uring's completion queue has one
// consumer, and one rule for both backends keeps them interchangeable.
//
// Backends (netpoll_backend.hpp).  io_uring is the default: one ring for the
// process, in which each descriptor has one multishot POLL_ADD armed for its
// whole life — readiness, not completion, so Go's try-then-park model and its
// deadline and close semantics carry over unchanged.  Ring ownership: the ring
// is shared, not one per M.  A registration outlives any M (goroutines migrate,
// Ps move between Ms at every blocking-call hand-off), completions must reach
// whichever M polls next, and submissions are rare (one per descriptor opened,
// one per close, one re-arm when the kernel ends a multishot poll), so they go
// straight in under a lock from whatever thread makes them.  SINGLE_ISSUER
// rings (one per M) were rejected for that reason: a registration made on the
// M of a goroutine that then migrates would complete on a ring nobody may be
// polling.  epoll (GODEBUG=netpoll=epoll, or automatically when io_uring is
// refused) is Go's own backend.  Which one runs is decided once per process,
// at the first gort::run, and printed in schedtrace's detail output.
//
// Closing (net/'s fdMutex keeps the descriptor open while any operation uses
// it): poll_unblock marks the PollDesc closing and wakes both directions with
// Closing; poll_close deregisters (io_uring: an ASYNC_CANCEL submitted at once,
// so the ring's reference to the file goes before close(2)), bumps the
// descriptor's sequence and recycles the record.  Events carry a tag of the
// record's address and sequence; a late event for a recycled record fails the
// sequence check and is dropped, and records are never freed (Go's pollCache),
// so a late event never touches freed memory.
//
// Waiter count.  netpoll_waiters counts goroutines parked in poll_wait; the
// scheduler polls only while it is non-zero, and checkdead does not declare a
// deadlock while it is (a server in accept runs forever).  Go 1.19 never
// decremented it for goroutines the poller readied; this follows Go 1.22,
// where netpoll returns the change and the caller applies it only after the
// goroutines are runnable (netpoll_adjust_waiters): sysmon is no M, so while
// it injects what it polled the last M may go idle and run checkdead, which
// must then see those goroutines as waiting on the network or runnable, never
// as neither (NetTest.TenThousandConnectionsAtOnce died of that once under
// TSAN: "all goroutines are asleep", the dump showing main runnable).
#include <gort/runtime/internal/netpoll.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gort/runtime/internal/timer.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "crash.hpp"
#include "lock_futex.hpp"
#include "env.hpp"
#include "nanotime.hpp"
#include "netpoll_backend.hpp"
#include "netpoll_sched.hpp"
#include "sched.hpp"

#if defined(GORT_TSAN)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace gort::runtime {

namespace {

/// A registration's tag reaches the poller through the kernel (epoll_ctl to
/// epoll_wait, a submission to its completion), which orders the two threads
/// but which TSAN cannot see: these tell it.
void kernel_handoff_release([[maybe_unused]] PollDesc* pd) {
#if defined(GORT_TSAN)
  __tsan_release(pd);
#endif
}
void kernel_handoff_acquire([[maybe_unused]] PollDesc* pd) {
#if defined(GORT_TSAN)
  __tsan_acquire(pd);
#endif
}

/// rg/wg values other than a G pointer (Go's pdNil, pdReady, pdWait).
constexpr uintptr_t kPdNil = 0;
constexpr uintptr_t kPdReady = 1;
constexpr uintptr_t kPdWait = 2;

/// Tags pack the record's address (x86-64 user space: below 2^47) and the low
/// 16 bits of its sequence; a stale tag would need 65,536 reuses of one record
/// while its old event is still queued.
constexpr int kTagSeqShift = 48;
constexpr uint64_t kTagAddrMask = (uint64_t{1} << kTagSeqShift) - 1;

}  // namespace

struct PollDesc {
  /// Next free record in the cache (under PollCache::lock).
  PollDesc* link = nullptr;
  /// Go's pd.lock: serialises deadline changes, their timers and closing.
  Lock lock;
  /// The descriptor while registered, -1 otherwise.
  int fd = -1;
  /// Bumped at every poll_close; the tag of a registration carries it.
  std::atomic<uint16_t> fdseq{0};
  /// Set by poll_unblock; waits then fail with Closing.
  std::atomic<bool> closing{false};
  /// Read and write slots: kPdNil, kPdReady, kPdWait or the waiting G.
  std::atomic<uintptr_t> rg{kPdNil};
  std::atomic<uintptr_t> wg{kPdNil};
  /// Deadlines on the runtime clock: 0 none, -1 passed, else when (written under lock).
  std::atomic<int64_t> rd{0};
  std::atomic<int64_t> wd{0};
  /// Deadline timer generations (under lock): a timer armed for an older
  /// generation finds them changed and does nothing (Go's rseq/wseq).
  uintptr_t rseq = 0;
  uintptr_t wseq = 0;
  /// Deadline timers; rt serves both directions while rd == wd (Go's combo).
  RuntimeTimer rt;
  RuntimeTimer wt;
  /// Whether rt / wt have been set up (Go tests rt.f != nil).  Under lock.
  bool rt_set = false;
  bool wt_set = false;

  uint64_t tag() const {
    return (reinterpret_cast<uint64_t>(this) & kTagAddrMask) |
           (uint64_t{fdseq.load(std::memory_order_acquire)} << kTagSeqShift);
  }
};

namespace {

/// Records are allocated in blocks and never freed (mirrors pollCache).
constexpr std::size_t kPollBlock = 64;

struct PollCache {
  Lock lock;
  PollDesc* first = nullptr;
  /// Every record ever made, for the teardown walk (netpoll_abandon_waiters).
  std::vector<PollDesc*> all;
};

PollCache& poll_cache() {
  static PollCache* c = new PollCache();  // outlives every static destructor: late events may still read it
  return *c;
}

PollDesc* pollcache_alloc() {
  PollCache& c = poll_cache();
  LockGuard g(c.lock);
  if (c.first == nullptr) {
    auto* block = new PollDesc[kPollBlock];
    for (std::size_t i = 0; i < kPollBlock; ++i) {
      block[i].link = c.first;
      c.first = &block[i];
      c.all.push_back(&block[i]);
    }
  }
  PollDesc* pd = c.first;
  c.first = pd->link;
  return pd;
}

void pollcache_free(PollDesc* pd) {
  PollCache& c = poll_cache();
  LockGuard g(c.lock);
  pd->link = c.first;
  c.first = pd;
}

const NetpollBackend* backend = nullptr;
std::once_flag init_once;
/// Serialises polls: io_uring's completion queue has one consumer.
std::atomic<bool> poll_busy{false};
/// Coalesces netpoll_break calls until a poll consumes the wake-up (Go's netpollWakeSig).
std::atomic<uint32_t> wake_sig{0};
/// Goroutines parked in poll_wait (Go's netpollWaiters).
std::atomic<int32_t> waiters{0};

std::atomic<uintptr_t>& slot(PollDesc* pd, PollMode mode) { return mode == PollMode::Read ? pd->rg : pd->wg; }

/// mirrors netpollcheckerr
PollResult check_err(PollDesc* pd, PollMode mode) {
  if (pd->closing.load(std::memory_order_acquire)) return PollResult::Closing;
  const int64_t d = (mode == PollMode::Read ? pd->rd : pd->wd).load(std::memory_order_acquire);
  if (d < 0) return PollResult::Timeout;
  return PollResult::Ready;
}

/// mirrors netpollblockcommit: publishes the parked G in its slot.
bool block_commit(G* gp, void* arg) {
  auto* gpp = static_cast<std::atomic<uintptr_t>*>(arg);
  uintptr_t expected = kPdWait;
  if (!gpp->compare_exchange_strong(expected, reinterpret_cast<uintptr_t>(gp), std::memory_order_acq_rel)) {
    return false;  // readied (kPdReady) or cancelled between kPdWait and here
  }
  waiters.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

/// mirrors netpollblock: true if I/O is ready, false on deadline or close.
bool block(PollDesc* pd, PollMode mode) {
  std::atomic<uintptr_t>& gpp = slot(pd, mode);
  for (;;) {
    uintptr_t v = kPdReady;
    if (gpp.compare_exchange_strong(v, kPdNil, std::memory_order_acq_rel)) return true;
    v = kPdNil;
    if (gpp.compare_exchange_strong(v, kPdWait, std::memory_order_acq_rel)) break;
    if (v != kPdReady && v != kPdNil) gothrow("runtime: double wait");
  }
  // Re-check after publishing kPdWait: poll_unblock and the deadline timer
  // store closing / the deadline, then read the slot (Go's ordering).
  if (check_err(pd, mode) == PollResult::Ready) park(WaitReason::IOWait, &block_commit, &gpp);
  const uintptr_t old = gpp.exchange(kPdNil, std::memory_order_acq_rel);
  if (old > kPdWait) gothrow("runtime: corrupted polldesc");
  return old == kPdReady;
}

/// mirrors netpollunblock: takes the waiting G out of a slot (null if none);
/// ioready leaves kPdReady behind for a goroutine that has not parked yet.
G* unblock(PollDesc* pd, PollMode mode, bool ioready) {
  std::atomic<uintptr_t>& gpp = slot(pd, mode);
  for (;;) {
    uintptr_t old = gpp.load(std::memory_order_acquire);
    if (old == kPdReady) return nullptr;
    if (old == kPdNil && !ioready) return nullptr;  // only an edge is remembered
    const uintptr_t next = ioready ? kPdReady : kPdNil;
    if (gpp.compare_exchange_strong(old, next, std::memory_order_acq_rel)) {
      if (old == kPdWait || old == kPdNil) return nullptr;
      return reinterpret_cast<G*>(old);
    }
  }
}

/// Readies a G taken from a slot outside a poll (mirrors netpollgoready and
/// Go 1.22's netpollAdjustWaiters after it): the count drops only once the G
/// is runnable, so checkdead never sees it neither waiting on the network nor
/// runnable.
void goready_from_poll(G* gp) {
  ready(gp);
  waiters.fetch_sub(1, std::memory_order_acq_rel);
}

/// The deadline timers' function (mirrors netpolldeadlineimpl); seq is the
/// generation the timer was armed for.
void deadline_fired(PollDesc* pd, uintptr_t seq, bool read, bool write) {
  G* rg = nullptr;
  G* wg = nullptr;
  {
    LockGuard g(pd->lock);
    if (seq != (read ? pd->rseq : pd->wseq)) return;  // the deadline changed since
    if (read) {
      if (pd->rd.load(std::memory_order_relaxed) <= 0 || !pd->rt_set) gothrow("runtime: inconsistent read deadline");
      pd->rd.store(-1, std::memory_order_release);
      rg = unblock(pd, PollMode::Read, false);
    }
    if (write) {
      if (pd->wd.load(std::memory_order_relaxed) <= 0 || (!pd->wt_set && !read)) {
        gothrow("runtime: inconsistent write deadline");
      }
      pd->wd.store(-1, std::memory_order_release);
      wg = unblock(pd, PollMode::Write, false);
    }
  }
  if (rg != nullptr) goready_from_poll(rg);
  if (wg != nullptr) goready_from_poll(wg);
}

void read_deadline_fired(void* arg, uintptr_t seq, int64_t) {
  deadline_fired(static_cast<PollDesc*>(arg), seq, true, false);
}
void write_deadline_fired(void* arg, uintptr_t seq, int64_t) {
  deadline_fired(static_cast<PollDesc*>(arg), seq, false, true);
}
void deadline_both_fired(void* arg, uintptr_t seq, int64_t) {
  deadline_fired(static_cast<PollDesc*>(arg), seq, true, true);
}

/// (Re)arms or disarms one deadline timer for generation seq.  Caller holds pd->lock.
void set_deadline_timer(PollDesc* pd, RuntimeTimer* t, bool* set, int64_t when, TimerFn f, uintptr_t seq) {
  if (*set) deltimer(t);  // a firing in progress finds the generation changed
  if (when <= 0) {
    *set = false;
    return;
  }
  t->when = when;
  t->period = 0;
  t->f = f;
  t->arg = pd;
  t->seq = seq;
  *set = true;
  addtimer(t);
}

/// The break descriptor (netpoll_backend.hpp).
int breakfd = -1;

/// The backend GODEBUG=netpoll asks for, falling back to epoll (with one line
/// saying why) when io_uring is refused, unless netpoll=uring insists.
void init_backend() {
  breakfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (breakfd < 0) {
    std::fprintf(stderr, "runtime: netpoll: eventfd: %s\n", std::strerror(errno));
    std::fflush(stderr);
    _exit(2);
  }
  std::string why;
  if (debug.netpoll != NetpollChoice::Epoll) {
    if (kUringBackend.init(&why)) {
      backend = &kUringBackend;
      return;
    }
    if (debug.netpoll == NetpollChoice::Uring) {
      std::fprintf(stderr, "runtime: GODEBUG=netpoll=uring: %s\n", why.c_str());
      std::fflush(stderr);
      _exit(2);
    }
    std::fprintf(stderr, "runtime: netpoll: %s; using epoll\n", why.c_str());
  }
  if (!kEpollBackend.init(&why)) {
    std::fprintf(stderr, "runtime: netpoll: %s\n", why.c_str());
    std::fflush(stderr);
    _exit(2);
  }
  backend = &kEpollBackend;
}

}  // namespace

// ---- the interface net/ uses (gort/runtime/internal/netpoll.hpp) ----

// mirrors poll_runtime_pollOpen
PollDesc* poll_open(int fd, int* err) {
  PollDesc* pd = pollcache_alloc();
  {
    LockGuard g(pd->lock);
    const uintptr_t rg = pd->rg.load(std::memory_order_relaxed);
    const uintptr_t wg = pd->wg.load(std::memory_order_relaxed);
    if ((rg != kPdNil && rg != kPdReady) || (wg != kPdNil && wg != kPdReady)) {
      gothrow("runtime: blocked read or write on free polldesc");
    }
    pd->fd = fd;
    pd->closing.store(false, std::memory_order_relaxed);
    ++pd->rseq;
    pd->rg.store(kPdNil, std::memory_order_relaxed);
    pd->rd.store(0, std::memory_order_relaxed);
    ++pd->wseq;
    pd->wg.store(kPdNil, std::memory_order_relaxed);
    pd->wd.store(0, std::memory_order_relaxed);
  }
  kernel_handoff_release(pd);
  const int e = backend->open(fd, pd->tag());
  if (e != 0) {
    pd->closing.store(true, std::memory_order_release);
    pd->fdseq.fetch_add(1, std::memory_order_acq_rel);
    pollcache_free(pd);
    *err = e;
    return nullptr;
  }
  return pd;
}

// mirrors poll_runtime_pollClose
void poll_close(PollDesc* pd) {
  if (!pd->closing.load(std::memory_order_acquire)) gothrow("runtime: close polldesc w/o unblock");
  const uintptr_t wg = pd->wg.load(std::memory_order_acquire);
  if (wg != kPdNil && wg != kPdReady) gothrow("runtime: blocked write on closing polldesc");
  const uintptr_t rg = pd->rg.load(std::memory_order_acquire);
  if (rg != kPdNil && rg != kPdReady) gothrow("runtime: blocked read on closing polldesc");
  {
    LockGuard g(pd->lock);  // against a re-arm of this registration (netpoll_rearm)
    backend->close(pd->fd, pd->tag());
    pd->fdseq.fetch_add(1, std::memory_order_acq_rel);  // late events for this registration are now stale
    pd->fd = -1;
  }
  pollcache_free(pd);
}

// mirrors poll_runtime_pollReset
PollResult poll_reset(PollDesc* pd, PollMode mode) {
  const PollResult r = check_err(pd, mode);
  if (r != PollResult::Ready) return r;
  slot(pd, mode).store(kPdNil, std::memory_order_release);
  return PollResult::Ready;
}

// mirrors poll_runtime_pollWait
PollResult poll_wait(PollDesc* pd, PollMode mode) {
  PollResult r = check_err(pd, mode);
  if (r != PollResult::Ready) return r;
  while (!block(pd, mode)) {
    r = check_err(pd, mode);
    if (r != PollResult::Ready) return r;
    // A deadline fired and was reset before this goroutine ran: wait again.
  }
  return PollResult::Ready;
}

// mirrors poll_runtime_pollSetDeadline (with an absolute deadline: Go's takes
// a duration from now)
void poll_set_deadline(PollDesc* pd, int64_t deadline_ns, PollMode mode) {
  G* rg = nullptr;
  G* wg = nullptr;
  {
    LockGuard g(pd->lock);
    if (pd->closing.load(std::memory_order_relaxed)) return;
    int64_t d = deadline_ns;
    if (d != 0 && d <= nanotime()) d = -1;
    const int64_t rd0 = pd->rd.load(std::memory_order_relaxed);
    const int64_t wd0 = pd->wd.load(std::memory_order_relaxed);
    const bool combo0 = rd0 > 0 && rd0 == wd0;
    if (mode != PollMode::Write) pd->rd.store(d, std::memory_order_release);
    if (mode != PollMode::Read) pd->wd.store(d, std::memory_order_release);
    const int64_t rd = pd->rd.load(std::memory_order_relaxed);
    const int64_t wd = pd->wd.load(std::memory_order_relaxed);
    const bool combo = rd > 0 && rd == wd;
    if (rd != rd0 || combo != combo0) {
      ++pd->rseq;
      set_deadline_timer(pd, &pd->rt, &pd->rt_set, rd, combo ? &deadline_both_fired : &read_deadline_fired,
                         pd->rseq);
    }
    if (wd != wd0 || combo != combo0) {
      ++pd->wseq;
      set_deadline_timer(pd, &pd->wt, &pd->wt_set, combo ? 0 : wd, &write_deadline_fired, pd->wseq);
    }
    // A deadline in the past wakes the goroutine waiting in that direction now.
    if (rd < 0) rg = unblock(pd, PollMode::Read, false);
    if (wd < 0) wg = unblock(pd, PollMode::Write, false);
  }
  if (rg != nullptr) goready_from_poll(rg);
  if (wg != nullptr) goready_from_poll(wg);
}

// mirrors poll_runtime_pollUnblock
void poll_unblock(PollDesc* pd) {
  G* rg = nullptr;
  G* wg = nullptr;
  {
    LockGuard g(pd->lock);
    if (pd->closing.load(std::memory_order_relaxed)) gothrow("runtime: unblock on closing polldesc");
    pd->closing.store(true, std::memory_order_release);
    ++pd->rseq;
    ++pd->wseq;
    rg = unblock(pd, PollMode::Read, false);
    wg = unblock(pd, PollMode::Write, false);
    if (pd->rt_set) {
      deltimer(&pd->rt);
      pd->rt_set = false;
    }
    if (pd->wt_set) {
      deltimer(&pd->wt);
      pd->wt_set = false;
    }
  }
  if (rg != nullptr) goready_from_poll(rg);
  if (wg != nullptr) goready_from_poll(wg);
}

const char* netpoll_backend_name() { return backend != nullptr ? backend->name : "none"; }

// ---- what the backends call ----

// mirrors netpollready
void netpoll_deliver(const PollEvent& ev, GList* to_run, int32_t* waiters_delta) {
  auto* pd = reinterpret_cast<PollDesc*>(ev.tag & kTagAddrMask);
  kernel_handoff_acquire(pd);
  if (static_cast<uint16_t>(ev.tag >> kTagSeqShift) != pd->fdseq.load(std::memory_order_acquire)) return;
  if (ev.read) {
    if (G* gp = unblock(pd, PollMode::Read, true)) {
      to_run->push(gp);
      --*waiters_delta;
    }
  }
  if (ev.write) {
    if (G* gp = unblock(pd, PollMode::Write, true)) {
      to_run->push(gp);
      --*waiters_delta;
    }
  }
}

bool netpoll_rearm(uint64_t tag, void (*arm)(int fd, uint64_t tag)) {
  auto* pd = reinterpret_cast<PollDesc*>(tag & kTagAddrMask);
  kernel_handoff_acquire(pd);
  LockGuard g(pd->lock);  // poll_close deregisters under it
  if (static_cast<uint16_t>(tag >> kTagSeqShift) != pd->fdseq.load(std::memory_order_acquire) ||
      pd->closing.load(std::memory_order_acquire)) {
    return false;
  }
  arm(pd->fd, tag);
  return true;
}

// ---- what the scheduler uses (netpoll_sched.hpp) ----

void netpoll_init() { std::call_once(init_once, init_backend); }

int32_t netpoll_waiters() { return waiters.load(std::memory_order_acquire); }

void netpoll_adjust_waiters(int32_t delta) {
  if (delta != 0) waiters.fetch_add(delta, std::memory_order_acq_rel);
}

// mirrors netpoll (Go 1.22's, which returns the waiter change for the caller)
bool netpoll(int64_t delay_ns, GList* to_run, int32_t* waiters_delta) {
  if (backend == nullptr) return false;
  bool expected = false;
  if (!poll_busy.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
    if (delay_ns == 0) return false;  // the poller in progress delivers every event
    // A blocking poll with another poll in progress: only sysmon and
    // start_the_world poll without blocking, so wait for theirs (short).
    do {
      expected = false;
      __builtin_ia32_pause();
    } while (!poll_busy.compare_exchange_weak(expected, true, std::memory_order_acquire));
  }
  if (backend->poll(delay_ns, to_run, waiters_delta)) wake_sig.store(0, std::memory_order_release);
  poll_busy.store(false, std::memory_order_release);
  return !to_run->empty();
}

int netpoll_break_fd() { return breakfd; }

void netpoll_break_write() {
  const uint64_t one = 1;
  for (;;) {
    if (write(breakfd, &one, sizeof one) >= 0 || errno == EAGAIN) return;
    if (errno != EINTR) gothrow("runtime: netpollBreak write failed");
  }
}

void netpoll_break_drain() {
  uint64_t drained;
  while (read(breakfd, &drained, sizeof drained) > 0) {
  }
}

// mirrors netpollBreak
void netpoll_break() {
  if (backend == nullptr) return;
  uint32_t expected = 0;
  if (!wake_sig.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) return;
  netpoll_break_write();
}

void netpoll_abandon_waiters() {
  PollCache& c = poll_cache();
  LockGuard g(c.lock);
  for (PollDesc* pd : c.all) {
    for (std::atomic<uintptr_t>* s : {&pd->rg, &pd->wg}) {
      const uintptr_t v = s->load(std::memory_order_acquire);
      if (v > kPdWait) s->store(kPdNil, std::memory_order_release);
    }
  }
  waiters.store(0, std::memory_order_release);
}

}  // namespace gort::runtime
