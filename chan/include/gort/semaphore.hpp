// gort/semaphore.hpp — a weighted semaphore (mirrors golang.org/x/sync/semaphore).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <variant>

#include <gort/chan.hpp>
#include <gort/mutex.hpp>

namespace gort {

class Context;

/// Bounds concurrent access to a resource of size n: each holder takes a weight
/// (x/sync's semaphore.Weighted).  Waiters are served strictly in arrival order:
/// a large request at the head of the queue blocks later small ones even when
/// they would fit, so large requests cannot starve.  Parks goroutines, never
/// threads.  Must not be copied.
class Semaphore {
 public:
  /// A semaphore with total weight n (x/sync's NewWeighted).
  explicit Semaphore(int64_t n) : size_(n) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  /// Takes weight n, parking (wait reason "select", as x/sync's Acquire shows in
  /// Go) until it is available and every earlier waiter has been served.  A
  /// request for more than the semaphore's size can never be served: like x/sync
  /// without a context (context.Background()'s nil Done channel), it blocks
  /// forever ("chan receive (nil chan)"), without delaying other callers.
  /// Precondition: called from a goroutine; n >= 0.
  void acquire(int64_t n = 1);

  /// Takes weight n like acquire(n), but gives up when ctx is done (x/sync's
  /// Acquire(ctx, n)): returns null once the weight is held, or ctx.err() with
  /// the semaphore unchanged — also when ctx was already done on entry, even
  /// if the weight was free, and when it became done just as the weight was
  /// granted (the weight is handed back).  An oversized request waits for ctx
  /// alone.  Precondition: called from a goroutine; n >= 0.
  std::exception_ptr acquire(const Context& ctx, int64_t n);

  /// Takes weight n if it is available and nobody waits; returns whether it did
  /// (x/sync's TryAcquire).  Never blocks.  Precondition: n >= 0.
  bool try_acquire(int64_t n = 1);

  /// Returns weight n and serves waiters from the head of the queue while their
  /// requests fit (x/sync's Release).  Releasing more than is held throws
  /// Panic("semaphore: released more than held").  Any goroutine.
  void release(int64_t n = 1);

 private:
  /// A goroutine waiting in acquire; lives on its stack.
  struct Waiter {
    /// The weight requested.
    int64_t n;
    /// Runtime semaphore the waiter parks on; released once the weight has been
    /// granted to it (x/sync's ready channel, closed when acquired).
    std::atomic<uint32_t> ready{0};
    /// For acquire(ctx, n), which must wait on the grant and ctx.done() at
    /// once: the grant closes this channel instead of releasing `ready`.  Nil
    /// for the other waiters.
    Chan<std::monostate> ready_chan{};
    /// Neighbours in the FIFO queue.
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
  };

  /// Grants weight to waiters from the head while the head's request fits;
  /// stops at the first that does not (mirrors notifyWaiters).  Holds mu_.
  void notify_waiters();
  /// Appends w to the queue / removes w from it.  Hold mu_.
  void push_back(Waiter* w);
  void unlink(Waiter* w);

  /// Total weight (x/sync's size); fixed.
  const int64_t size_;
  /// Weight currently held, including weight granted to woken waiters.  Under mu_.
  int64_t cur_ = 0;
  /// Protects cur_ and the queue.
  Mutex mu_;
  /// Waiters in arrival order.  Under mu_.
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace gort
