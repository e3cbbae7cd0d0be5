// gort/gc/collector.hpp — controlling the collector: gc::collect,
// gc::set_gc_percent, gc::set_memory_limit (runtime.GC and runtime/debug's
// SetGCPercent, SetMemoryLimit), and gc::NoCollectionScope for threads that
// are not goroutines.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gort::gc {

/// Runs a full collection and waits for it, then sweeps the whole heap, so
/// every unreachable object's destructor has run on return (mirrors runtime.GC).
/// A caller arriving while a cycle runs waits for it to end and then for one
/// more full cycle, which every caller waiting meanwhile shares: sixteen
/// goroutines calling collect at once run one or two cycles, not sixteen.
/// With GODEBUG=gctrace=1 the cycle prints with "(forced)".  Precondition:
/// called from a goroutine (inside gort::run), outside a NoCollectionScope.
void collect();

/// Runs a full collection, then returns every free heap page to the OS
/// (mirrors debug.FreeOSMemory).  Same preconditions as collect().
void free_os_memory();

/// Sets GOGC (a percentage; negative turns the collector off, as GOGC=off) and
/// returns the previous value (mirrors debug.SetGCPercent).  Any thread.
int set_gc_percent(int percent);

/// Sets the soft memory limit in bytes (GOMEMLIMIT; INT64_MAX: none) and returns
/// the previous one; a negative value only reads it (mirrors
/// debug.SetMemoryLimit).  The heap goal is the lower of GOGC's and the limit's;
/// the scavenger keeps retained memory under 95% of it.  Any thread.
int64_t set_memory_limit(int64_t limit);

/// Parses GOMEMLIMIT's syntax (Go's parseByteCount): decimal digits with an
/// optional B, KiB, MiB, GiB or TiB suffix ("512MiB", "1048576"), or "off"
/// (INT64_MAX: no limit).  Returns nullopt for anything else and for a count
/// that overflows int64.  The runtime reads GOMEMLIMIT with the same parser.  Any thread.
std::optional<int64_t> parse_memory_limit(std::string_view s);

/// Keeps collections from starting while it lives (a collection already
/// running completes first).  A thread that is not a goroutine holding a P (a
/// plain std::thread, or code inside gort::blocking) must hold one while it
/// allocates managed objects and until it has stored them in gc::Roots: the
/// collector does not scan such a thread's stack.  Allocating without one while
/// the runtime runs is a fatal error.  Nests; never blocks a goroutine for long
/// if kept short.
class NoCollectionScope {
 public:
  NoCollectionScope();
  ~NoCollectionScope();
  NoCollectionScope(const NoCollectionScope&) = delete;
  NoCollectionScope& operator=(const NoCollectionScope&) = delete;
};

}  // namespace gort::gc
