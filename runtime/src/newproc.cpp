// newproc.cpp — goroutine creation and exit (mirrors newproc, newproc1, gfget,
// gfput and goexit0 in proc.go).
//
// Following a goroutine from `gort::go` to its first instruction:
//   1. go<F,Args...>() (gort/runtime.hpp) packs fn and its arguments into one
//      closure object and calls newproc_prepare.
//   2. newproc_prepare takes a dead G record from the P's free list (or the
//      global one, or a new slab: allg.cpp) and returns its inline closure
//      buffer; a closure too large for it gets a stack right away and lives at
//      its top.
//   3. go() move-constructs the closure there; newproc_start marks the G
//      runnable and puts it in the P's runnext, where it runs as soon as the
//      creator yields, and wakes an idle P (wakep) so another M can steal the
//      creator's older work meanwhile.
//   4. Some M picks the G (proc.cpp).  execute_prep finds it never ran: it binds
//      a stack from that P's cache (stackcache.hpp) and builds an fcontext on
//      it whose first function is goroutine_entry (start_fiber).  The M
//      switches to it; goroutine_entry completes the switch's handoff, then
//      calls entry(closure), which invokes the user's function and destroys
//      the closure.
//   5. When the function returns, goexit1 leaves with an Exit handoff; whoever
//      runs next on that M marks the G dead, returns its stack to the P's stack
//      cache and its record to the P's G cache.
// No heap allocation on this path once the caches are warm.
//
// A timer function may start a goroutine too (Go's goFunc runs `go f()` for
// time.AfterFunc; context deadlines start AfterFunc callbacks): it runs on an
// M at a schedule point, with M.locks raised so nothing here yields, and
// possibly without a P (the idle M that waits for timers while every P is
// busy).  Without a P the G comes from the global free list, its id straight
// from goidgen, its count goes to gcount_base, and it is queued on the global
// run queue, as ready() does for a goroutine readied without a P.
#include <gort/runtime.hpp>

#include <gort/runtime/internal/system_goroutine.hpp>

#include <algorithm>

#include "crash.hpp"
#include "current.hpp"
#include "fiber.hpp"
#include "gc_stack_scan.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "stack.hpp"
#include "stackcache.hpp"
#include "trace_runtime.hpp"
#include "traceback.hpp"

namespace gort::runtime {

namespace {

/// Caches dead gp on pp, spilling half to the global list when full (gfput).
void gfput(P* pp, G* gp) {
  pp->gfree.push(gp);
  if (++pp->gfree_n < kGFreeMax) return;
  LockGuard g(sched.gflock);
  while (pp->gfree_n >= kGFreeMax / 2) {
    G* x = pp->gfree.pop();
    --pp->gfree_n;
    sched.gfree.push(x);
    ++sched.ngfree;
  }
}

/// Takes a dead G from pp, refilling from the global list (gfget).
G* gfget(P* pp) {
  if (pp->gfree.empty() && sched.ngfree != 0) {
    LockGuard g(sched.gflock);
    while (pp->gfree_n < kGFreeMax / 2 && !sched.gfree.empty()) {
      pp->gfree.push(sched.gfree.pop());
      --sched.ngfree;
      ++pp->gfree_n;
    }
  }
  G* gp = pp->gfree.pop();
  if (gp != nullptr) --pp->gfree_n;
  return gp;
}

/// Takes a dead G from the global list, for an M without a P (a timer function).
G* gfget_global() {
  if (sched.ngfree == 0) return nullptr;
  LockGuard g(sched.gflock);
  G* gp = sched.gfree.pop();
  if (gp != nullptr) --sched.ngfree;
  return gp;
}

/// Next goroutine id from pp's batch (mirrors the goidcache logic of newproc1);
/// without a P, one id straight from the global generator.
int64_t next_goid(P* pp) {
  if (pp == nullptr) return static_cast<int64_t>(sched.goidgen.fetch_add(1) + 1);
  if (pp->goidcache == pp->goidcacheend) {
    pp->goidcache = sched.goidgen.fetch_add(kGoidCacheBatch) + 1;
    pp->goidcacheend = pp->goidcache + kGoidCacheBatch;
  }
  return static_cast<int64_t>(pp->goidcache++);
}

void add_gcount(P* pp, int64_t delta) {
  if (pp == nullptr) {  // a timer function on an M without a P
    sched.gcount_base.fetch_add(delta, std::memory_order_relaxed);
    return;
  }
  pp->gcount_delta.store(pp->gcount_delta.load(std::memory_order_relaxed) + delta,
                         std::memory_order_relaxed);
}

/// First function of every goroutine (the fcontext entry).
[[noreturn]] void goroutine_entry(transfer_t t) {
  fiber_started(nullptr);
  // The switch that started us carries a handoff for the G that left.
  M* mp = complete_handoff(t);
  if (mp->eh->caught_exceptions != nullptr || mp->eh->uncaught_exceptions != 0) {
    *mp->eh = EhGlobals{};  // a new goroutine handles no exception yet
  }
  G* gp = mp->curg;
  try {
    gp->entry(gp->closure);
  } catch (...) {
    die_unrecovered(gp, std::current_exception());
  }
  goexit1();
}

/// Builds gp's first context on its stack, below the closure if that lives there.
void make_first_context(G* gp) {
  auto top = reinterpret_cast<uintptr_t>(gp->stack_hi);
  const auto closure = reinterpret_cast<uintptr_t>(gp->closure);
  if (closure >= reinterpret_cast<uintptr_t>(gp->stack_lo) && closure < top) top = closure;
  fiber_make(&gp->fiber, gp->stack_lo, reinterpret_cast<void*>(top & ~uintptr_t(15)), &goroutine_entry);
}

}  // namespace

uintptr_t goroutine_entry_pc() { return reinterpret_cast<uintptr_t>(&goroutine_entry); }

void newproc_mark_system(G* gp) { gp->system = true; }

G* newproc_prepare(GoEntry entry, std::size_t size, std::size_t align, void** closure) {
  if (size > kMaxClosureBytes) gothrow("newproc: closure too large");
  M* mp = current_m();
  P* pp = mp->p;  // null only in a timer function run by an M without a P
  G* gp = pp != nullptr ? gfget(pp) : gfget_global();
  if (gp == nullptr) gp = malg();
  gp->entry = entry;
  gp->goid = next_goid(pp);
  if (size <= kInlineClosureBytes && align <= 16) {
    gp->closure = gp->closure_buf;  // the stack waits until the G first runs
  } else {
    if (pp != nullptr) {
      stackalloc(pp, gp);
    } else {
      const StackSlot slot = stackpool_carve();
      gp->stack_lo = slot.lo;
      gp->stack_hi = slot.hi;
      gp->stack_guarded = slot.guarded;
    }
    const std::size_t a = std::max<std::size_t>(align, 16);
    gp->closure = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(gp->stack_hi) - size) & ~(uintptr_t(a) - 1));
    make_first_context(gp);
  }
  *closure = gp->closure;
  G* parent = mp->curg;
  gp->parent_goid = parent != nullptr ? parent->goid : 0;
  gp->gopc = __builtin_return_address(0);
  return gp;
}

void start_fiber(P* pp, G* gp) {
  stackalloc(pp, gp);
  make_first_context(gp);
}

void newproc_start(G* gp) {
  P* pp = current_p();
  setgstatus(gp, GStatus::Dead, GStatus::Runnable);
  trace_go_create(gp);
  if (sched.gc_marking.load(std::memory_order_relaxed)) goroutine_created_during_mark(gp);
  if (!gp->system) add_gcount(pp, +1);
  if (pp != nullptr) {
    runqput(pp, gp, true);
  } else {
    sched.lock.lock();
    globrunqput(gp);
    sched.lock.unlock();
  }
  // mirrors newproc's `if mainStarted { wakep() }`: before the main goroutine
  // runs, m0 is on its way to the scheduler and takes the queued goroutines itself.
  if (sched.main_started.load(std::memory_order_acquire)) wakep();
  preempt_point();  // never yields in a timer function: M.locks is raised there
}

void newproc_abandon(G* gp) {
  P* pp = current_p();
  gp->fiber.fctx = nullptr;
  if (pp != nullptr) {
    if (gp->stack_lo != nullptr) stackfree(pp, gp);
    gfput(pp, gp);
    return;
  }
  if (gp->stack_lo != nullptr) {
    const StackSlot slot{gp->stack_lo, gp->stack_hi, gp->stack_guarded};
    stackpool_put(&slot, 1);
    gp->stack_lo = gp->stack_hi = nullptr;
  }
  LockGuard g(sched.gflock);
  sched.gfree.push(gp);
  ++sched.ngfree;
}

void goexit0(G* gp) {
  M* mp = current_m();
  P* pp = mp->p;
  setgstatus(gp, GStatus::Running, GStatus::Dead);
  if (sched.gc_marking.load(std::memory_order_relaxed)) goroutine_exited_during_mark(gp);
  if (!gp->system) add_gcount(pp, -1);
  gp->system = false;
  gp->m.store(nullptr, std::memory_order_relaxed);
  gp->waitreason = WaitReason::Zero;
  gp->entry = nullptr;
  gp->closure = nullptr;
  gp->fiber.fctx = nullptr;  // marks "never ran" for the next goroutine
  stackfree(pp, gp);
  if (gp->lockedm != nullptr) {
    // Exited while wired to its thread: Go terminates that thread.  m0 must
    // survive to return from gort::run, so it is merely unwired.
    gp->lockedm = nullptr;
    gp->lock_count = 0;
    mp->lockedg = nullptr;
    if (!mp->is_m0) mp->exiting = true;
  }
  gfput(pp, gp);
}

}  // namespace gort::runtime
