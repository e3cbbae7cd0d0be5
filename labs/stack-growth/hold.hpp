// hold.hpp — holds goroutines at their deepest depth frame while the lab
// measures them.
//
// A snapshot of "stack in use" means something only while the stacks are in
// use, so every experiment works in three beats: the goroutines recurse and
// report their deepest frame here (at_deepest), the bottom ones block on a
// channel, the main goroutine measures (per-goroutine spans, mincore,
// ReadMemStats, VmRSS), then closes the channel and they unwind.  The Go twin
// does the same with a chan struct{}.
#pragma once

#include <gort/chan.hpp>
#include <gort/waitgroup.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "depth.hpp"
#include "results.hpp"

namespace stacklab {

/// A DepthObserver that records each goroutine's stack span and blocks the
/// bottom calls until release().
class Hold final : public DepthObserver {
 public:
  /// Expects `goroutines` reporters (indices 0..goroutines-1), `bottoms` of
  /// which report bottom == true.  Precondition: 0 < bottoms <= goroutines.
  Hold(int goroutines, int bottoms);

  /// Records the span of goroutine `index`; a bottom call then waits for release().
  /// Precondition: 0 <= index < goroutines, each index reported once.
  void at_deepest(int index, std::uintptr_t entry, std::uintptr_t deepest, bool bottom) override;

  /// Blocks the calling goroutine until every bottom call has arrived.
  void wait_arrivals();

  /// Measures the held goroutines and the process.  `slot_window_bytes` > 0
  /// also sums the resident pages of [entry - slot_window_bytes, entry) per
  /// goroutine (gort's fixed slots); 0 leaves resident_slot_bytes empty.
  /// Precondition: after wait_arrivals(), before release().
  HeldSnapshot measure(std::string label, int n, std::uint64_t slot_window_bytes) const;

  /// Lets every held goroutine return.
  void release();

 private:
  /// One goroutine's stack, as frame addresses (the stack grows down).
  struct Span {
    /// Frame address of the goroutine's first function.
    std::uintptr_t entry = 0;
    /// Frame address of its deepest depth call.
    std::uintptr_t deepest = 0;
  };
  /// Indexed by reporter; each written by its own goroutine before the bottom
  /// arrival that wait_arrivals() synchronises with.
  std::vector<Span> spans_;
  /// Counts bottom arrivals down.
  gort::WaitGroup arrived_;
  /// Closed by release(); bottom calls receive from it.
  gort::Chan<int> release_;
};

}  // namespace stacklab
