// dump.hpp — goroutine dumps (dump.cpp).
#pragma once

#include <cstdio>

#include "g.hpp"
#include "traceback.hpp"

namespace gort::runtime {

/// "goroutine N [status, M minutes, locked to thread]:" as Go prints it.
void print_goroutine_header(FILE* out, const G* gp);

/// Header, frames and "created by" of one goroutine.  is_current: gp is the
/// caller (its stack is walked live).
void print_goroutine(FILE* out, const G* gp, bool is_current, bool show_runtime);

/// "created by … in goroutine N" for gp, unless it is the main goroutine.
void print_created_by(FILE* out, const G* gp);

/// Go's dump for a dying program at `level`: current first (if any), then (for
/// All and above) every other live goroutine, each preceded by a blank line.
void dump_goroutines(FILE* out, const G* current, TracebackLevel level);

/// Every live goroutine but `current`, in goroutine-id order, each preceded by a
/// blank line (Go's tracebackothers).
void print_other_goroutines(FILE* out, const G* current, bool show_runtime);

/// Ends the process after a dump: abort() for GOTRACEBACK=crash, else exit 2.
[[noreturn]] void die_after_dump(TracebackLevel level);

/// The GOTRACEBACK level in force (env.cpp).
TracebackLevel debug_traceback_level();

}  // namespace gort::runtime
