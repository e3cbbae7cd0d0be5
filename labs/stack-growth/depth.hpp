// depth.hpp — the course's depth(n), in the two styles the lab compares.
//
// The course's Go function is
//
//     func depth(n int) int { if n == 0 { return 0 }; var buf [256]byte; _ = buf; return 1 + depth(n-1) }
//
// Taken literally, both Go's compiler and g++ would delete the unused buffer,
// and g++ turns `1 + depth(n-1)` into a loop with an accumulator, so no stack
// would grow at all.  Here every call fills a 256-byte volatile buffer and
// reads it back after the recursive call returns: the buffer is live across
// the call, the call is not a tail call, and every activation keeps a real
// frame of at least 256 bytes (the Go twin does the same with a package-level
// sink).  The functions are out of line so the measured stride is the frame
// the compiler really lays out.
//
// depth_per_call is the course's "goroutine-per-call style": every recursive
// call runs in a goroutine of its own and hands its result back on a channel,
// so n calls make a chain of n+1 goroutines, each holding one depth frame and
// blocked in a channel receive.
//
// Both report their deepest frames to a DepthObserver, which is how the
// experiment measures stack use (entry frame address minus deepest frame
// address) and holds the goroutines at their deepest point while it reads the
// process-wide statistics.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stacklab {

/// Bytes of the buffer each depth call keeps live: the course's [256]byte.
inline constexpr std::size_t kDepthBufferBytes = 256;

/// Receives the deepest frame of each goroutine running depth.
class DepthObserver {
 public:
  virtual ~DepthObserver() = default;

  /// Called by goroutine `index` from its deepest depth frame, whose lowest
  /// address is `deepest`; `entry` is the frame address of the goroutine's
  /// first function, so entry - deepest is the stack the goroutine uses.
  /// `bottom` is true for the call that ends the recursion (n == 0): the
  /// observer may block it there until the measurement is done.
  virtual void at_deepest(int index, std::uintptr_t entry, std::uintptr_t deepest, bool bottom) = 0;
};

/// The frame address of the calling function (where its frame begins, just
/// below the return address): what `entry` means.  A macro so that it is the
/// caller's frame.
#define STACKLAB_FRAME_ADDRESS() (reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)))

/// The stack pointer of the calling function, the lowest address its frame
/// occupies: what `deepest` means (the Go twin uses the address of the deepest
/// buffer, the same place).  Read from the register rather than from a local's
/// address, which ASAN may move to a heap "fake stack".
[[gnu::always_inline]] inline std::uintptr_t stack_pointer() {
  std::uintptr_t sp;
#if defined(__x86_64__)
  asm volatile("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  asm volatile("mov %0, sp" : "=r"(sp));
#else
  sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
#endif
  return sp;
}

/// Recurses n times in the calling goroutine (n+1 activations of 256+ bytes
/// each) and returns n; the activation with n == 0 calls
/// observer.at_deepest(index, entry, <its stack pointer>, true).
/// Preconditions: n >= 0; entry is the calling goroutine's entry frame address.
int depth(int n, int index, std::uintptr_t entry, DepthObserver& observer);

/// depth(n) with every recursive call in a new goroutine (goroutine-per-call):
/// the call for n reports at_deepest(n, entry, <its stack pointer>, n == 0) and, for
/// n > 0, starts a goroutine for n-1 and waits for its result on a channel.
/// Returns n.  Preconditions: called from a goroutine; n >= 0; entry is the
/// calling goroutine's entry frame address; observer outlives every goroutine
/// of the chain.
int depth_per_call(int n, std::uintptr_t entry, DepthObserver& observer);

}  // namespace stacklab
