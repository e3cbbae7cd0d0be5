// proc.hpp — goroutine lifecycle entry points shared by proc.cpp, newproc.cpp,
// run.cpp and sysmon.cpp.
#pragma once

#include <atomic>
#include <cstdint>

#include "fiber.hpp"
#include "g.hpp"

namespace gort::runtime {

/// Completes the handoff carried by a switch: must be the first thing a context
/// does when it resumes or starts (proc.cpp explains the handoff).  Returns the
/// M the context now runs on.
struct M* complete_handoff(transfer_t t);

/// exitsyscall's slow path: queue the calling goroutine (status Syscall) globally
/// and stop this M until a P is free; returns once the goroutine runs again.
void exitsyscall_wait_for_p(struct M* mp);

/// Ends the calling goroutine (mirrors goexit1): never returns.
[[noreturn]] void goexit1();
/// Finishes a goroutine that left with Exit: marks it dead and caches it (goexit0).
void goexit0(G* gp);

/// A new dead G record from a slab, registered in allgs (mirrors malg +
/// allgadd; the stack comes at first run).  Thread-safe (allg.cpp).
G* malg();
/// Destroys the sanitizer state of every G (teardown; no G may run).
void allg_destroy_all();
/// Unmaps every G record slab (teardown, after allg_destroy_all).
void gslabs_release_all();

/// Gives gp, which never ran, a stack from pp's cache and its first context.
void start_fiber(struct P* pp, G* gp);

/// Moves pp's cached sudogs to the central list (a P being destroyed; sudog.cpp).
void sudogcache_flush(struct P* pp);
/// Frees every sudog chunk; at teardown, when no goroutine runs (sudog.cpp).
void sudog_release_all();

}  // namespace gort::runtime
