// preempt.cpp — asynchronous preemption (mirrors preemptM, doSigPreempt,
// wantAsyncPreempt and asyncPreempt2 in preempt.go and signal_unix.go).
//
// Cooperative preemption (P.preempt, checked at safe points) cannot stop a loop
// that never calls into the runtime.  Go stops such a loop by sending the thread
// SIGURG and making the interrupted goroutine call the scheduler from wherever
// it was.  Go can do that anywhere because its compiler records which registers
// and stack slots hold pointers at every instruction.  Arbitrary C++ has no such
// guarantee: a fiber stopped inside malloc, holding a thread-local cache or a
// lock owned by the thread, and resumed on another thread corrupts the
// allocator.  So gort preempts asynchronously only goroutines that are inside a
// region the program declared safe (gort::AsyncPreemptible: plain computation,
// no allocation, no locks, no thread-local state), never while the M holds a
// runtime lock, and never when the signal lands outside the goroutine's stack.
//
// Sending: sysmon's preemptone, after setting P.preempt, sends SIGURG with
// tgkill to the M when its goroutine is in such a region.  Receiving: the
// handler checks again (same conditions, plus the preemption request still
// pending), then rewrites the signal context: rsp -= 128 (skip the red zone),
// push the interrupted rip, rip = gort_async_preempt_entry
// (async_preempt_amd64.S), which saves every register, flags and the xsave
// state, and calls gort_async_preempt_yield: the goroutine yields exactly as at
// a cooperative safe point (to the global run queue, reason "preempted").
// From the injection until the trampoline has returned, no second injection:
// the handler refuses while the M's injection is pending, while the pc is in
// the trampoline, and gort_async_preempt_yield zeroes the goroutine's
// async_safe count while the runtime works on its behalf (restored before the
// trampoline restores the registers).  Without that, a stop-the-world's
// repeated signals nested save areas until the stack overflowed.
// GODEBUG=asyncpreemptoff=1 turns the sending off.
#include <gort/runtime.hpp>

#include <cpuid.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "current.hpp"
#include "env.hpp"
#include "proc.hpp"
#include "sched.hpp"

extern "C" {
void gort_async_preempt_entry();
/// One past gort_async_preempt_entry's last instruction (async_preempt_amd64.S).
extern const uintptr_t gort_async_preempt_end_pc;
void gort_async_preempt_yield();
/// Bytes the trampoline reserves for xsave (CPUID leaf 0xD), plus alignment slack.
uint64_t gort_xsave_area_bytes = 4096;
}

namespace gort::runtime {

namespace {

std::atomic<uint64_t> async_preempt_count{0};
std::once_flag setup_once;

/// Red zone of the System V x86-64 ABI: leaf code may keep data below rsp.
constexpr uintptr_t kRedZone = 128;

bool in_goroutine_stack(const G* gp, uintptr_t sp) {
  return sp > reinterpret_cast<uintptr_t>(gp->stack_lo) + 4096 && sp <= reinterpret_cast<uintptr_t>(gp->stack_hi);
}

void preempt_signal_handler(int, siginfo_t*, void* uctx_raw) {
  M* mp = current_m();
  if (mp == nullptr) return;
  G* gp = mp->curg;
  P* pp = mp->p;
  if (gp == nullptr || pp == nullptr || mp->locks != 0 || mp->async_preempt_pending) return;
  if (gp->async_safe.load(std::memory_order_relaxed) <= 0) return;
  if (!pp->preempt.load(std::memory_order_relaxed)) return;
  auto* uc = static_cast<ucontext_t*>(uctx_raw);
  const auto sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  if (!in_goroutine_stack(gp, sp)) return;  // in the scheduler, a signal frame, ...
  const auto rip = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  // Inside the trampoline, restoring what an earlier preemption saved: a second
  // injection would nest a save area inside the first.
  if (rip >= reinterpret_cast<uintptr_t>(&gort_async_preempt_entry) && rip < gort_async_preempt_end_pc) return;
  uintptr_t new_sp = sp - kRedZone - sizeof(uintptr_t);
  *reinterpret_cast<uintptr_t*>(new_sp) = rip;
  uc->uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(new_sp);
  uc->uc_mcontext.gregs[REG_RIP] = reinterpret_cast<greg_t>(&gort_async_preempt_entry);
  mp->async_preempt_pending = true;  // no second injection until this one ran
}

void setup() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(0xD, 0, &eax, &ebx, &ecx, &edx) && ebx != 0) {
    gort_xsave_area_bytes = ebx + 64;  // size for the features XCR0 enables, + alignment
  }
  struct sigaction sa {};
  sa.sa_sigaction = &preempt_signal_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGURG, &sa, nullptr);
}

}  // namespace

void async_preempt_init() { std::call_once(setup_once, setup); }

void preempt_async(P* pp) {
#if defined(GORT_TSAN)
  // TSAN delivers signals late, from its own interceptors, with a context that
  // is not the interrupted one: rewriting it would be wrong.  TSAN builds rely
  // on cooperative preemption only.
  (void)pp;
  return;
#endif
  if (debug.asyncpreemptoff != 0) return;
  M* mp = pp->m;
  if (mp == nullptr) return;
  G* gp = mp->curg;  // racy snapshot: the handler re-checks everything
  if (gp == nullptr || gp->async_safe.load(std::memory_order_relaxed) <= 0) return;
  syscall(SYS_tgkill, getpid(), mp->procid, SIGURG);
}

uint64_t async_preemptions() { return async_preempt_count.load(std::memory_order_relaxed); }

}  // namespace gort::runtime

extern "C" void gort_async_preempt_yield() {
  using namespace gort::runtime;
  M* mp = current_m();
  G* gp = mp->curg;
  // While the runtime yields on the goroutine's behalf (the scheduler, the
  // tracer's stack capture, which unblocks signals inside libunwind), the
  // goroutine is not at an async safe point: a stop-the-world re-sends SIGURG
  // every few microseconds, and each signal injected here would nest another
  // save area on the stack until it overflowed (Go: the runtime's own
  // functions are never async safe points, isAsyncSafePoint).
  const int32_t safe = gp->async_safe.exchange(0, std::memory_order_relaxed);
  mp->async_preempt_pending = false;  // still the injecting M: no switch yet
  async_preempt_count.fetch_add(1, std::memory_order_relaxed);
  gort::preempt_point();
  gp->async_safe.store(safe, std::memory_order_relaxed);  // gp: the same goroutine, perhaps on another M
}

namespace gort {

AsyncPreemptible::AsyncPreemptible() { runtime::current_m()->curg->async_safe.fetch_add(1, std::memory_order_relaxed); }
AsyncPreemptible::~AsyncPreemptible() { runtime::current_m()->curg->async_safe.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace gort
