// crash.cpp — how the program dies (mirrors throw and fatalpanic in panic.go).
//
// Go's two ways to die, reproduced in their output format and exit status 2:
//   fatal error: <msg>          the runtime found its own state broken (throw)
//   panic: <msg> + traceback    a panic no deferred recover caught
#include <cstdio>
#include <cstring>
#include <exception>
#include <typeinfo>

#include <cxxabi.h>
#include <unistd.h>

#include <gort/panic.hpp>

#include "crash.hpp"
#include "current.hpp"
#include "crash_report.hpp"
#include "dump.hpp"
#include "traceback.hpp"
#include "sched.hpp"
#include "sigsafe_format.hpp"
#include "stack.hpp"

namespace gort::runtime {

void gothrow(const char* msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "fatal error: %s\n", msg);
  // Go's throw: the failing goroutine with runtime frames (the runtime's own
  // state is broken, so no other goroutine is walked).
  const TracebackLevel level = debug_traceback_level();
  M* mp = current_m();
  if (level != TracebackLevel::None && mp != nullptr && mp->curg != nullptr) {
    std::fputc('\n', stderr);
    print_goroutine_header(stderr, mp->curg);
    traceback_current(stderr, 1, true);
  }
  die_after_dump(level);
}

extern const int throw_trace_linked;  // throw_trace.cpp

void die_unrecovered(G* gp, std::exception_ptr ex) {
  (void)*static_cast<const volatile int*>(&throw_trace_linked);
  std::fflush(stdout);
  std::string msg;
  try {
    std::rethrow_exception(ex);
  } catch (const Panic& p) {
    msg = p.what();
  } catch (const std::exception& e) {
    // A C++ exception that is not a gort::Panic is shown as Go shows a panic
    // with an error value: its text, after the exception's type.
    int status = 0;
    char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status);
    msg = std::string(status == 0 && name ? name : typeid(e).name()) + ": " + e.what();
    std::free(name);
  } catch (...) {
    msg = "unknown C++ exception";
  }
  std::fprintf(stderr, "panic: %s\n", msg.c_str());
  const TracebackLevel level = debug_traceback_level();
  if (level != TracebackLevel::None) {
    const bool show_runtime = level >= TracebackLevel::System;
    std::fprintf(stderr, "\ngoroutine %lld [running]:\n", static_cast<long long>(gp->goid));
    M* mp = current_m();
    if (mp->throw_goid == gp->goid && mp->throw_npcs > 0) {
      traceback_pcs(stderr, mp->throw_pcs, mp->throw_npcs, show_runtime);  // from the throw
    } else {
      traceback_current(stderr, 1, show_runtime);
    }
    FileDumpSink sink(stderr);
    dump_created_by(sink, gp);
    if (level >= TracebackLevel::All) dump_other_goroutines(sink, gp, show_runtime);
  }
  die_after_dump(level);
}

void check_stack_canary(G* gp) {
  if (std::memcmp(gp->stack_lo, &kStackCanary, sizeof kStackCanary) != 0) {
    std::fprintf(stderr, "runtime: goroutine stack exceeds %zu-byte limit\n", kStackLimitBytes);
    gothrow("stack overflow");
  }
}

}  // namespace gort::runtime

// ---- synchronous faults -------------------------------------------------------
//
// A goroutine that runs off the end of its stack touches its guard region
// (stack.hpp) and takes SIGSEGV.  The handler runs on the M's alternate signal
// stack — the goroutine's own stack is exhausted — and prints Go's report:
//   runtime: goroutine stack exceeds 245760-byte limit
//   runtime: sp=0x... stack=[0x..., 0x...]
//   fatal error: stack overflow
// Any other SIGSEGV/SIGBUS in a goroutine is Go's nil-dereference panic,
// "panic: runtime error: invalid memory address or nil pointer dereference"
// with its "[signal SIGSEGV: ...]" line.  Both exit with status 2.  SIGQUIT
// dumps every goroutine and exits 2.  The handlers format with LineBuf and
// write(2) and leave the goroutine report to crash_report.cpp: a fault may
// land anywhere, inside malloc or stdio with their locks held included.

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace gort::runtime {

namespace {

/// Alternate signal stack size: the report unwinds stacks with libunwind
/// (a cursor and a walk are a few KiB) and starts the report's helper
/// process; 256 KiB of address space per M leaves ample room, and only the
/// pages touched cost memory.
constexpr std::size_t kSigStackBytes = 256 * 1024;

/// Signal stacks mapped and not yet unmapped, in bytes.
std::atomic<std::size_t> mapped_signal_stack_bytes{0};

void fault_handler(int sig, siginfo_t* info, void* uctx) {
  M* mp = current_m();
  G* gp = mp != nullptr ? mp->curg : nullptr;
  uintptr_t sp = 0, pc = 0;
  if (uctx != nullptr) {
    auto* uc = static_cast<ucontext_t*>(uctx);
    sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
    pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  }
  LineBuf<512> msg;
  if (gp != nullptr && !gp->is_g0 &&
      (stack_guard_contains(gp->stack_lo, info->si_addr) ||
       stack_guard_contains(gp->stack_lo, reinterpret_cast<void*>(sp)))) {
    msg.str("runtime: goroutine stack exceeds ").dec(static_cast<int64_t>(kStackLimitBytes)).str("-byte limit\n");
    msg.str("runtime: sp=").hex(sp).str(" stack=[").hex(reinterpret_cast<uintptr_t>(gp->stack_lo));
    msg.str(", ").hex(reinterpret_cast<uintptr_t>(gp->stack_hi)).str("]\n");
    msg.str("fatal error: stack overflow\n");
  } else {
    msg.str("panic: runtime error: invalid memory address or nil pointer dereference\n");
    msg.str(sig == SIGBUS ? "[signal SIGBUS: bus error" : "[signal SIGSEGV: segmentation violation");
    msg.str(" code=").hex(static_cast<unsigned>(info->si_code));
    msg.str(" addr=").hex(reinterpret_cast<uintptr_t>(info->si_addr)).str(" pc=").hex(pc).str("]\n");
  }
  report_from_signal(msg.c_str(), gp, uctx, std::max(debug_traceback_level(), TracebackLevel::Single));
}

/// SIGQUIT: dump every goroutine and exit 2, as a Go program does.
void quit_handler(int, siginfo_t* info, void* uctx) {
  M* mp = current_m();
  G* gp = mp != nullptr ? mp->curg : nullptr;
  uintptr_t pc = 0;
  if (uctx != nullptr) pc = static_cast<uintptr_t>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]);
  LineBuf<160> msg;
  msg.str("SIGQUIT: quit\nPC=").hex(pc).str(" m=").dec(mp != nullptr ? mp->id : -1);
  msg.str(" sigcode=").dec(info->si_code).str("\n");
  // Go's SIGQUIT dump shows every goroutine with runtime frames.
  const TracebackLevel env = debug_traceback_level();
  report_from_signal(msg.c_str(), gp, uctx,
                     env == TracebackLevel::None ? env : std::max(env, TracebackLevel::System));
}

std::once_flag handlers_once;

}  // namespace

void install_fault_handlers() {
  std::call_once(handlers_once, [] {
    unwind_init();
    struct sigaction sa {};
    sa.sa_sigaction = &fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
    struct sigaction qa {};
    qa.sa_sigaction = &quit_handler;
    qa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&qa.sa_mask);
    sigaction(SIGQUIT, &qa, nullptr);
  });
}

void signal_stack_init(M* mp) {
  void* p = mmap(nullptr, kSigStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) gothrow("signal stack: out of memory");
  stack_t ss{};
  ss.ss_sp = p;
  ss.ss_size = kSigStackBytes;
  if (sigaltstack(&ss, nullptr) != 0) gothrow("sigaltstack failed");
  mp->sigstack = p;
  mp->sigstack_size = kSigStackBytes;
  mapped_signal_stack_bytes.fetch_add(kSigStackBytes, std::memory_order_relaxed);
}

void signal_stack_release(M* mp) {
  if (mp->sigstack == nullptr) return;
  stack_t ss{};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  munmap(mp->sigstack, mp->sigstack_size);
  mapped_signal_stack_bytes.fetch_sub(mp->sigstack_size, std::memory_order_relaxed);
  mp->sigstack = nullptr;
}

std::size_t signal_stack_bytes() { return mapped_signal_stack_bytes.load(std::memory_order_relaxed); }

}  // namespace gort::runtime
