// gort/runtime/internal/system_goroutine.hpp — starting a runtime-internal
// goroutine (Go's isSystemGoroutine ones: the collector's cycle goroutine).
//
// Go decides that a goroutine is the runtime's own from its start function
// (isSystemGoroutine(gp) reads gp.startpc), so it is never counted by
// runtime.NumGoroutine nor shown by runtime.Stack(buf, true), not even in the
// moment between its go statement and its first instruction.  go_system gives
// gort's collector the same: the goroutine is marked before it is made
// runnable, so num_goroutine and live_goroutines never see it.
#pragma once

#include <utility>

#include <gort/runtime.hpp>

namespace gort::runtime {

/// Marks gp, returned by newproc_prepare and not yet passed to newproc_start,
/// as a runtime-internal goroutine for its whole life.
void newproc_mark_system(G* gp);

/// Starts fn() as a runtime-internal goroutine (the go statement of Go's
/// runtime for a system goroutine).  Precondition: as gort::go's.  Always
/// inlined, so the goroutine's creation pc is in its caller (newproc_closure).
template <class F>
[[gnu::always_inline]] inline void go_system(F&& fn) {
  G* gp = newproc_closure(std::forward<F>(fn));
  newproc_mark_system(gp);
  newproc_start(gp);
}

}  // namespace gort::runtime
