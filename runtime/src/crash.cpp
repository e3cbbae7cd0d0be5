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
#include "sched.hpp"
#include "stack.hpp"

namespace gort::runtime {

void fatal(const char* msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "fatal error: %s\n", msg);
  std::fflush(stderr);
  _exit(2);
}

void die_unrecovered(G* gp, std::exception_ptr ex) {
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
  std::fprintf(stderr, "panic: %s\n\ngoroutine %lld [running]:\n", msg.c_str(),
               static_cast<long long>(gp->goid));
  std::fflush(stderr);
  _exit(2);
}

void check_stack_canary(G* gp) {
  if (std::memcmp(gp->stack_lo, &kStackCanary, sizeof kStackCanary) != 0) {
    std::fprintf(stderr, "runtime: goroutine stack exceeds %zu-byte limit\n", kStackLimitBytes);
    fatal("stack overflow");
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
// with its "[signal SIGSEGV: ...]" line.  Both exit with status 2.

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <mutex>

namespace gort::runtime {

namespace {

/// Alternate signal stack size: the report needs little, libunwind (later) a few
/// KiB; 64 KiB leaves ample room.
constexpr std::size_t kSigStackBytes = 64 * 1024;

void write_str(const char* s) {
  std::size_t n = std::strlen(s);
  while (n > 0) {
    ssize_t w = ::write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

void fault_handler(int sig, siginfo_t* info, void* uctx) {
  M* mp = current_m();
  G* gp = mp != nullptr ? mp->curg : nullptr;
  char buf[512];
  uintptr_t sp = 0, pc = 0;
  if (uctx != nullptr) {
    auto* uc = static_cast<ucontext_t*>(uctx);
    sp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
    pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  }
  if (gp != nullptr && !gp->is_g0 &&
      (stack_guard_contains(gp->stack_lo, info->si_addr) ||
       stack_guard_contains(gp->stack_lo, reinterpret_cast<void*>(sp)))) {
    std::snprintf(buf, sizeof buf,
                  "runtime: goroutine stack exceeds %zu-byte limit\n"
                  "runtime: sp=%#lx stack=[%p, %p]\n"
                  "fatal error: stack overflow\n\ngoroutine %lld [running]:\n",
                  kStackLimitBytes, static_cast<unsigned long>(sp),
                  static_cast<void*>(gp->stack_lo), static_cast<void*>(gp->stack_hi),
                  static_cast<long long>(gp->goid));
  } else {
    std::snprintf(buf, sizeof buf,
                  "panic: runtime error: invalid memory address or nil pointer dereference\n"
                  "[signal %s: %s code=0x%x addr=0x%lx pc=0x%lx]\n\ngoroutine %lld [running]:\n",
                  sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
                  sig == SIGBUS ? "bus error" : "segmentation violation", static_cast<unsigned>(info->si_code),
                  reinterpret_cast<unsigned long>(info->si_addr),
                  static_cast<unsigned long>(pc), static_cast<long long>(gp != nullptr ? gp->goid : 0));
  }
  write_str(buf);
  _exit(2);
}

std::once_flag handlers_once;

}  // namespace

void install_fault_handlers() {
  std::call_once(handlers_once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = &fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
  });
}

void signal_stack_init(M* mp) {
  void* p = mmap(nullptr, kSigStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fatal("signal stack: out of memory");
  stack_t ss{};
  ss.ss_sp = p;
  ss.ss_size = kSigStackBytes;
  if (sigaltstack(&ss, nullptr) != 0) fatal("sigaltstack failed");
  mp->sigstack = p;
  mp->sigstack_size = kSigStackBytes;
}

void signal_stack_release(M* mp) {
  if (mp->sigstack == nullptr) return;
  stack_t ss{};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  munmap(mp->sigstack, mp->sigstack_size);
  mp->sigstack = nullptr;
}

}  // namespace gort::runtime
