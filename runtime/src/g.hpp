// g.hpp — the goroutine record (mirrors type g in runtime2.go).
//
// G records come from slabs (allg.cpp) and are never freed while the runtime
// runs: a dead G is cached per P and reused by the next `go` (gfput/gfget in
// newproc.cpp).  A G holds its stack only while it has started and not exited
// (stack.hpp: stacks are bound late); the closure of its `go` call lives
// inline in the record when it fits.  Fields written by the running goroutine
// are plain; fields other threads read concurrently (status) are atomic.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <gort/runtime.hpp>
#include <gort/runtime/internal/timer.hpp>
#include <gort/runtime/internal/wait_reason.hpp>

#include "eh_globals.hpp"
#include "fiber.hpp"

namespace gort::runtime {

struct M;

/// Goroutine states, with Go's numeric values (runtime2.go) so dumps and traces
/// can print them as Go does.
enum class GStatus : uint32_t {
  Idle = 0,       // just allocated, not yet initialised
  Runnable = 1,   // on a run queue, not executing
  Running = 2,    // executing on an M that owns a P
  Syscall = 3,    // in a blocking call (gort::blocking), no P
  Waiting = 4,    // parked (chan, sleep, sync, ...); waitreason says why
  Dead = 6,       // exited, cached for reuse
  Preempted = 9,  // stopped for suspension (GC stack scan)
};

/// Go's status names ("runnable", "running", ...), as goroutine dumps print them.
const char* gstatus_string(GStatus s);

/// Closure bytes a G record holds inline: a lambda capturing a handful of
/// references or values (96 bytes = 12 pointers).  Larger closures are placed
/// at the top of a stack bound at `go` time instead.
///
/// Layout: G records are 64-byte aligned and ordered hot to cold, so a spawn
/// and a switch touch the same few cache lines of a record, not fields spread
/// over six lines of a record that straddles them.
inline constexpr std::size_t kInlineClosureBytes = 96;

struct alignas(64) G {
  // ---- hot: every spawn and every switch touches these (two cache lines) ----
  /// Saved context and sanitizer handles; fiber.fctx is null until the G has a
  /// stack and a first context (at spawn for a closure kept on the stack, else
  /// when it first runs).
  Fiber fiber;
  /// Usable stack [stack_lo, stack_hi), or null while the G has none bound.
  char* stack_lo = nullptr;
  char* stack_hi = nullptr;
  /// Whether the slot has a guard region (false: canary-checked, stack.hpp).
  bool stack_guarded = true;
  /// True for an M's scheduler context (g0), which runs on the thread's own stack.
  bool is_g0 = false;
  /// Current state; written with release so a thief that sees Runnable sees the saved context.
  std::atomic<GStatus> status{GStatus::Idle};
  /// Why the goroutine is Waiting (meaningful only then).
  WaitReason waitreason = WaitReason::Zero;
  /// Goroutine id, unique over the process's lifetime; 1 is main.
  int64_t goid = 0;
  /// The goroutine's function and its closure (closure_buf, or the stack top).
  GoEntry entry = nullptr;
  void* closure = nullptr;
  /// Link for the run queues and free lists (a G is on at most one).
  G* schedlink = nullptr;
  /// The M executing this G, or null.  Written by the scheduler (relaxed: the
  /// status change that follows publishes it); read without the G's cooperation
  /// by the trace status snapshot and scheddetail, hence atomic.
  std::atomic<M*> m{nullptr};
  /// The M this G is wired to by lock_os_thread, or null; lock_count nests.
  M* lockedm = nullptr;
  /// The goroutine's C++ exception state while it is not running (eh_globals.hpp).
  EhGlobals eh_saved;
  // ---- the `go` call's closure, read when the goroutine starts ----
  /// Inline storage for the closure of the `go` call that started this G.
  alignas(16) unsigned char closure_buf[kInlineClosureBytes];
  // ---- cold: dumps, tracebacks, sleep, signals ----
  /// Goroutine id of the creator and the return address of its `go` call
  /// ("created by ... in goroutine N" in tracebacks).
  int64_t parent_goid = 0;
  void* gopc = nullptr;
  uint32_t lock_count = 0;
  /// Depth of gort::AsyncPreemptible regions the goroutine is in; > 0 allows
  /// asynchronous preemption (preempt.cpp).  Read by signal handlers.
  std::atomic<int32_t> async_safe{0};
  /// nanotime() when the goroutine parked (for "N minutes" in dumps).
  int64_t waitsince = 0;
  /// The timer gort::sleep arms (Go's g.timer).
  RuntimeTimer sleep_timer;
  /// Next G in allgs order (for dumps and the GC's stack scan).
  G* alllink = nullptr;
  /// Stack pointer at entersyscall, below the callee-saved registers it spilled
  /// (Go's g.syscallsp): the GC scans a goroutine in a blocking call from here.
  char* syscall_sp = nullptr;
  // ---- the collector's concurrent mark (gc_stack_scan.cpp) ----
  /// Held by whoever scans this goroutine's stack (Go's _Gscan status bit): the
  /// scheduler does not resume the goroutine, and exitsyscall does not return
  /// into it, while it is set.  A separate word rather than a status bit, so the
  /// owner-only status stores of every switch (setgstatus) stay plain stores.
  std::atomic<uint32_t> gc_scan_lock{0};
  /// The mark cycle whose stack scan covered this goroutine (Go's gcscandone,
  /// kept as a cycle number so a new cycle needs no pass to clear it).
  std::atomic<uint32_t> gc_scanned_cycle{0};
  /// Allocation credit for mark assists in bytes (Go's gcAssistBytes): allocating
  /// spends it, assist work earns it, negative is debt.  Owned by the goroutine.
  int64_t gc_assist_bytes = 0;
  /// A runtime-internal goroutine (the collector's mark-termination goroutine):
  /// not counted by num_goroutine, as Go's isSystemGoroutine ones are not.
  bool system = false;
};

/// Returns gp's state with acquire ordering.
inline GStatus readgstatus(const G* gp) { return gp->status.load(std::memory_order_acquire); }

/// Moves gp from oldval to newval with a CAS; a different current state is a
/// throw (gothrow; mirrors casgstatus).  Used where two parties could race
/// for the transition (ready: two wakers of one G would be a runtime bug).
void casgstatus(G* gp, GStatus oldval, GStatus newval);

/// Same check, without the atomic read-modify-write: for transitions only the
/// G's current owner can make (the M running it, or the M completing its
/// handoff), where a CAS would only cost cycles on every switch.
inline void setgstatus(G* gp, GStatus oldval, GStatus newval) {
  void report_bad_gstatus(G * gp, GStatus oldval, GStatus newval, GStatus cur);
  const GStatus cur = gp->status.load(std::memory_order_relaxed);
  if (__builtin_expect(cur != oldval, 0)) report_bad_gstatus(gp, oldval, newval, cur);
  gp->status.store(newval, std::memory_order_release);
}

/// Intrusive FIFO of Gs linked through schedlink (Go's gQueue).
struct GQueue {
  G* head = nullptr;
  G* tail = nullptr;
  bool empty() const { return head == nullptr; }
  void push_back(G* gp) {
    gp->schedlink = nullptr;
    if (tail) tail->schedlink = gp; else head = gp;
    tail = gp;
  }
  void push_front(G* gp) {
    gp->schedlink = head;
    head = gp;
    if (!tail) tail = gp;
  }
  /// Appends a chain [h..t] linked through schedlink.
  void push_back_all(G* h, G* t) {
    t->schedlink = nullptr;
    if (tail) tail->schedlink = h; else head = h;
    tail = t;
  }
  G* pop() {
    G* gp = head;
    if (gp) {
      head = gp->schedlink;
      if (!head) tail = nullptr;
    }
    return gp;
  }
};

/// Intrusive LIFO of Gs (Go's gList), used for free lists.
struct GList {
  G* head = nullptr;
  bool empty() const { return head == nullptr; }
  void push(G* gp) {
    gp->schedlink = head;
    head = gp;
  }
  G* pop() {
    G* gp = head;
    if (gp) head = gp->schedlink;
    return gp;
  }
};

}  // namespace gort::runtime
