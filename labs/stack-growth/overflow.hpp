// overflow.hpp — step 1 taken too far: depth(n) beyond the stack limit, and
// what the runtime prints then.
//
// A goroutine that outgrows its stack ends the process.  Go prints
//     runtime: goroutine stack exceeds 1000000000-byte limit
//     runtime: sp=0x... stack=[0x..., 0x...]
//     fatal error: stack overflow
// and a traceback, exit status 2; gort prints the same with its 245760-byte
// limit (runtime/src/crash.cpp).  The lab cannot survive that, so it runs
// itself as a child (`stack-growth --overflow`) and quotes the child's report.
// The Go twin's -overflow does the same in Go, with -maxstack set to gort's
// limit through runtime/debug.SetMaxStack so both overflow at comparable depths.
#pragma once

#include <cstdint>
#include <string>

#include "results.hpp"

namespace stacklab {

/// Lines of the overflow report quoted verbatim in the lab's report.
inline constexpr int kOverflowHeadLines = 8;

/// Recurses without bound in a goroutine until the runtime reports the stack
/// overflow and ends the process (status 2).  Returns only if it did not.
/// Precondition: not inside gort::run.
int run_overflow_mode();

/// Reads a crashed run's exit status and stderr into an OverflowReport.
OverflowReport parse_overflow_report(std::string runtime, int exit_code, const std::string& stderr_text);

/// Runs this program with --overflow as a child and parses what it printed
/// (exit_code -1 and the reason in head when the child cannot be started).
OverflowReport run_overflow_child();

/// Runs the Go twin with -overflow -maxstack=<limit> and parses its report
/// (exit_code -1 and the reason in head when the twin cannot be built or run).
OverflowReport run_go_overflow(std::uint64_t max_stack_bytes);

}  // namespace stacklab
