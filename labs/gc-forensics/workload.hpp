// workload.hpp — the two experiments as gort programs (the Go twin has the
// same two in go/main.go, line for line where the languages allow).
//
// Service (course 6.3 step 1, "a service that allocates 100 MB/s of
// short-lived objects"): --workers goroutines serve requests.  A request
// builds a list of kChunksPerRequest chunks, each a small node (two managed
// pointers: next, payload) and a byte payload of 256..1792 bytes (1 KiB on
// average, kPayloadSizes), reads them back, and keeps its head chunk in the
// worker's cache, replacing a random older entry.  So nearly everything a
// request allocates is garbage by the next request, while the caches hold a
// steady live heap of --live bytes (filled before the clock starts) — the
// shape of a real service, and what makes GOGC's "live heap x (1 + GOGC/100)"
// visible.  Each worker paces itself to --rate / --workers: after a request it
// sleeps when it is more than a millisecond ahead of schedule.
//
// Retain (the gctrace worked example): one goroutine allocates --buffers
// 1 KiB buffers (Go's new([1024]byte); here a pointer-free 1,024-byte object,
// no header, the same size class) and appends each to one slice it keeps,
// sleeping 10 ms after every --pause-every buffers.
//
// The refactored service (--refactor, course step 4) serves the same requests
// with preallocated scratch and a pool of evicted entries; see service.cpp.
#pragma once

#include <cstdint>
#include <functional>

#include "params.hpp"

namespace gclab {

/// What a workload counted.
struct WorkloadOutcome {
  /// Wall time of the measured phase (service: paced; retain: the whole loop).
  int64_t elapsed_ns = 0;
  /// Bytes requested in that phase: payload sizes plus node sizes.
  uint64_t requested_bytes = 0;
  /// Objects still held when at_end ran (cache entries; retained buffers).
  int64_t retained_objects = 0;
  /// Service: requests served in the measured phase.
  int64_t requests = 0;
  /// Service: MemStats.Mallocs and NumGC growth over the measured phase (the
  /// numerator of allocs/op, and the cycles the requests cost).
  uint64_t mallocs = 0;
  uint32_t gc_cycles = 0;
  /// Service: NumGC when the measured phase began (its cycles are numbered
  /// from gc_before + 1).
  uint32_t gc_before = 0;
};

/// Runs the allocation service; calls at_end() once every worker has stopped,
/// while the caches are still live.  Precondition: on a goroutine.
WorkloadOutcome run_service(const WorkloadParams& p, const std::function<void()>& at_end);

/// Runs the worked example; calls at_end() while every buffer is still held.
/// Precondition: on a goroutine.
WorkloadOutcome run_retain(const WorkloadParams& p, const std::function<void()>& at_end);

}  // namespace gclab
