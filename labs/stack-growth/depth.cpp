// depth.cpp — depth(n) and its goroutine-per-call twin (see depth.hpp).
#include "depth.hpp"

#include <gort/chan.hpp>
#include <gort/runtime.hpp>

namespace stacklab {

namespace {

/// Fills the frame's buffer with a value derived from n (every byte written,
/// so every page under the frame is touched as Go's zeroing touches it).
inline void fill(volatile unsigned char* buf, int n) {
  for (std::size_t i = 0; i < kDepthBufferBytes; ++i) buf[i] = static_cast<unsigned char>(n + i);
}

/// Reads one byte of the buffer back after the recursive call and contributes
/// nothing to the result: keeps the buffer live across the call.
inline int keep_alive(const volatile unsigned char* buf, int r) {
  return buf[static_cast<std::size_t>(r) % kDepthBufferBytes] & 0;
}

}  // namespace

__attribute__((noinline)) int depth(int n, int index, std::uintptr_t entry, DepthObserver& observer) {
  volatile unsigned char buf[kDepthBufferBytes];
  fill(buf, n);
  if (n == 0) {
    observer.at_deepest(index, entry, stack_pointer(), true);
    return keep_alive(buf, 0);
  }
  const int r = depth(n - 1, index, entry, observer);
  return r + 1 + keep_alive(buf, r);
}

__attribute__((noinline)) int depth_per_call(int n, std::uintptr_t entry, DepthObserver& observer) {
  volatile unsigned char buf[kDepthBufferBytes];
  fill(buf, n);
  observer.at_deepest(n, entry, stack_pointer(), n == 0);
  if (n == 0) return keep_alive(buf, 0);
  auto result = gort::make_chan<int>();
  gort::go([result, n, &observer] { result.send(depth_per_call(n - 1, STACKLAB_FRAME_ADDRESS(), observer)); });
  const int r = result.recv();
  return r + 1 + keep_alive(buf, r);
}

}  // namespace stacklab
