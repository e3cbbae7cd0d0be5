// goroutine_profile.cpp — the scheduler's side of the "goroutine" and
// "threadcreate" profiles (mirrors goroutineProfileWithLabels, Stack and
// ThreadCreateProfile in golang/go src/runtime/mprof.go).
//
// Goroutine stacks are taken as Go 1.19 takes them: the caller's own stack
// first (callers), then, with the world stopped so no goroutine moves, every
// other live goroutine's parked stack, unwound from the registers its last
// switch saved (unwind_parked).  Only the raw return addresses are collected
// while the world is stopped; pprof/ names them after it restarts (Go's
// profile writer symbolizes after GoroutineProfile returns, too).  A
// goroutine in a blocking call keeps running on its own thread through the
// stop, so its stack cannot be read consistently; Go reads it from
// g.syscallsp/syscallpc, which gort does not save: its record is empty.
//
// Cost.  The stop lasts as long as the unwinding: libunwind runs without its
// caches (traceback.cpp: a fatal signal's walk must take no lock), so every
// frame costs some ten system calls (sigprocmask around dl_iterate_phdr,
// mincore).  10,000 goroutines parked in a channel receive keep the world
// stopped about 0.7 s on Machine A.  Go 1.19 stops the world only to start
// the profile and records each goroutine as it next runs or from a
// background sweep (tryRecordGoroutineProfile); gort does not do that yet.
//
// runtime.Stack(buf, true) — the debug=2 goroutine profile — prints while the
// world is stopped, as Go does; the symbolizer's lock is taken only after the
// stop, so no stopped goroutine holds it (a goroutine stops only at a safe
// point, and symbolizing has none).
//
// Threads: every M keeps the return addresses of the stack that created it
// (newm, Go's mcommoninit), read under sched.lock.
//
// Stacks end above goroutine_entry, the first function of every goroutine,
// as Go's end above runtime.goexit.
#include <gort/runtime/internal/callers.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/goroutine_profile.hpp>

#include "crash.hpp"
#include "current.hpp"
#include "dump.hpp"
#include "g.hpp"
#include "m.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort::runtime {

namespace {

/// Drops goroutine_entry and what is below it from a goroutine's stack: Go's
/// profiles end above runtime.goexit (proto.go's allFrames stops there).
void trim_at_goroutine_entry(StackPcs* s) {
  for (std::size_t i = 0; i < s->size(); ++i) {
    if (is_goroutine_entry((*s)[i] - 1)) {
      s->resize(i);
      return;
    }
  }
}

/// A parked goroutine's return addresses (the first frame's exact pc, if any,
/// as pc+1: every stored pc is a return address).
StackPcs parked_stack(const G* gp) {
  Walk w;
  unwind_parked(gp, &w);
  StackPcs s;
  s.reserve(static_cast<std::size_t>(w.n));
  for (int i = 0; i < w.n; ++i) s.push_back((w.flags[i] & kFrameExact) != 0 ? w.pc[i] + 1 : w.pc[i]);
  trim_at_goroutine_entry(&s);
  return s;
}

}  // namespace

int goroutine_profile(std::vector<StackPcs>* out) {
  M* mp = current_m();
  G* self = mp != nullptr ? mp->curg : nullptr;
  if (self == nullptr) gothrow("goroutine_profile called outside a goroutine");
  const std::size_t before = out->size();
  uintptr_t pcs[kMaxFrames];
  const int n = callers(1, pcs, kMaxFrames);
  out->emplace_back(pcs, pcs + n);
  trim_at_goroutine_entry(&out->back());

  stop_the_world_gc(StwReason::GoroutineProfile);
  {
    LockGuard guard(sched.allglock);
    for (const G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
      if (gp == self || gp->system) continue;
      const GStatus s = readgstatus(gp);
      if (s == GStatus::Dead || s == GStatus::Idle) continue;
      if (s == GStatus::Running || s == GStatus::Syscall) {
        out->emplace_back();  // on another thread (see the file comment)
      } else {
        out->push_back(parked_stack(gp));
      }
    }
  }
  start_the_world_gc();
  return static_cast<int>(out->size() - before);
}

void goroutine_dump_all(FILE* out) {
  M* mp = current_m();
  G* self = mp != nullptr ? mp->curg : nullptr;
  if (self == nullptr) gothrow("goroutine_dump_all called outside a goroutine");
  stop_the_world_gc(StwReason::AllGoroutinesStack);
  FileDumpSink sink(out);
  dump_goroutine_header(sink, self);
  traceback_current(out, 1, false);
  dump_created_by(sink, self);
  dump_other_goroutines(sink, self, false);
  start_the_world_gc();
}

int thread_create_profile(std::vector<StackPcs>* out) {
  int n = 0;
  LockGuard guard(sched.lock);
  for (const M* mp = sched.allm; mp != nullptr; mp = mp->alllink) {
    out->emplace_back(mp->createstack, mp->createstack + mp->ncreatestack);
    ++n;
  }
  return n;
}

}  // namespace gort::runtime
