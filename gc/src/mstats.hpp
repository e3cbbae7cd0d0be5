// mstats.hpp — the cycle statistics (mstats.cpp; mirrors mstats.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstdint>

namespace gort::gc::detail {

/// Records a finished cycle in the statistics (its total pause, end time,
/// forced, cpu) — MemStats' PauseNs ring and counters.
void record_cycle(int64_t pause_ns, int64_t end_unix_ns, bool forced, double gc_cpu_fraction);
/// Records one stop-the-world pause in the /gc/pauses histogram (Go records
/// each of a cycle's pauses there, and their sum in PauseNs).
void record_stw_pause(int64_t pause_ns);
/// Cycles completed (Go's memstats.numgc).
uint32_t num_gc();

}  // namespace gort::gc::detail
