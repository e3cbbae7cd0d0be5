// gort/runtime/internal/park.hpp — the runtime's blocking primitive, for chan/, gc/ and sync.
//
// Go builds every blocking operation (channels, select, sleep, sync, GC assists)
// on two functions: gopark takes the running goroutine off its M with a wait
// reason, and goready makes a parked goroutine runnable again from any M.  These
// are those two functions.  The higher layers reach the scheduler only through
// this header and gort/runtime/internal/sema.hpp.
#pragma once

#include <cstdint>

#include <gort/runtime/internal/wait_reason.hpp>

namespace gort::runtime {

struct G;

/// Called once the parking goroutine is off its stack; returning false cancels the
/// park (the goroutine becomes runnable again).  Runs on the M that parked.
using UnlockFn = bool (*)(G* gp, void* arg);

/// Returns the calling goroutine.  Precondition: called from a goroutine.
G* current_g();

/// Parks the calling goroutine with `reason` (mirrors gopark in proc.go): it stops
/// running, then unlockf(gp, arg) runs (typically releasing the lock that protects
/// the wait queue the goroutine was put on), and it stays parked until ready(gp).
/// Preconditions: called from a goroutine; holds no lock other than the one
/// unlockf releases.
void park(WaitReason reason, UnlockFn unlockf = nullptr, void* arg = nullptr);

/// Makes parked goroutine gp runnable (mirrors goready): it goes to the calling
/// P's runnext slot, and an idle P is woken to run what it displaced.  May be
/// called from any goroutine or from a thread outside the runtime (then gp goes
/// to the global run queue).  Precondition: gp is parked, i.e. its unlockf has
/// run: a waker can only find gp through the structure unlockf unlocked.
void ready(G* gp);

/// Returns the id of the P the calling goroutine runs on (0..gomaxprocs-1);
/// only stable until the goroutine next yields.  For tests and diagnostics.
int current_p_id();

/// Returns the id of the M (OS thread record) the calling goroutine runs on.
int64_t current_m_id();

}  // namespace gort::runtime
