// gc_stack_util.hpp — running a test's allocations on a stack of their own, so
// the collector's conservative stack scan cannot keep their garbage alive.
#pragma once

#include <gort/gort.hpp>

#include "../gc/src/mark.hpp"
#include "test_util.hpp"

namespace gort::test {

/// Calls fn one frame deeper than the caller, so fn's frames lie below it.
template <class F>
__attribute__((noinline)) void call_deeper(F& fn) {
  fn();
}

/// Runs fn on a goroutine of its own and waits for it to return: pointers fn
/// leaves in its frames and registers die with its stack, so a conservative
/// scan of the caller's stack cannot keep fn's objects alive by accident; only
/// what fn hands elsewhere (a channel, a closure, a context, a root) can.
/// Precondition: called from a goroutine.
template <class F>
void on_own_stack(F fn) {
  Goroutines one;
  one.go([&fn] {
    call_deeper(fn);
    // The next goroutine on this stack inherits nothing of fn's.
    gc::detail::clear_dead_stack<32 * 1024>();
  });
}

}  // namespace gort::test
