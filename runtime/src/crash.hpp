// crash.hpp — fatal errors and unrecovered panics (crash.cpp).
#pragma once

#include <exception>

#include "g.hpp"

namespace gort::runtime {

/// Ends the program as Go does for a panic nobody recovered: "panic: <msg>",
/// a blank line, "goroutine N [running]:", then exit status 2.
[[noreturn]] void die_unrecovered(G* gp, std::exception_ptr ex);

/// Aborts with "fatal error: stack overflow" if gp's canary word was overwritten
/// (canary-mode stacks only; see stack.hpp).
void check_stack_canary(G* gp);

}  // namespace gort::runtime
