// crash_report.hpp — the report of a fatal signal (crash_report.cpp).
#pragma once

#include "g.hpp"
#include "traceback.hpp"

namespace gort::runtime {

/// Writes `message` (the signal's own lines), then the goroutine report for
/// `level` — gp's frames from the interrupted context uctx ("goroutine 0
/// [idle]" when gp is null), then for level >= All every other goroutine —
/// and ends the process: abort() for GOTRACEBACK=crash, else exit status 2.
/// Async-signal-safe: for SIGSEGV, SIGBUS and SIGQUIT handlers, whatever they
/// interrupted.  One report per process: another thread that arrives while a
/// report is being printed waits for the process to end.
[[noreturn]] void report_from_signal(const char* message, G* gp, const void* uctx, TracebackLevel level);

}  // namespace gort::runtime
