// finalizer.hpp — finalizers' part in a cycle (finalizer.cpp; mirrors mfinal.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstddef>

#include "mark.hpp"

namespace gort::gc::detail {

/// Scans the referents of every object with a finalizer and the objects of queued
/// finalizers (both roots).  Precondition: world stopped.
void mark_finalizer_roots(MarkState& state);
/// Queues the finalizers of objects the mark left white, marking those objects
/// so they live until their finalizer ran.  Returns the number queued.
std::size_t queue_dead_finalizers(MarkState& state);
/// Starts a goroutine to run queued finalizers if any are waiting and none runs.
void start_finalizer_goroutine();
/// Finalizers registered (for tests and diagnostics).
std::size_t finalizer_count();

}  // namespace gort::gc::detail
