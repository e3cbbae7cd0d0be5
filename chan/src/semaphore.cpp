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
// acquire(ctx, n) waits in a select on its grant and ctx.done(), so its Waiter
// carries a channel that the grant closes instead (x/sync's ready channel);
// the granter closes through its own handle, so the woken waiter may drop its
// handle at once.  Cancellation follows current x/sync: a context already done
// fails the call even if the weight is free, and a grant that races the
// cancellation is handed back (Release) rather than kept.
//
// Rejected: a gort::Cond broadcast on every release (every waiter wakes to
// re-check; FIFO would need tickets anyway).
#include <gort/context.hpp>
#include <gort/panic.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gort/runtime/internal/sema.hpp>
#include <gort/select.hpp>
#include <gort/semaphore.hpp>

namespace gort {

namespace {

/// True if ch, a channel that is only ever closed, is closed (a select with
/// a default on <-ch); false for the nil channel.
bool is_closed(const Chan<std::monostate>& ch) { return select(on_recv(ch), on_default()) == 0; }

}  // namespace

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

// mirrors Acquire (with a context)
std::exception_ptr Semaphore::acquire(const Context& ctx, int64_t n) {
  const Context::DoneChan done = ctx.done();
  mu_.lock();
  if (is_closed(done)) {
    // ctx becoming done happened before the acquisition: fail even though
    // the weight might be free.
    mu_.unlock();
    return ctx.err();
  }
  if (size_ - cur_ >= n && head_ == nullptr) {
    // Nothing synchronised since done was checked: a cancellation now is
    // concurrent with this call, so acquiring is fine.
    cur_ += n;
    mu_.unlock();
    return nullptr;
  }
  if (n > size_) {
    // Can never be served; do not make later callers queue behind it.
    mu_.unlock();
    done.recv();
    return ctx.err();
  }
  Waiter w{n};
  w.ready_chan = make_chan<std::monostate>();
  push_back(&w);
  mu_.unlock();

  bool cancelled = false;
  select(on_recv(done, [&] { cancelled = true; }), on_recv(w.ready_chan));
  if (cancelled) {
    mu_.lock();
    if (is_closed(w.ready_chan)) {
      // Granted after the cancellation: pretend it was not, put the weight back.
      cur_ -= n;
      notify_waiters();
    } else {
      const bool was_head = head_ == &w;
      unlink(&w);
      // At the head with weight left over: the next waiters may fit now.
      if (was_head && size_ > cur_) notify_waiters();
    }
    mu_.unlock();
    return ctx.err();
  }
  // Granted; ctx may have become done meanwhile (checking done, not
  // ctx.err(), as x/sync does).
  if (is_closed(done)) {
    release(n);
    return ctx.err();
  }
  return nullptr;
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
    if (w->ready_chan) {
      const Chan<std::monostate> ready = w->ready_chan;  // our own reference: w may go at the close
      ready.close();
    } else {
      runtime::semrelease(&w->ready, false);  // w may be gone once this returns
    }
  }
}

}  // namespace gort
