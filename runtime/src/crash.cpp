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
    std::fprintf(stderr, "runtime: goroutine stack exceeds %zu-byte limit\n",
                 static_cast<std::size_t>(gp->stack_hi - gp->stack_lo));
    fatal("stack overflow");
  }
}

}  // namespace gort::runtime
