// chan.cpp — channels (mirrors golang/go src/runtime/chan.go).
//
// Model.  A channel is an hchan: a lock, a ring buffer of dataqsiz elements
// and two FIFO queues of sudogs, goroutines blocked receiving (recvq) and
// sending (sendq).  At most one of the queues is non-empty at any time, and a
// goroutine is queued only when its operation cannot complete: a sender waits
// only while the buffer is full (or, unbuffered, no receiver waits), a
// receiver only while the buffer is empty (no sender waits).
//
// Invariants, all under hchan.lock:
//   - recvq non-empty  =>  qcount == 0;   sendq non-empty  =>  qcount == dataqsiz.
//   - Elements leave in the order they were sent.  When a receiver finds the
//     buffer full and a sender waiting, it takes the buffer's head and moves
//     the sender's element into the freed tail slot (take_from_sender), so the
//     waiting sender's element comes after everything already buffered.
//   - A sudog on a queue belongs to a parked goroutine (park's unlockf is what
//     releases the lock after enqueueing), so whoever dequeues it may touch
//     the goroutine's stack (the element) and then ready it.
//
// Direct hand-off.  A sender that finds a receiver waiting moves its element
// straight into the receiver's stack slot (Go's sendDirect) and readies it;
// symmetrically a receiver that finds a sender waiting takes the element from
// the sender's stack.  The buffer is not touched, so an unbuffered channel
// costs one lock and one switch per message.
//
// Readying after unlock.  Every waker releases the channel lock before
// ready(): the woken goroutine may run at once on another P and its first act
// is often to touch the same channel again; readying under the lock would make
// it spin on that lock.  The waker's writes to the woken goroutine's stack
// happen before the unlock, and the sudog it dequeued can no longer be reached
// by anyone else, so nothing races with the ready.
//
// Close.  closechan marks the channel closed and wakes every queued goroutine
// with success = false: receivers then return the zero value with ok = false
// (after the buffer drained: a receiver never waits while elements are
// buffered), senders panic "send on closed channel".
//
// Managed pointers.  A channel whose elements may hold managed pointers
// (ElemOps::scan) keeps them alive as Go's does (its buffer is heap memory
// there): the buffer is registered as a root range for the channel's life and
// scanned conservatively with the collector's roots; vacated slots are zeroed
// (relocate_elem), so only live elements are found.  Values in flight are on
// goroutine stacks (the sender's element, the receiver's slot, a select's
// cases), which the collector scans.  Stacks and the buffer are each scanned
// once per mark, so every move of a scan element shades it first while a mark
// runs (move_elem): a value entering the buffer from a scanned stack, leaving
// an unscanned buffer for a scanned stack, or passing between two stacks
// directly is marked whatever the order of the scans — Go's typedmemmove,
// typedmemclr and sendDirect/recvDirect barriers in one place.
//
// Rejected alternatives.  A lock-free ring for buffered channels (as in some
// C++ channel libraries) was rejected: it cannot keep Go's FIFO hand-off with
// blocked senders and the one-winner rule of select without a lock anyway, and
// Go's own measurements show the lock is uncontended in the common cases.
// Templates all the way down (one chansend per T) were rejected for the
// reason given in chan_core.hpp.
#include <gort/detail/chan_core.hpp>
#include <gort/panic.hpp>
#include <gort/runtime/internal/park.hpp>

#include <cstdint>
#include <cstring>
#include <new>

#include "hchan.hpp"

namespace gort::detail {

using runtime::G;
using runtime::WaitReason;

namespace {

/// Largest buffer gort allocates: the indices are 32-bit, and Go's own limit
/// (maxAlloc) is far above what any test or lab needs; 2^31 - 1 elements.
constexpr int64_t kMaxChanCapacity = INT32_MAX;

/// Bytes of the hchan header before the buffer, rounded up so the buffer is
/// aligned for the element.
std::size_t header_bytes(std::size_t align) {
  return (sizeof(hchan) + align - 1) / align * align;
}

std::size_t block_align(const ElemOps* ops) {
  return ops->align > alignof(hchan) ? ops->align : alignof(hchan);
}

/// Queues the calling goroutine on q of c with its element ep, parks it (the
/// lock is released once it is off its stack) and returns whether it was
/// woken by a communication (true) or by close (false).  Precondition: c's
/// lock is held.
bool wait_on(hchan* c, WaitQueue& q, void* ep, WaitReason reason) {
  runtime::ChanWait wait;
  Sudog* mysg = runtime::acquire_sudog();
  mysg->g = runtime::current_g();
  mysg->elem = ep;
  mysg->c = c;
  mysg->wait = &wait;
  const int64_t t0 = block_profile_start(mysg);
  q.enqueue(mysg);
  runtime::park(reason, &unlock_chan_after_park, c);
  // Woken: the waker dequeued mysg and set success before readying us.
  if (mysg->releasetime > 0) runtime::block_event(mysg->releasetime - t0);
  const bool success = mysg->success;
  runtime::release_sudog(mysg);
  return success;
}

}  // namespace

void panic_send_on_closed() { throw RuntimeError("send on closed channel"); }

void block_forever(WaitReason reason) {
  runtime::park(reason);
  // Nobody can ready a goroutine parked without a queue.
  throw RuntimeError("unreachable: goroutine blocked forever was woken");
}

bool unlock_chan_after_park(G*, void* c) {
  static_cast<hchan*>(c)->lock.unlock();
  return true;
}

// mirrors typedmemmove's barrier (bulkBarrierPreWrite) for scan elements
__attribute__((noinline)) void hchan::move_elem_slow(void* dst, void* src) const {
  if (ops->scan) runtime::shade_root_range(src, ops->size);
  ops->move_construct(dst, src);
}

// mirrors typedmemclr of the slot a receive emptied
__attribute__((noinline)) void hchan::vacate_slot(void* p) const {
  ops->destroy(p);
  if (ops->scan) std::memset(p, 0, ops->size);
}

void buffer_put(hchan* c, void* ep) {
  c->move_elem(c->slot(c->sendx), ep);
  if (++c->sendx == c->dataqsiz) c->sendx = 0;
  c->qcount.store(c->qcount.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void buffer_take(hchan* c, void* ep) {
  c->relocate_elem(ep, c->slot(c->recvx));
  if (++c->recvx == c->dataqsiz) c->recvx = 0;
  c->qcount.store(c->qcount.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

// mirrors send in chan.go (up to the unlock).
G* give_to_receiver(Sudog* sg, hchan* c, void* ep) {
  c->move_elem(sg->elem, ep);
  set_release_time(sg);
  sg->success = true;
  sg->wait->woken_by = sg;
  return sg->g;
}

// mirrors recv in chan.go (up to the unlock).
G* take_from_sender(Sudog* sg, hchan* c, void* ep) {
  if (c->dataqsiz == 0) {
    c->move_elem(ep, sg->elem);
  } else {
    // The buffer is full (a sender waits): take its head, and put the
    // sender's element in the slot just freed, which is now the tail.
    void* head = c->slot(c->recvx);
    c->relocate_elem(ep, head);
    c->move_elem(head, sg->elem);
    if (++c->recvx == c->dataqsiz) c->recvx = 0;
    c->sendx = c->recvx;
  }
  set_release_time(sg);
  sg->success = true;
  sg->wait->woken_by = sg;
  return sg->g;
}

// mirrors makechan in chan.go.
hchan* makechan(const ElemOps* ops, int64_t capacity) {
  if (capacity < 0 || capacity > kMaxChanCapacity ||
      (ops->size != 0 && static_cast<uint64_t>(capacity) > (uint64_t(1) << 40) / ops->size)) {
    throw RuntimeError("makechan: size out of range");
  }
  const std::size_t align = block_align(ops);
  const std::size_t bytes = header_bytes(align) + std::size_t(capacity) * ops->size;
  void* mem = ::operator new(bytes, std::align_val_t(align));
  auto* c = ::new (mem) hchan();
  c->dataqsiz = static_cast<uint32_t>(capacity);
  c->ops = ops;
  c->buf = static_cast<unsigned char*>(mem) + header_bytes(align);
  if (ops->scan && capacity > 0) {
    std::memset(c->buf, 0, std::size_t(capacity) * ops->size);
    c->buf_range.lo = c->buf;
    c->buf_range.bytes = std::size_t(capacity) * ops->size;
    runtime::register_root_range(&c->buf_range);
  }
  return c;
}

void chan_retain(hchan* c) noexcept { c->refs.fetch_add(1, std::memory_order_relaxed); }

void chan_release(hchan* c) noexcept {
  if (c->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (c->ops->scan && c->dataqsiz > 0) runtime::unregister_root_range(&c->buf_range);
  if (!c->ops->trivial) {
    uint32_t i = c->recvx;
    for (uint32_t n = c->qcount.load(std::memory_order_relaxed); n > 0; --n) {
      c->ops->destroy(c->slot(i));
      if (++i == c->dataqsiz) i = 0;
    }
  }
  const std::size_t align = block_align(c->ops);
  c->~hchan();
  ::operator delete(static_cast<void*>(c), std::align_val_t(align));
}

// mirrors chansend in chan.go.
bool chansend(hchan* c, void* ep, bool block) {
  if (c == nullptr) {
    if (!block) return false;
    block_forever(WaitReason::ChanSendNilChan);
  }
  // Fast path: a non-blocking send on an open, full buffered channel fails
  // without the lock.  (Unbuffered channels are checked under the lock: their
  // fullness is the receive queue, which is not atomic.)
  if (!block && c->dataqsiz != 0 && c->closed.load(std::memory_order_relaxed) == 0 &&
      c->qcount.load(std::memory_order_relaxed) == c->dataqsiz) {
    return false;
  }
  c->lock.lock();
  if (c->closed.load(std::memory_order_relaxed) != 0) {
    c->lock.unlock();
    panic_send_on_closed();
  }
  if (Sudog* sg = c->recvq.dequeue()) {
    G* gp = give_to_receiver(sg, c, ep);
    c->lock.unlock();
    runtime::ready(gp);
    return true;
  }
  if (c->qcount.load(std::memory_order_relaxed) < c->dataqsiz) {
    buffer_put(c, ep);
    c->lock.unlock();
    return true;
  }
  if (!block) {
    c->lock.unlock();
    return false;
  }
  if (!wait_on(c, c->sendq, ep, WaitReason::ChanSend)) panic_send_on_closed();
  return true;
}

// mirrors chanrecv in chan.go.
RecvResult chanrecv(hchan* c, void* ep, bool block) {
  if (c == nullptr) {
    if (!block) return {false, false};
    block_forever(WaitReason::ChanReceiveNilChan);
  }
  // Fast path: a non-blocking receive on an empty buffered channel.  As in Go,
  // the emptiness is read before closed, and re-checked after: a channel seen
  // empty and then closed may have received an element in between.
  if (!block && c->dataqsiz != 0 && c->qcount.load(std::memory_order_acquire) == 0) {
    if (c->closed.load(std::memory_order_acquire) == 0) return {false, false};
    if (c->qcount.load(std::memory_order_acquire) == 0) return {true, false};
  }
  c->lock.lock();
  if (c->closed.load(std::memory_order_relaxed) != 0 && c->qcount.load(std::memory_order_relaxed) == 0) {
    c->lock.unlock();
    return {true, false};
  }
  if (Sudog* sg = c->sendq.dequeue()) {
    G* gp = take_from_sender(sg, c, ep);
    c->lock.unlock();
    runtime::ready(gp);
    return {true, true};
  }
  if (c->qcount.load(std::memory_order_relaxed) > 0) {
    buffer_take(c, ep);
    c->lock.unlock();
    return {true, true};
  }
  if (!block) {
    c->lock.unlock();
    return {false, false};
  }
  const bool received = wait_on(c, c->recvq, ep, WaitReason::ChanReceive);
  return {true, received};
}

// mirrors closechan in chan.go.
void closechan(hchan* c) {
  if (c == nullptr) throw RuntimeError("close of nil channel");
  c->lock.lock();
  if (c->closed.load(std::memory_order_relaxed) != 0) {
    c->lock.unlock();
    throw RuntimeError("close of closed channel");
  }
  c->closed.store(1, std::memory_order_release);
  // Collect every waiter (linked through next, free once dequeued), then
  // ready them after unlocking (mirrors the glist of closechan).
  Sudog* woken = nullptr;
  for (WaitQueue* q : {&c->recvq, &c->sendq}) {
    while (Sudog* sg = q->dequeue()) {
      set_release_time(sg);
      sg->success = false;
      sg->wait->woken_by = sg;
      sg->next = woken;
      woken = sg;
    }
  }
  c->lock.unlock();
  // Read each link before the ready: a readied goroutine may run at once and
  // recycle its sudog, while the next one's goroutine is still parked.
  while (woken != nullptr) {
    Sudog* next = woken->next;
    runtime::ready(woken->g);
    woken = next;
  }
}

int chanlen(const hchan* c) noexcept {
  return c == nullptr ? 0 : static_cast<int>(c->qcount.load(std::memory_order_relaxed));
}

int chancap(const hchan* c) noexcept { return c == nullptr ? 0 : static_cast<int>(c->dataqsiz); }

}  // namespace gort::detail
