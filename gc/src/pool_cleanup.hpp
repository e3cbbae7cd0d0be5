// pool_cleanup.hpp — sync.Pool's part in a cycle (pool.cpp; mirrors poolCleanup in
// sync/pool.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

namespace gort::gc::detail {

/// Moves every Pool's primary caches to its victim caches, dropping the old
/// victims.  Precondition: world stopped.
void pool_cleanup();

}  // namespace gort::gc::detail
