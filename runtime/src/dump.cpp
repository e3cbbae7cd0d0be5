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
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "dump.hpp"
#include "env.hpp"
#include "nanotime.hpp"
#include "netpoll_sched.hpp"
#include "proc.hpp"
#include "sched.hpp"
#include "sigsafe_format.hpp"
#include "traceback.hpp"

namespace gort::runtime {

// A waker on another thread clears waitreason right after moving the
// goroutine out of Waiting (ready), so the byte may change under this read:
// the text is then the old reason or "waiting", both true a moment ago, as
// Go's own header read is.  Exempt from TSAN's race reports for that byte.
__attribute__((no_sanitize("thread"))) const char* goroutine_state_text(const G* gp) {
  const GStatus s = readgstatus(gp);
  if (s == GStatus::Waiting && gp->waitreason != WaitReason::Zero) return wait_reason_string(gp->waitreason);
  return gstatus_string(s);
}

void FileDumpSink::text(const char* s, std::size_t n) { std::fwrite(s, 1, n, out_); }

void FileDumpSink::frames(const Walk& w, bool show_runtime) {
  if (w.n > 0) print_walk(out_, w, 0, show_runtime);
}

void FileDumpSink::created_by(const void* pc, int64_t parent_goid) { traceback_created_by(out_, pc, parent_goid); }

// Dumps read other goroutines' fields while they may change (a dying or
// dumping process, as in Go); exempt from TSAN's race reports.
__attribute__((no_sanitize("thread"))) void dump_goroutine_header(DumpSink& out, const G* gp) {
  LineBuf<160> line;
  line.str("goroutine ").dec(gp->goid).str(" [").str(goroutine_state_text(gp));
  if (readgstatus(gp) == GStatus::Waiting && gp->waitsince != 0) {
    // Go prints the wait time once it reaches a minute (goroutineheader).
    const int64_t minutes = (nanotime() - gp->waitsince) / 60'000'000'000LL;
    if (minutes >= 1) line.str(", ").dec(minutes).str(" minutes");
  }
  if (gp->lockedm != nullptr) line.str(", locked to thread");
  line.str("]:\n");
  out.text(line.c_str(), line.size());
}

__attribute__((no_sanitize("thread"))) void dump_goroutine(DumpSink& out, const G* gp, bool show_runtime) {
  dump_goroutine_header(out, gp);
  if (readgstatus(gp) == GStatus::Running || readgstatus(gp) == GStatus::Syscall) {
    out.text("\tgoroutine running on other thread; stack unavailable\n");
  } else {
    Walk w;
    unwind_parked(gp, &w);
    out.frames(w, show_runtime);
  }
  dump_created_by(out, gp);
}

void dump_created_by(DumpSink& out, const G* gp) {
  if (gp->gopc != nullptr && gp->parent_goid != 0) out.created_by(gp->gopc, gp->parent_goid);
}

__attribute__((no_sanitize("thread"))) void dump_other_goroutines(DumpSink& out, const G* current,
                                                               bool show_runtime) {
  // Go lists goroutines in creation order (allgs); gort's list is newest first
  // and ids are not in list order, so the list is sorted by id in scratch
  // memory (mmap: a signal handler may not malloc; called directly, as the
  // sanitizers' mmap interceptors lock).  Goroutines created meanwhile past
  // the count are left out.
  std::size_t cap = 0;
  for (const G* gp = sched.allg; gp != nullptr; gp = gp->alllink) ++cap;
  const std::size_t bytes = std::max<std::size_t>(cap, 1) * sizeof(const G*);
  void* mem = reinterpret_cast<void*>(
      syscall(SYS_mmap, nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (mem == MAP_FAILED) {
    for (const G* gp = sched.allg; gp != nullptr; gp = gp->alllink) {  // unsorted, but complete
      if (gp == current || readgstatus(gp) == GStatus::Dead) continue;
      out.text("\n");
      dump_goroutine(out, gp, show_runtime);
    }
    return;
  }
  auto** gs = static_cast<const G**>(mem);
  std::size_t n = 0;
  for (const G* gp = sched.allg; gp != nullptr && n < cap; gp = gp->alllink) {
    if (gp != current && readgstatus(gp) != GStatus::Dead) gs[n++] = gp;
  }
  std::sort(gs, gs + n, [](const G* a, const G* b) { return a->goid < b->goid; });
  for (std::size_t i = 0; i < n; ++i) {
    out.text("\n");
    dump_goroutine(out, gs[i], show_runtime);
  }
  syscall(SYS_munmap, mem, bytes);
}

void print_goroutine_header(FILE* out, const G* gp) {
  FileDumpSink sink(out);
  dump_goroutine_header(sink, gp);
}

void dump_goroutines(FILE* out, const G* current, TracebackLevel level) {
  if (level == TracebackLevel::None) return;
  const bool show_runtime = level >= TracebackLevel::System;
  FileDumpSink sink(out);
  if (current != nullptr) {
    std::fputc('\n', out);
    dump_goroutine_header(sink, current);
    traceback_current(out, 1, show_runtime);
    dump_created_by(sink, current);
  }
  if (level == TracebackLevel::Single && current != nullptr) return;
  dump_other_goroutines(sink, current, show_runtime);
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
  // A goroutine waiting on the network can be woken by a peer: a server
  // blocked in accept runs forever, as in Go (whose poller M is not idle).
  if (netpoll_waiters() > 0) return;
  if (waiting == 0) return;
  std::fflush(stdout);
  std::fputs("fatal error: all goroutines are asleep - deadlock!\n", stderr);
  // Go raises the traceback level for runtime throws: every goroutine is shown.
  const TracebackLevel level = std::max(debug_traceback_level(), TracebackLevel::All);
  dump_goroutines(stderr, nullptr, level == TracebackLevel::Single ? TracebackLevel::All : level);
  die_after_dump(level);
}

}  // namespace gort::runtime
