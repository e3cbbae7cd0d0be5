// gc_support.cpp — the scheduler state the garbage collector reads
// (gort/runtime/internal/gc_support.hpp): stop-the-world for a GC, the goroutines'
// root ranges, the Ps' caches, the registered collector hooks
// (gort/runtime/internal/hooks.hpp), clock and settings.
//
// Stack roots (mirrors scanstack in mgcmark.go, conservatively): a goroutine
// that is not running saved its callee-saved registers on its own stack when it
// switched out (jump_fcontext pushes them below the saved stack pointer; the
// asynchronous preemption trampoline pushes every register first), so the
// range [saved SP, stack top) holds every pointer the goroutine can still
// reach from its frames and registers.  A goroutine in a blocking call is
// scanned from the stack pointer entersyscall recorded after spilling the
// callee-saved registers.  The `go` call's closure is a root too: inline in the
// G record, or at the top of the stack (inside the stack range once started).
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/hooks.hpp>
#include <gort/runtime/internal/sema.hpp>

#include <atomic>

#include "crash.hpp"
#include "current.hpp"
#include "env.hpp"
#include "g.hpp"
#include "gc_stack_scan.hpp"
#include "m.hpp"
#include "proc.hpp"
#include "nanotime.hpp"
#include "p.hpp"
#include "sched.hpp"
#include "stack.hpp"
#include "stackcache.hpp"

namespace gort::runtime {

std::atomic<int64_t> runtime_init_ns{0};
std::atomic<const GcHooks*> registered_gc_hooks{nullptr};

namespace {

/// Reports gp's root ranges; returns the stack bytes among them.
std::size_t report_goroutine(G* gp, RootRangeFn fn, void* arg) {
  const GoroutineRoots roots = goroutine_roots(gp, readgstatus(gp));
  for (int i = 0; i + 1 < roots.nranges; i += 2) fn(roots.ranges[i], roots.ranges[i + 1], arg);
  return roots.stack_bytes;
}

}  // namespace

void stop_the_world_gc(StwReason reason) {
  semacquire(&worldsema, WaitReason::Semacquire);
  stop_the_world(reason);
}

void start_the_world_gc() {
  start_the_world();
  semrelease(&worldsema);
}

bool on_goroutine_with_p() {
  M* mp = current_m();
  return mp != nullptr && mp->p != nullptr && mp->curg != nullptr;
}

std::size_t for_each_goroutine_root_range(RootRangeFn fn, void* arg) {
  M* mp = current_m();
  G* self = mp != nullptr ? mp->curg : nullptr;
  std::size_t stack_bytes = 0;
  LockGuard guard(sched.allglock);
  for (G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
    if (gp == self) continue;
    stack_bytes += report_goroutine(gp, fn, arg);
  }
  return stack_bytes;
}

const void* current_goroutine_stack_hi() {
  M* mp = current_m();
  if (mp == nullptr || mp->curg == nullptr) return nullptr;
  return mp->curg->stack_hi;
}

void for_each_p_gc_cache(void (*fn)(void* cache, int32_t p_id, void* arg), void* arg) {
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    if (pp != nullptr && pp->gc_cache != nullptr) fn(pp->gc_cache, pp->id, arg);
  }
}

int32_t current_p_id_or_none() {
  M* mp = current_m();
  if (mp == nullptr || mp->p == nullptr) return -1;
  return mp->p->id;
}

int32_t gc_gomaxprocs() { return gomaxprocs(); }

int32_t gc_ncpu() { return ncpu(); }

void preempt_all_goroutines() { preemptall(); }

void yield_to_readied() {
  M* mp = current_m();
  if (mp == nullptr || mp->curg == nullptr || mp->p == nullptr || mp->locks != 0) return;
  goyield();
}


void register_gc_hooks(const GcHooks* hooks) { registered_gc_hooks.store(hooks, std::memory_order_release); }

int64_t gc_nanotime() { return nanotime(); }

int64_t runtime_init_nanotime() { return runtime_init_ns.load(std::memory_order_relaxed); }

GcDebugSettings gc_debug_settings() {
  GcDebugSettings s;
  s.gctrace = debug.gctrace;
  s.gccheckmark = debug.gccheckmark;
  s.gcstoptheworld = debug.gcstoptheworld;
  return s;
}

int32_t env_gogc() { return gc_environment().gogc; }

int64_t env_memory_limit() { return gc_environment().memory_limit; }

StackMemory read_stack_memory() {
  StackMemory m;
  m.inuse_bytes = uint64_t{stack_slots_in_use()} * kSlotBytes;
  m.sys_bytes = m.inuse_bytes + signal_stack_bytes();
  m.reserved_bytes = stack_reserved_bytes();
  return m;
}

void clear_stack_caches() {
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    if (pp != nullptr) stackcache_flush(pp);
  }
}

void free_stack_memory() { free_stack_slots(); }

}  // namespace gort::runtime
