// mutex_queue.hpp — the course's "sync.Mutex-protected slice" baseline: a
// bounded circular buffer of uint64_t under one gort::Mutex.
//
// Bounded and allocated once, like the ring, so the comparison is about the
// synchronisation (a lock and an unlock per message, both sides on one mutex
// and one line of indices) and not about append growing a slice.
#pragma once

#include <gort/gort.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace spsclab {

/// A bounded FIFO of uint64_t guarded by a gort::Mutex; any number of
/// goroutines may use it, the lab uses one on each side.
class MutexQueue {
 public:
  /// An empty queue of `capacity` slots.  Precondition: capacity >= 1.
  explicit MutexQueue(std::size_t capacity) : slots_(std::make_unique<std::uint64_t[]>(capacity)), capacity_(capacity) {}

  /// Appends v if there is room; false when full.  Precondition: called from a goroutine.
  bool try_push(std::uint64_t v) {
    std::lock_guard<gort::Mutex> hold(mu_);
    if (count_ == capacity_) return false;
    slots_[(first_ + count_) % capacity_] = v;
    ++count_;
    return true;
  }

  /// Removes the oldest value into *out; false when empty.  Precondition:
  /// called from a goroutine; out is not null.
  bool try_pop(std::uint64_t* out) {
    std::lock_guard<gort::Mutex> hold(mu_);
    if (count_ == 0) return false;
    *out = slots_[first_];
    first_ = (first_ + 1) % capacity_;
    --count_;
    return true;
  }

 private:
  /// Guards everything below.
  gort::Mutex mu_;
  /// The capacity_ slots.
  std::unique_ptr<std::uint64_t[]> slots_;
  /// Number of slots.
  std::size_t capacity_;
  /// Slot of the oldest value.
  std::size_t first_ = 0;
  /// Values held.
  std::size_t count_ = 0;
};

}  // namespace spsclab
