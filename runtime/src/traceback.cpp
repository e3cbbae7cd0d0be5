// traceback.cpp — goroutine stack walks (mirrors the unwinding half of
// traceback.go: gentraceback's frame loop).
//
// A walk has two halves, as Go's has:
//   1. Unwinding (here; libunwind, local only): from a register set — the
//      calling thread's (unw_getcontext), a parked goroutine's (rebuilt from
//      what jump_fcontext saved at its stack pointer), or a signal's ucontext —
//      collect up to kMaxFrames return addresses into a Walk.  A goroutine's
//      walk ends at goroutine_entry (newproc.cpp): below it is only the
//      fcontext trampoline.
//   2. Symbolizing (symbolize.cpp): naming each frame and printing it in Go's
//      format.
// The two are apart because a fatal signal may land anywhere, inside malloc
// with its arena lock held included, and Go prints its report regardless.
// Unwinding is async-signal-safe: libunwind's local unwinder reads the
// unwind tables in place with caching off (UNW_CACHE_NONE, set by
// unwind_init: no cache, so no cache lock), finds them with dl_iterate_phdr
// (the loader's lock is recursive, so even a signal that interrupted it on
// this thread gets through), and the walk is a fixed-size array on the
// caller's stack.  goroutine_entry is recognised by its start address from the unwind
// tables (unw_get_proc_info_by_ip), not by name.  Symbolizing allocates and
// locks, so a signal handler walks here and has the frames named elsewhere
// (crash_report.cpp).  The first unwind initialises libunwind; the runtime
// does that at start-up (unwind_init), not in a handler.
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <ucontext.h>
#include <unwind.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <gort/runtime/internal/callers.hpp>

#include "g.hpp"
#include "traceback.hpp"

namespace gort::runtime {

namespace {

/// Whether tpc (a lookup address) lies in the main body of goroutine_entry.
/// Its .cold clone, if any, has an unwind entry of its own; the symbolizer
/// ends the walk there by name.
bool in_goroutine_entry(uintptr_t tpc) {
  unw_proc_info_t pi;
  return unw_get_proc_info_by_ip(unw_local_addr_space, tpc, &pi, nullptr) == 0 &&
         pi.start_ip == goroutine_entry_pc();
}

}  // namespace

bool is_goroutine_entry(uintptr_t tpc) { return in_goroutine_entry(tpc); }

namespace {

/// Appends a physical frame to w; false when the walk ends here: at the frame
/// limit, or at a goroutine's first function (nothing below it is meaningful).
bool add_frame(Walk* w, uintptr_t pc, uint8_t flags) {
  if (w->n == kMaxFrames) {
    w->elided = true;
    return false;
  }
  const int k = w->n++;
  w->pc[k] = pc;
  w->flags[k] = flags;
  return !in_goroutine_entry(w->lookup_pc(k));
}

/// Collects the physical frames from cur, dropping the first `drop`.  first_exact:
/// the first frame's pc is where it stopped (a signal), not a return address.
void collect(unw_cursor_t* cur, bool first_exact, int drop, Walk* w) {
  bool exact = first_exact;
  for (int i = 0;; ++i) {
    unw_word_t ip = 0;
    if (unw_get_reg(cur, UNW_REG_IP, &ip) < 0 || ip == 0) break;
    const bool signal = unw_is_signal_frame(cur) > 0;
    const auto flags = static_cast<uint8_t>((exact ? kFrameExact : 0) | (signal ? kFrameSignal : 0));
    if (i >= drop && !add_frame(w, ip, flags)) break;
    exact = signal;  // the frame a signal interrupted resumes at its exact pc
    if (unw_step(cur) <= 0) break;
  }
}

// The registers jump_fcontext saved on a parked goroutine's stack (Boost 1.74,
// x86_64 SysV), in words from fctx: [0] mxcsr and x87 control word, [1] r12,
// [2] r13, [3] r14, [4] r15, [5] rbx, [6] rbp, [7] the return address; the
// switch returns with rsp = fctx + 8 words.
constexpr int kFctxRbp = 6;
constexpr int kFctxReturn = 7;
constexpr uintptr_t kFctxBytes = 8 * sizeof(uint64_t);

/// Rebuilds a parked goroutine's registers from what jump_fcontext saved.  The
/// parked stack was written by the (uninstrumented) switch code, so the
/// sanitizers stay out of these reads.
__attribute__((no_sanitize("address", "thread"))) void context_from_fctx(const void* fctx,
                                                                          unw_context_t* uc) {
  const auto* slot = static_cast<const uint64_t*>(fctx);
  greg_t* r = uc->uc_mcontext.gregs;
  r[REG_R12] = static_cast<greg_t>(slot[1]);
  r[REG_R13] = static_cast<greg_t>(slot[2]);
  r[REG_R14] = static_cast<greg_t>(slot[3]);
  r[REG_R15] = static_cast<greg_t>(slot[4]);
  r[REG_RBX] = static_cast<greg_t>(slot[5]);
  r[REG_RBP] = static_cast<greg_t>(slot[kFctxRbp]);
  r[REG_RIP] = static_cast<greg_t>(slot[kFctxReturn]);
  r[REG_RSP] = static_cast<greg_t>(reinterpret_cast<uintptr_t>(fctx) + kFctxBytes);
}

}  // namespace

__attribute__((noinline)) void unwind_current(Walk* w, int drop) {
  unw_context_t uc;
  unw_cursor_t cur;
  if (unw_getcontext(&uc) != 0 || unw_init_local(&cur, &uc) != 0) return;
  // Frame 0 is unwind_current itself.
  collect(&cur, false, drop + 1, w);
}

void unwind_parked(const G* gp, Walk* w) {
  const void* fctx = gp->fiber.fctx;
  if (fctx == nullptr) return;  // never ran: no frames yet
  unw_context_t uc;
  std::memset(&uc, 0, sizeof uc);
  context_from_fctx(fctx, &uc);
  unw_cursor_t cur;
  // The first pc is jump_fcontext's return address: look it up as pc-1 too.
  if (unw_init_local(&cur, &uc) != 0) return;
  collect(&cur, false, 0, w);
}

__attribute__((no_sanitize("address", "thread"))) bool parked_frame(const G* gp, ParkedFrame* out) {
  const auto* slot = static_cast<const uint64_t*>(gp->fiber.fctx);
  if (slot == nullptr) return false;  // no context yet
  out->pc = slot[kFctxReturn];
  out->sp = reinterpret_cast<uintptr_t>(slot) + kFctxBytes;
  out->fp = slot[kFctxRbp];
  // A first context (make_fcontext) that has not run holds Boost's `finish`
  // address in the rbp slot, not a frame on this stack: nothing to walk.
  return out->fp >= out->sp && out->fp < reinterpret_cast<uintptr_t>(gp->stack_hi);
}

void unwind_ucontext(const void* uctx, Walk* w) {
  if (uctx == nullptr) return;
  // Only the general registers: the kernel's ucontext is shorter than glibc's
  // ucontext_t, so the whole struct is not copied.
  unw_context_t uc;
  std::memset(&uc, 0, sizeof uc);
  std::memcpy(uc.uc_mcontext.gregs, static_cast<const ucontext_t*>(uctx)->uc_mcontext.gregs,
              sizeof uc.uc_mcontext.gregs);
  unw_cursor_t cur;
  // The first frame stopped at its pc (a fault), not at a return address.
  if (unw_init_local2(&cur, &uc, UNW_INIT_SIGNAL_FRAME) != 0) return;
  collect(&cur, true, 0, w);
}

void unwind_init() {
  // No caching: libunwind's caches sit behind a pthread mutex (the global
  // cache) or in thread-local state a signal may catch half-updated (the
  // per-thread one), and either can belong to the very frame a fatal signal
  // interrupted.  A walk then decodes each frame's CFI afresh.
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
  Walk w;
  unwind_current(&w, 0);
}

__attribute__((noinline)) void traceback_current(FILE* out, int skip, bool show_runtime) {
  Walk w;
  // Frame 0 is traceback_current itself.
  unwind_current(&w, 1);
  print_walk(out, w, skip, show_runtime);
}

void traceback_parked(FILE* out, const G* gp, bool show_runtime) {
  Walk w;
  unwind_parked(gp, &w);
  if (w.n > 0) print_walk(out, w, 0, show_runtime);
}

void traceback_ucontext(FILE* out, const void* uctx, bool show_runtime) {
  Walk w;
  unwind_ucontext(uctx, &w);
  if (w.n > 0) print_walk(out, w, 0, show_runtime);
}

void traceback_pcs(FILE* out, void* const* pcs, int n, bool show_runtime) {
  if (pcs == nullptr || n <= 0) return;
  Walk w;
  // unw_backtrace's first entry is the return address into its caller, so
  // every entry is a return address (looked up at pc-1).
  for (int i = 0; i < n; ++i) {
    if (!add_frame(&w, reinterpret_cast<uintptr_t>(pcs[i]), 0)) break;
  }
  print_walk(out, w, 0, show_runtime);
}

// Not inlined, so its own frame is always the first that unwinding finds.
__attribute__((noinline)) int callers(int skip, uintptr_t* pcs, int max) {
  if (max <= 0) return 0;
  constexpr int kChunk = 128;  // frames unwound at most (skip included)
  void* buf[kChunk];
  const int want = std::min(kChunk, skip + 1 + max);
#if defined(GORT_TSAN)
  // libunwind's fast unwinder keeps a per-thread cache whose destructor runs
  // at thread exit, after TSAN has retired the thread (a crash inside TSAN's
  // mutex hook); libgcc's unwinder keeps none.  Same frames, slower: only the
  // TSAN build pays.  (glibc's backtrace() would resolve to libunwind's.)
  struct Collect {
    void** pcs;
    int n;
    int max;
  } c{buf, 0, want};
  _Unwind_Backtrace(
      [](_Unwind_Context* ctx, void* arg) {
        auto* col = static_cast<Collect*>(arg);
        if (col->n >= col->max) return _URC_END_OF_STACK;
        col->pcs[col->n++] = reinterpret_cast<void*>(_Unwind_GetIP(ctx));
        return _URC_NO_REASON;
      },
      &c);
  const int n = c.n;
#else
  const int n = unw_backtrace(buf, want);
#endif
  // buf[0] is the return address into callers() itself (unw_backtrace's first
  // entry; libgcc's first frame is callers' own): drop it and `skip` more.
  int k = 0;
  for (int i = skip + 1; i < n && k < max; ++i) pcs[k++] = reinterpret_cast<uintptr_t>(buf[i]);
  return k;
}

}  // namespace gort::runtime
