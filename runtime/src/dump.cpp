// dump.cpp — goroutine dumps and deadlock detection (mirrors goroutineheader,
// tracebackothers in traceback.go and checkdead in proc.go).
//
// A dump lists goroutines as Go does:
//
//     goroutine 7 [chan receive, 2 minutes]:
//     worker(int)
//     	/src/app/main.cpp:17 +0x2c
//     created by main_fn() in goroutine 1
//     	/src/app/main.cpp:30 +0x51
//
// checkdead runs whenever an M goes idle: if every M is idle, no goroutine is
// runnable and no timer is armed, nothing can ever wake anything (blocking calls
// keep their M busy, so they count as running), and the program dies with
// "fatal error: all goroutines are asleep - deadlock!" and a dump of every
// goroutine.  A goroutine woken only by a thread outside gort is invisible to
// this rule, as a goroutine woken only by C code would be in Go: wait for such
// threads inside gort::blocking.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "dump.hpp"
#include "env.hpp"
#include "nanotime.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort::runtime {

namespace {

/// Status text of a goroutine header: the wait reason while waiting.
const char* header_status(const G* gp) {
  const GStatus s = readgstatus(gp);
  if (s == GStatus::Waiting && gp->waitreason != WaitReason::Zero) return wait_reason_string(gp->waitreason);
  return gstatus_string(s);
}

}  // namespace

// Dumps read other goroutines' fields while they may change (a dying or
// dumping process, as in Go); exempt from TSAN's race reports.
__attribute__((no_sanitize("thread"))) void print_goroutine_header(FILE* out, const G* gp) {
  std::fprintf(out, "goroutine %lld [%s", static_cast<long long>(gp->goid), header_status(gp));
  if (readgstatus(gp) == GStatus::Waiting && gp->waitsince != 0) {
    // Go prints the wait time once it reaches a minute (goroutineheader).
    const int64_t minutes = (nanotime() - gp->waitsince) / 60'000'000'000LL;
    if (minutes >= 1) std::fprintf(out, ", %lld minutes", static_cast<long long>(minutes));
  }
  if (gp->lockedm != nullptr) std::fputs(", locked to thread", out);
  std::fputs("]:\n", out);
}

__attribute__((no_sanitize("thread"))) void print_goroutine(FILE* out, const G* gp, bool is_current,
                                                        bool show_runtime) {
  print_goroutine_header(out, gp);
  if (is_current) {
    traceback_current(out, 2, show_runtime);
  } else if (readgstatus(gp) == GStatus::Running || readgstatus(gp) == GStatus::Syscall) {
    std::fputs("\tgoroutine running on other thread; stack unavailable\n", out);
  } else {
    traceback_parked(out, gp, show_runtime);
  }
  print_created_by(out, gp);
}

void print_created_by(FILE* out, const G* gp) {
  if (gp->gopc != nullptr && gp->parent_goid != 0) traceback_created_by(out, gp->gopc, gp->parent_goid);
}

void dump_goroutines(FILE* out, const G* current, TracebackLevel level) {
  if (level == TracebackLevel::None) return;
  const bool show_runtime = level >= TracebackLevel::System;
  if (current != nullptr) {
    std::fputc('\n', out);
    print_goroutine(out, current, true, show_runtime);
  }
  if (level == TracebackLevel::Single && current != nullptr) return;
  print_other_goroutines(out, current, show_runtime);
}

__attribute__((no_sanitize("thread"))) void print_other_goroutines(FILE* out, const G* current,
                                                                bool show_runtime) {
  // Go lists goroutines in creation order (allgs); gort's list is newest first.
  std::vector<const G*> gs;
  for (const G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
    if (gp != current && readgstatus(gp) != GStatus::Dead) gs.push_back(gp);
  }
  std::sort(gs.begin(), gs.end(), [](const G* a, const G* b) { return a->goid < b->goid; });
  for (const G* gp : gs) {
    std::fputc('\n', out);
    print_goroutine(out, gp, false, show_runtime);
  }
}

[[noreturn]] void die_after_dump(TracebackLevel level) {
  std::fflush(stderr);
  if (level == TracebackLevel::Crash) abort();
  _exit(2);
}

void checkdead() {
  if (sched.shutdown.load(std::memory_order_relaxed)) return;
  const int32_t run = sched.mcount - sched.nmidle - sched.nmidlelocked;
  if (run > 0) return;
  int waiting = 0;
  for (const G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {
    switch (readgstatus(gp)) {
      case GStatus::Waiting:
      case GStatus::Preempted:
        ++waiting;
        break;
      case GStatus::Runnable:
      case GStatus::Running:
      case GStatus::Syscall:
        // Work exists that an M is about to be woken for (a ready from a
        // thread outside gort can be in flight): not dead.
        return;
      default:
        break;
    }
  }
  if (next_timer_when() != 0) return;
  if (waiting == 0) return;
  std::fflush(stdout);
  std::fputs("fatal error: all goroutines are asleep - deadlock!\n", stderr);
  // Go raises the traceback level for runtime throws: every goroutine is shown.
  const TracebackLevel level = std::max(debug_traceback_level(), TracebackLevel::All);
  dump_goroutines(stderr, nullptr, level == TracebackLevel::Single ? TracebackLevel::All : level);
  die_after_dump(level);
}

}  // namespace gort::runtime
