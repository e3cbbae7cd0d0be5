// gc_stack_scan.hpp — the scheduler's side of the collector's concurrent stack
// scanning (gc_stack_scan.cpp): what execute, exitsyscall, newproc and goexit
// call while a mark is in progress.
#pragma once

#include <cstdint>

#include <gort/runtime/internal/gc_support.hpp>

#include "g.hpp"
#include "sched.hpp"

namespace gort::runtime {

/// One goroutine's root ranges: its `go` closure and, once it has a stack, the
/// stack from its saved stack pointer up (lo/hi pairs in `ranges`).
struct GoroutineRoots {
  const void* ranges[4];
  int nranges = 0;
  /// Bytes of the stack range (0 when the goroutine has no stack yet).
  uint64_t stack_bytes = 0;
};

/// The root ranges of gp, which is not running (or is being resumed by the
/// caller) and was last seen in state st.  Dead and Idle Gs have none.
GoroutineRoots goroutine_roots(const G* gp, GStatus st);

/// Makes sure gp's stack is scanned before the caller switches to it: scans it
/// now unless this mark already did, waiting for a scanner that holds it.
/// Called by execute after gp became Running.  Only while sched.gc_marking.
void scan_before_resume(G* gp);

/// Waits until no scanner holds gp (the goroutine itself, leaving a blocking
/// call, before it touches its frames again).  Only while sched.gc_marking.
void wait_for_stack_scan(G* gp);

/// Records a goroutine created during the mark as scanned and shades its `go`
/// closure (newproc).  Only while sched.gc_marking.
void goroutine_created_during_mark(G* gp);

/// Marks a brand-new G record as scanned in the current cycle (allgadd, under
/// allglock): only goroutines alive when a mark began owe it a scan.
void mark_new_g_scanned(G* gp);

/// Records an exiting goroutine as scanned (nothing left to scan).  Only while
/// sched.gc_marking.
void goroutine_exited_during_mark(G* gp);

}  // namespace gort::runtime
