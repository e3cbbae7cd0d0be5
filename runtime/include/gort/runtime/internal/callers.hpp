// gort/runtime/internal/callers.hpp — the calling goroutine's stack as return
// addresses (mirrors runtime.callers): what the execution tracer's stacks and
// the profilers' records outside a signal handler are taken with.
#pragma once

#include <cstdint>

namespace gort::runtime {

/// Stores up to max return addresses of the calling thread's stack into pcs,
/// innermost first, and returns how many.  pcs[0] is a return address into the
/// function that called callers() when skip is 0; skip drops that many more
/// frames.  Every entry is a return address (look it up at pc-1).  Allocates
/// nothing and takes no lock, but is not async-signal-safe in the TSAN build
/// (libgcc's unwinder there); a goroutine's walk ends at its first function's
/// caller frames (the fiber entry), a thread's at its start routine.
int callers(int skip, uintptr_t* pcs, int max);

}  // namespace gort::runtime
