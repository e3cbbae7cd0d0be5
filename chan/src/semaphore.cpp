// semaphore.cpp — weighted semaphore (mirrors golang.org/x/sync/semaphore).
//
// Model: the held weight and a FIFO of waiters under one gort::Mutex.  acquire
// takes weight at once only if it fits and nobody waits; otherwise it queues a
// Waiter on its own stack and parks on the waiter's own runtime semaphore word.
// release (and, later, a cancelled acquire) grants weight to waiters strictly
// from the head, *charging cur_ on their behalf* before waking them, so a woken
// waiter owns its weight without retaking the mutex.  The head's request blocks
// every later one even if they would fit: with N tokens used as a read-write
// lock (readers take 1, a writer N) the writer would otherwise starve.
//
// A Waiter is unlinked under mu_ before its word is released, and semrelease
// touches the word only to increment it, so the woken goroutine may return (and
// its stack frame die) at once.
//
// Rejected: a gort::Cond broadcast on every release (every waiter wakes to
// re-check; FIFO would need tickets anyway).
#include <gort/panic.hpp>
#include <gort/runtime/park.hpp>
#include <gort/runtime/sema.hpp>
#include <gort/semaphore.hpp>

namespace gort {

void Semaphore::push_back(Waiter* w) {
  w->prev = tail_;
  w->next = nullptr;
  if (tail_ != nullptr) tail_->next = w; else head_ = w;
  tail_ = w;
}

void Semaphore::unlink(Waiter* w) {
  if (w->prev != nullptr) w->prev->next = w->next; else head_ = w->next;
  if (w->next != nullptr) w->next->prev = w->prev; else tail_ = w->prev;
  w->prev = w->next = nullptr;
}

// mirrors Acquire (without a context: ctx.Done() never fires)
void Semaphore::acquire(int64_t n) {
  mu_.lock();
  if (size_ - cur_ >= n && head_ == nullptr) {
    cur_ += n;
    mu_.unlock();
    return;
  }
  if (n > size_) {
    // Can never be served; do not make later callers queue behind it.
    mu_.unlock();
    // <-ctx.Done() on Background's nil channel: nothing ever readies us.
    for (;;) runtime::park(runtime::WaitReason::ChanReceiveNilChan);
  }
  Waiter w{n};
  push_back(&w);
  mu_.unlock();
  runtime::semacquire(&w.ready, runtime::WaitReason::Select);
}

// mirrors TryAcquire
bool Semaphore::try_acquire(int64_t n) {
  mu_.lock();
  const bool success = size_ - cur_ >= n && head_ == nullptr;
  if (success) cur_ += n;
  mu_.unlock();
  return success;
}

// mirrors Release
void Semaphore::release(int64_t n) {
  mu_.lock();
  cur_ -= n;
  if (cur_ < 0) {
    mu_.unlock();
    throw Panic("semaphore: released more than held");
  }
  notify_waiters();
  mu_.unlock();
}

// mirrors notifyWaiters
void Semaphore::notify_waiters() {
  while (Waiter* w = head_) {
    // Not enough for the head: stop, even if a later, smaller request would
    // fit, so large requests are not starved by a stream of small ones.
    if (size_ - cur_ < w->n) break;
    cur_ += w->n;
    unlink(w);
    runtime::semrelease(&w->ready, false);  // w may be gone once this returns
  }
}

}  // namespace gort
