// gort/runtime/internal/goroutine_profile.hpp — what the "goroutine" and
// "threadcreate" profiles of pprof/ read from the scheduler (mirrors
// runtime.GoroutineProfile (goroutineProfileWithLabels), runtime.Stack(buf,
// true) and runtime.ThreadCreateProfile in golang/go src/runtime/mprof.go).
#pragma once

#include <cstdint>
#include <cstdio>
#include <vector>

namespace gort::runtime {

/// One stack of a profile record: return addresses, innermost first.
using StackPcs = std::vector<uintptr_t>;

/// Appends the stack of every live goroutine but the runtime's own (Go's
/// isSystemGoroutine) to *out: the caller's first, from its caller's frame
/// on, then the others', taken with the world stopped.  A goroutine that runs
/// on another thread in a blocking call, or has not run yet, has an empty
/// stack (no consistent register set to unwind from).  Returns how many were
/// appended.  Precondition: called from a goroutine that holds a P and no
/// runtime lock (it stops the world).
int goroutine_profile(std::vector<StackPcs>* out);

/// Writes every live goroutine's traceback to out as Go's runtime.Stack(buf,
/// true) does: the caller's ("goroutine N [running]:") first, then the others
/// in id order, each after a blank line, runtime frames hidden.  Stops the
/// world while it writes.  Precondition: as goroutine_profile's.
void goroutine_dump_all(FILE* out);

/// Appends, for every M (OS thread) the runtime created, the stack that
/// created it (empty for the first thread, m0).  Returns how many.  Takes
/// sched.lock; any thread, inside or outside gort::run.
int thread_create_profile(std::vector<StackPcs>* out);

}  // namespace gort::runtime
