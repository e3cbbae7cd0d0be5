// gort/runtime/internal/stw_reason.hpp — why the world is stopped (mirrors stwReason in
// golang/go src/runtime/proc.go, Go 1.22), named in execution traces.
#pragma once

#include <cstdint>

namespace gort::runtime {

enum class StwReason : uint8_t {
  Unknown,           // "unknown"
  SweepTermination,  // "GC sweep termination"
  MarkTermination,   // "GC mark termination"
  GoMaxProcs,        // "GOMAXPROCS"
  ReadMemStats,      // "ReadMemStats"
  StartTrace,        // "start trace"
  Exit,              // "exit"
  GoroutineProfile,  // "goroutine profile"
  AllGoroutinesStack,  // "all goroutines stack trace"
  MemProfileRate,    // "set memory profile rate" (gort's own: gc/src/mcache_sample.cpp says why)
  kCount,
};

/// Returns Go's text for a stop-the-world reason ("GC mark termination", ...).
const char* stw_reason_string(StwReason r);

}  // namespace gort::runtime
