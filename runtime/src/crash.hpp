// crash.hpp — fatal errors and unrecovered panics (crash.cpp).
#pragma once

#include <exception>

#include "g.hpp"
#include "m.hpp"

namespace gort::runtime {

/// Ends the program as Go does for a panic nobody recovered: "panic: <msg>",
/// a blank line, "goroutine N [running]:", then exit status 2.
[[noreturn]] void die_unrecovered(G* gp, std::exception_ptr ex);

/// Installs the SIGSEGV/SIGBUS handlers (once per process) that report a
/// goroutine stack overflow or a bad memory access the way Go does.
void install_fault_handlers();

/// Gives the calling thread (an M) an alternate signal stack, so a fault on an
/// exhausted goroutine stack can still be reported; releases it again.
void signal_stack_init(M* mp);
void signal_stack_release(M* mp);

/// Aborts with "fatal error: stack overflow" if gp's canary word was overwritten
/// (canary-mode stacks only; see stack.hpp).
void check_stack_canary(G* gp);

}  // namespace gort::runtime
