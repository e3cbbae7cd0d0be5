// mark_worker.hpp — the background and idle mark workers (mark_worker.cpp; mirrors
// gcBgMarkWorker, findRunnableGCWorker).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstdint>

namespace gort::gc::detail {

/// The runtime's GcHooks::mark_worker: background mark work for the calling
/// M's P (mirrors findRunnableGCWorker + gcBgMarkWorker).
bool background_mark_worker();
/// The runtime's GcHooks::scan_goroutine: greys one stopped goroutine's roots.
void scan_goroutine(const void* const* ranges, int nranges, uint64_t stack_bytes);
/// Runs idle-priority mark work on the calling M's P; true when it did some.
bool idle_mark_worker();

}  // namespace gort::gc::detail
