// g.hpp — the goroutine record (mirrors type g in runtime2.go).
//
// A G lives at the top of its own stack slot (stack.hpp) and is never freed
// while the runtime runs: a dead G is cached with its stack and reused by the
// next `go` (gfput/gfget in proc.cpp).  Fields written by the running goroutine
// are plain; fields other threads read concurrently (status, preempt) are atomic.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime.hpp>
#include <gort/runtime/wait_reason.hpp>

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

struct G {
  /// Saved context and sanitizer handles.
  Fiber fiber;
  /// Usable stack [stack_lo, stack_hi): stack_hi is where the closure area starts.
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
  /// Goroutine id of the creator and the return address of its `go` call
  /// ("created by ... in goroutine N" in tracebacks).
  int64_t parent_goid = 0;
  void* gopc = nullptr;
  /// The goroutine's function and its closure (placed just below this record).
  GoEntry entry = nullptr;
  void* closure = nullptr;
  /// Link for the run queues and free lists (a G is on at most one).
  G* schedlink = nullptr;
  /// The M executing this G, or null.
  M* m = nullptr;
  /// The M this G is wired to by lock_os_thread, or null; lock_count nests.
  M* lockedm = nullptr;
  uint32_t lock_count = 0;
  /// nanotime() when the goroutine parked (for "N minutes" in dumps).
  int64_t waitsince = 0;
  /// Next G in allgs order (for dumps and, later, the GC's stack scan).
  G* alllink = nullptr;
};

/// Returns gp's state with acquire ordering.
inline GStatus readgstatus(const G* gp) { return gp->status.load(std::memory_order_acquire); }

/// Moves gp from oldval to newval; a different current state is a fatal runtime
/// error (mirrors casgstatus).
void casgstatus(G* gp, GStatus oldval, GStatus newval);

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
