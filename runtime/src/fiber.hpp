// fiber.hpp — saved execution contexts and the one function that switches them.
//
// A goroutine is a Boost.Context fcontext: jump_fcontext saves the callee-saved
// registers on the current stack, stores the stack pointer, and resumes another
// context, handing it a pointer.  The resumed side learns the suspended
// context's handle only from the jump's result, so every switch in the runtime
// goes through fiber_switch, and the resumed side records the handle in the
// suspended goroutine's Fiber (proc.cpp: complete_handoff).
//
// Sanitizers: ASAN must be told the new stack's bounds at every switch
// (__sanitizer_start/finish_switch_fiber) or it reports false stack overflows
// and loses fake frames; TSAN needs one fiber object per goroutine and
// __tsan_switch_to_fiber at every switch or it mixes the shadow state of all
// goroutines that ever ran on a thread.  Both annotations live only here.
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <cstddef>

namespace gort::runtime {

using boost::context::detail::fcontext_t;
using boost::context::detail::transfer_t;

struct Fiber {
  /// Saved context while not running; null for a fiber that never ran.
  fcontext_t fctx = nullptr;
  /// Lowest address of the fiber's stack (for ASAN), and its size in bytes.
  void* stack_lo = nullptr;
  std::size_t stack_size = 0;
  /// ASAN's fake-stack handle saved across a switch away from this fiber.
  void* asan_fake_stack = nullptr;
  /// TSAN's fiber object for this context (created once, reused with the G).
  void* tsan_fiber = nullptr;
};

/// Signature of a fiber's first function; it receives the transfer of the switch
/// that started it.  It must never return.
using FiberEntry = void (*)(transfer_t);

/// Prepares f to start at entry on the stack [lo, top) at its next switch-in.
void fiber_make(Fiber* f, void* lo, void* top, FiberEntry entry);

/// Describes the calling thread's own stack as fiber f (an M's g0).
void fiber_adopt_thread(Fiber* f);

/// Releases sanitizer state of f (TSAN fiber object).  Precondition: f is not running.
void fiber_destroy(Fiber* f);

/// Switches from `from` (the running fiber) to `to`, passing data.  Returns when
/// some fiber switches back to `from`, with that switch's transfer.  dying: from
/// will never be resumed (lets ASAN drop its fake stack).
transfer_t fiber_switch(Fiber* from, Fiber* to, void* data, bool dying);

/// Must be the first call of a fiber's entry function (finishes ASAN's switch).
void fiber_started(Fiber* self);

}  // namespace gort::runtime
