// goroutine_profile.cpp — the scheduler's side of the "goroutine" and
// "threadcreate" profiles (mirrors goroutineProfileWithLabels, Stack and
// ThreadCreateProfile in golang/go src/runtime/mprof.go).
//
// Goroutine stacks: the caller's own stack first (callers), then, with the
// world stopped so no goroutine moves, every other live goroutine's parked
// stack, walked by frame pointer from the registers its last switch saved
// (parked_frame, walk_frame_pointers: bounded by the goroutine's stack, a
// few loads a frame).  Only raw return addresses are taken while the world is
// stopped; the walks are cut at goroutine_entry after it restarts, and pprof/
// names the frames later still (Go's profile writer symbolizes after
// GoroutineProfile returns, too).  A goroutine in a blocking call keeps
// running on its own thread through the stop, so its stack cannot be read
// consistently; Go reads it from g.syscallsp/syscallpc, which gort does not
// save: its record is empty.
//
// Cost.  The stop lasts as long as the walks: 3.6–5.0 ms for 10,000
// goroutines parked in a channel receive on Machine A (13–24 ms with a build
// running beside it; NOTES §14, bench goroutine_profile_10k).  It was 0.7–1 s
// while the walks ran libunwind, which is uncached (traceback.cpp: a fatal
// signal's walk must take no lock) and costs some ten system calls a frame.
// Frame pointers trade that for what frame_walk.hpp names: a frame
// without one (libstdc++'s own code, say) may be skipped — the CPU profiler
// has the same limit.  Go 1.19 goes further: it stops the world only to start
// the profile and records each goroutine as it next runs or from a
// background sweep (tryRecordGoroutineProfile); gort does not do that.
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
#include <unordered_map>

#include <gort/runtime/internal/callers.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/goroutine_profile.hpp>

#include "crash.hpp"
#include "current.hpp"
#include "dump.hpp"
#include "frame_walk.hpp"
#include "g.hpp"
#include "m.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort::runtime {

namespace {

/// Drops goroutine_entry and what is below it from every stack in [first,
/// last): Go's profiles end above runtime.goexit (proto.go's allFrames stops
/// there).  Each distinct address is looked up once (the lookup reads unwind
/// tables; most goroutines share their frames).
void trim_at_goroutine_entry(StackPcs* first, StackPcs* last) {
  std::unordered_map<uintptr_t, bool> is_entry;
  for (StackPcs* s = first; s != last; ++s) {
    for (std::size_t i = 0; i < s->size(); ++i) {
      const uintptr_t pc = (*s)[i];
      auto [it, added] = is_entry.try_emplace(pc, false);
      if (added) it->second = is_goroutine_entry(pc - 1);
      if (it->second) {
        s->resize(i);
        break;
      }
    }
  }
}

/// A parked goroutine's return addresses, innermost first, walked by frame
/// pointer inside its stack.  Precondition: the world is stopped.
StackPcs parked_stack(const G* gp) {
  ParkedFrame f;
  if (!parked_frame(gp, &f)) return {};
  uintptr_t pcs[kMaxFrames];
  int n = 0;
  pcs[n++] = f.pc;
  n = walk_frame_pointers(f.fp, f.sp, StackRange{uintptr_t(gp->stack_lo), uintptr_t(gp->stack_hi)}, pcs, n,
                          kMaxFrames);
  return StackPcs(pcs, pcs + n);
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
  trim_at_goroutine_entry(out->data() + before, out->data() + out->size());
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
