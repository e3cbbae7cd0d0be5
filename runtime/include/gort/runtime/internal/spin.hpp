// gort/runtime/internal/spin.hpp — whether a goroutine waiting for a sync.Mutex may spin
// (mirrors sync_runtime_canSpin and sync_runtime_doSpin in proc.go).
//
// A goroutine that finds a Mutex locked may busy-wait a little before parking,
// hoping the holder, running on another P, releases it soon.  Spinning is only
// worth it while it cannot delay other work: the runtime decides that, since
// only it knows the P set and the run queues.
#pragma once

namespace gort::runtime {

/// True if a goroutine that has spun `iter` times already may spin once more:
/// fewer than 4 rounds, more than one CPU, GOMAXPROCS greater than the idle
/// and spinning Ps plus one (another P is running something, which may be the
/// holder), and nothing queued on the caller's P.  Precondition: called from a
/// goroutine.
bool sync_can_spin(int iter);

/// One round of spinning: 30 PAUSE instructions (procyield(active_spin_cnt)).
void sync_do_spin();

}  // namespace gort::runtime
