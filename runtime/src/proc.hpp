// proc.hpp — what happens to a goroutine, shared across the runtime's files.
//
// The rule between proc.hpp and sched.hpp (written at the top of both):
//   proc.hpp   the life of one goroutine: its record (allg.cpp, the sudogs it
//              waits with), its creation and first run (newproc.cpp), the
//              switch handoff that starts and resumes it, the calls a running
//              goroutine makes on itself (yield, exit), and the teardown of
//              those records;
//   sched.hpp  the scheduler's shared state (schedt, allp) and everything that
//              acts on Ms and Ps: waking, starting and stopping Ms, the idle
//              lists, handing Ps off, stopping the world, preemption requests,
//              sysmon, the Ps' timers, checkdead.
// A declaration goes where the thing it acts on is: a G here, an M or a P there.
// newproc_prepare and newproc_start, which gort::go calls from the user's code,
// are public (gort/runtime.hpp); gort's throw is in crash.hpp.
#pragma once

#include <cstdint>

#include "fiber.hpp"
#include "g.hpp"

namespace gort::runtime {

// ---- allg.cpp: G records ----

/// A new dead G record from a slab, registered in allgs (mirrors malg +
/// allgadd; the stack comes at first run).  Thread-safe.
G* malg();
/// Destroys the sanitizer state of every G (teardown; no G may run).
void allg_destroy_all();
/// Unmaps every G record slab (teardown, after allg_destroy_all).
void gslabs_release_all();

// ---- newproc.cpp: creation, first run and exit ----

/// Gives gp, which never ran, a stack from pp's cache and its first context.
/// Precondition: the caller owns pp.
void start_fiber(struct P* pp, G* gp);
/// Finishes a goroutine that left with Exit: marks it dead and caches it
/// (mirrors goexit0).  Runs on the M the goroutine left, holding its P.
void goexit0(G* gp);

// ---- proc.cpp: switching ----

/// Completes the handoff carried by a switch: must be the first thing a context
/// does when it resumes or starts (proc.cpp explains the handoff).  Returns the
/// M the context now runs on.
struct M* complete_handoff(transfer_t t);
/// Ends the calling goroutine (mirrors goexit1): never returns.
[[noreturn]] void goexit1();
/// Puts the calling goroutine at the tail of its P's local queue and runs the
/// scheduler (mirrors goyield): unlike gosched, a G just readied into runnext
/// runs next on this P, and the caller runs again before work queued globally.
/// Used by semrelease's direct handoff.  Precondition: a goroutine with a P,
/// holding no runtime lock.
void goyield();

// ---- sudog.cpp: the records of waiting goroutines ----

/// Moves pp's cached sudogs to the central list (a P being destroyed).
void sudogcache_flush(struct P* pp);
/// Frees every sudog chunk; at teardown, when no goroutine runs.
void sudog_release_all();

}  // namespace gort::runtime
