// crash.hpp — how the program dies: throws, unrecovered panics, faults (crash.cpp).
//
// Go's runtime has two ways to die without a panic, and gort names them as Go
// does, so a Go reader maps them at once:
//   gothrow  Go's throw: the runtime found its own state broken.  `throw` is a
//            C++ keyword; Go's runtime, while it was still partly written in C
//            (up to Go 1.4), spelled the same function runtime·throw, and
//            gothrow is that name spelled for C++.
//   fatal    Go's fatal: the program misused the library in a way that must not
//            be recoverable (sync's "unlock of unlocked mutex"); public, for
//            chan/ and gc/, in gort/runtime/internal/fatal.hpp (fatal.cpp).
// Both print "fatal error: <msg>" and exit with status 2, as Go's do; they
// differ in what they walk (see fatal.cpp).
#pragma once

#include <cstddef>
#include <exception>

#include "g.hpp"
#include "m.hpp"

namespace gort::runtime {

/// Prints "fatal error: <msg>", then (unless GOTRACEBACK=none) the calling
/// goroutine with runtime frames, and exits with status 2, or aborts under
/// GOTRACEBACK=crash (mirrors throw).  For broken runtime invariants only;
/// misuse by the program is fatal's.  May be called holding runtime locks (it
/// takes none).
[[noreturn]] void gothrow(const char* msg);

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

/// Bytes of signal stacks mapped for Ms now (part of StackSys).  Any thread.
std::size_t signal_stack_bytes();

/// Aborts with "fatal error: stack overflow" if gp's canary word was overwritten
/// (canary-mode stacks only; see stack.hpp).
void check_stack_canary(G* gp);

}  // namespace gort::runtime
