// frame_walk.hpp — walking a stack by its frame pointers, bounded by the stack
// it lies on (what the CPU profiler's signal handler and the goroutine
// profile's stopped-world pass both use; Go 1.21's fpTracebackPCs is the same
// walk, Abseil's x86 unwinder and perf's callchains check as this one does).
//
// Every gort build and every program linking gort::gort keeps frame pointers
// (runtime/CMakeLists.txt), so [fp] is the caller's fp and [fp+8] the return
// address into it.  The walk reads nothing but those two words, and only in
// frames inside the known stack: each step must move fp up, stay 8-aligned and
// inside [sp, bounds.hi).  A wrong rbp (code without frame pointers, a
// prologue) ends the walk early or skips a frame; it never faults.  Lock-free,
// allocation-free, async-signal-safe.
//
// One frame is not an ordinary frame: gort_async_preempt_entry
// (async_preempt_amd64.S), which an asynchronously preempted goroutine runs.
// Its rbp points at the registers it saved, not at a caller's fp, so when a
// return address into it is met, the walk reads the interrupted pc and rbp
// from that save area and goes on from there (libunwind does the same from
// the stub's CFI).
#pragma once

#include <cstdint>

namespace gort::runtime {

/// A stack's usable bytes [lo, hi).
struct StackRange {
  uintptr_t lo = 0;  // lowest address
  uintptr_t hi = 0;  // one past the highest address
  /// Whether sp lies in the stack.
  bool contains(uintptr_t sp) const { return sp >= lo && sp < hi; }
};

/// Appends to stk[n..max) the return addresses of the frame-pointer chain that
/// starts at fp, reading only inside [sp, bounds.hi); an interrupted pc found
/// in a preemption's save area is stored as pc+1, like a return address, so
/// every entry is looked up at entry-1.  Returns the new n.  Precondition: the
/// stack does not change during the walk (it is the caller's own, or its
/// goroutine is stopped).  Async-signal-safe.
int walk_frame_pointers(uintptr_t fp, uintptr_t sp, StackRange bounds, uintptr_t* stk, int n, int max);

}  // namespace gort::runtime
