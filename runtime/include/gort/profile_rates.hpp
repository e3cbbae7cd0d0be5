// gort/profile_rates.hpp — how much the heap, block and mutex profiles record
// (mirrors runtime.MemProfileRate, SetBlockProfileRate and
// SetMutexProfileFraction in Go's mprof.go).  The profiles themselves are
// written through <gort/pprof.hpp>.  Each may be called from any thread,
// inside gort::run or not; settings last for the process.
#pragma once

namespace gort {

/// Sets the heap profile's sampling rate: on average one sample per `bytes`
/// bytes allocated (Go's MemProfileRate, 512 KiB by default); 1 records every
/// allocation, 0 turns heap profiling off.  Set it as early as possible, as Go
/// advises: samples already taken keep their rate.
void set_mem_profile_rate(int bytes);

/// The heap profile's sampling rate in bytes (Go's MemProfileRate).
int mem_profile_rate();

/// Turns the block profile on: a blocking event of at least `ns` nanoseconds is
/// always recorded, a shorter one with probability duration/ns (Go's
/// SetBlockProfileRate); 1 records every event, 0 or less turns it off.
void set_block_profile_rate(int ns);

/// Samples on average 1 in `n` mutex contention events into the mutex profile
/// (0 turns it off) and returns the previous fraction; a negative n only
/// returns the current one (Go's SetMutexProfileFraction).
int set_mutex_profile_fraction(int n);

}  // namespace gort
