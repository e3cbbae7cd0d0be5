// newproc.cpp — goroutine creation and exit (mirrors newproc, newproc1, gfget,
// gfput, goexit0 and allgadd in proc.go).
//
// Following a goroutine from `gort::go` to its first instruction:
//   1. go<F,Args...>() (gort/runtime.hpp) packs fn and its arguments into one
//      closure object and calls newproc_prepare.
//   2. newproc_prepare takes a dead G from the P's free list (or the global one,
//      or carves a new stack slot: stack.cpp), reserves the closure's bytes just
//      below the G record at the top of the slot, and builds a fresh fcontext
//      below them whose first function is goroutine_entry.
//   3. go() move-constructs the closure into those bytes; newproc_start marks the
//      G runnable and puts it in the P's runnext, where it runs as soon as the
//      creator yields, and wakes an idle P (wakep) so another M can steal the
//      creator's older work meanwhile.
//   4. Some M picks the G (proc.cpp), switches to its fcontext: goroutine_entry
//      completes the switch's handoff, then calls entry(closure), which invokes
//      the user's function and destroys the closure.
//   5. When the function returns, goexit1 leaves with an Exit handoff; whoever
//      runs next on that M marks the G dead and caches it with its stack.
// No heap allocation on this path once the free lists are warm.
#include <gort/runtime.hpp>

#include <algorithm>
#include <new>

#include "crash.hpp"
#include "current.hpp"
#include "fiber.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "stack.hpp"

namespace gort::runtime {

namespace {

std::atomic<int64_t> coarse_now{0};

/// Bytes reserved for the G record at the top of a slot (cache-line rounded).
constexpr std::size_t kGRecordBytes = (sizeof(G) + 63) & ~std::size_t(63);

/// Carves a new slot and builds a dead G at its top (mirrors malg + allgadd).
G* malg() {
  StackSlot slot = stack_alloc();
  G* gp = ::new (slot.hi - kGRecordBytes) G();
  gp->stack_lo = slot.lo;
  gp->stack_hi = slot.hi - kGRecordBytes;
  gp->stack_guarded = slot.guarded;
  gp->status.store(GStatus::Dead, std::memory_order_relaxed);
  allgadd(gp);
  return gp;
}

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

/// Next goroutine id from pp's batch (mirrors the goidcache logic of newproc1).
int64_t next_goid(P* pp) {
  if (pp->goidcache == pp->goidcacheend) {
    pp->goidcache = sched.goidgen.fetch_add(kGoidCacheBatch) + 1;
    pp->goidcacheend = pp->goidcache + kGoidCacheBatch;
  }
  return static_cast<int64_t>(pp->goidcache++);
}

void add_gcount(P* pp, int64_t delta) {
  pp->gcount_delta.store(pp->gcount_delta.load(std::memory_order_relaxed) + delta,
                         std::memory_order_relaxed);
}

/// First function of every goroutine (the fcontext entry).
[[noreturn]] void goroutine_entry(transfer_t t) {
  fiber_started(nullptr);
  // The switch that started us carries a handoff for the G that left.
  complete_handoff(t);
  G* gp = current_m()->curg;
  try {
    gp->entry(gp->closure);
  } catch (...) {
    die_unrecovered(gp, std::current_exception());
  }
  goexit1();
}

/// Prepares gp to run entry with a closure of `size` bytes; returns the closure address.
void* prepare_g(G* gp, P* pp, GoEntry entry, std::size_t size, std::size_t align) {
  const std::size_t a = std::max<std::size_t>(align, 16);
  auto top = reinterpret_cast<uintptr_t>(gp->stack_hi);
  auto closure = (top - size) & ~(uintptr_t(a) - 1);
  gp->entry = entry;
  gp->closure = reinterpret_cast<void*>(closure);
  gp->goid = next_goid(pp);
  fiber_make(&gp->fiber, gp->stack_lo, reinterpret_cast<void*>(closure & ~uintptr_t(15)),
             &goroutine_entry);
  return gp->closure;
}

}  // namespace

int64_t coarse_nanotime() { return coarse_now.load(std::memory_order_relaxed); }
void coarse_nanotime_update(int64_t now) { coarse_now.store(now, std::memory_order_relaxed); }

void allgadd(G* gp) {
  LockGuard g(sched.allglock);
  gp->alllink = sched.allg;
  sched.allg = gp;
  sched.allglen.fetch_add(1, std::memory_order_relaxed);
}

void allg_destroy_all() {
  LockGuard g(sched.allglock);
  for (G* gp = sched.allg; gp != nullptr; gp = gp->alllink) fiber_destroy(&gp->fiber);
  sched.allg = nullptr;
  sched.allglen.store(0);
}

G* newproc_prepare(GoEntry entry, std::size_t size, std::size_t align, void** closure) {
  if (size > kMaxClosureBytes) fatal("newproc: closure too large");
  M* mp = current_m();
  P* pp = mp->p;
  G* gp = gfget(pp);
  if (gp == nullptr) gp = malg();
  *closure = prepare_g(gp, pp, entry, size, align);
  G* parent = mp->curg;
  gp->parent_goid = parent != nullptr ? parent->goid : 0;
  gp->gopc = __builtin_return_address(0);
  return gp;
}

void newproc_start(G* gp) {
  P* pp = current_p();
  casgstatus(gp, GStatus::Dead, GStatus::Runnable);
  add_gcount(pp, +1);
  runqput(pp, gp, true);
  wakep();
  preempt_point();
}

void newproc_abandon(G* gp) { gfput(current_p(), gp); }

void goexit0(G* gp) {
  M* mp = current_m();
  P* pp = mp->p;
  casgstatus(gp, GStatus::Running, GStatus::Dead);
  add_gcount(pp, -1);
  gp->m = nullptr;
  gp->waitreason = WaitReason::Zero;
  gp->entry = nullptr;
  gp->closure = nullptr;
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
