// frame_walk.cpp — the bounded frame-pointer walk (frame_walk.hpp says what it
// reads and why it cannot fault).
#include "frame_walk.hpp"

extern "C" {
/// The return address of gort_async_preempt_entry's call to
/// gort_async_preempt_yield (async_preempt_amd64.S).
extern const uintptr_t gort_async_preempt_return_pc;
}

namespace gort::runtime {

namespace {

// Where gort_async_preempt_entry keeps the interrupted registers, in bytes from
// its rbp (the base of the 15 registers it pushed after the flags): rbp was
// pushed eighth of sixteen words, the interrupted rip sits above the flags.
constexpr uintptr_t kPreemptSavedRbp = 8 * 8;
constexpr uintptr_t kPreemptSavedRip = 16 * 8;

}  // namespace

// Sanitizers are off: a stale fp may point into a redzone, and another
// goroutine's stack was written by uninstrumented switch code.
__attribute__((no_sanitize("address", "thread", "undefined"))) int walk_frame_pointers(
    uintptr_t fp, uintptr_t sp, StackRange bounds, uintptr_t* stk, int n, int max) {
  bool preempt_save_area = false;  // fp is gort_async_preempt_entry's rbp
  while (n < max) {
    const uintptr_t need = preempt_save_area ? kPreemptSavedRip + sizeof(uintptr_t) : 2 * sizeof(uintptr_t);
    if (fp < sp || fp < bounds.lo || fp > bounds.hi - need || (fp & 7) != 0) break;
    const auto* frame = reinterpret_cast<const uintptr_t*>(fp);
    uintptr_t next, ret;
    if (preempt_save_area) {
      next = frame[kPreemptSavedRbp / sizeof(uintptr_t)];
      ret = frame[kPreemptSavedRip / sizeof(uintptr_t)] + 1;  // an exact pc, stored as a return address
    } else {
      next = frame[0];
      ret = frame[1];
    }
    if (ret == 0 || ret == 1) break;
    stk[n++] = ret;
    preempt_save_area = ret == gort_async_preempt_return_pc;
    if (next <= fp) break;
    fp = next;
  }
  return n;
}

}  // namespace gort::runtime
